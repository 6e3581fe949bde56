/** Resolves when `signal` aborts; never, without one (the process then ends on SIGINT). */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
}
