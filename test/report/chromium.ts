import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** A headless Chromium driven over the DevTools protocol on a pipe (no WebSocket, no dependency). */
export interface HeadlessPage {
  /** Loads `url` and resolves once its load event fired. */
  open(url: string): Promise<void>;
  /** The serialized DOM, read through the DOM domain (works with scripts disabled). */
  html(): Promise<string>;
  /** The page printed as a PDF, as "Save as PDF" would (print media, backgrounds). */
  pdf(): Promise<Buffer>;
  close(): Promise<void>;
}

/** Headless Chromium with no GPU, no sandbox (containers run as root) and none of its network features. */
export const headlessFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts headless Chromium at `executable` with a fresh profile and no network features, and opens
 * one page; `javascript: false` disables the page's scripts, as a reader with JavaScript off has them.
 */
export async function headlessPage(
  executable: string,
  options: { javascript: boolean },
): Promise<HeadlessPage> {
  const profile = await mkdtemp(join(tmpdir(), "cloudsteward-chromium-"));
  const child = spawn(
    executable,
    [...headlessFlags, "--remote-debugging-pipe", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  child.stderr?.resume();
  const protocol = connect(child);
  const { targetId } = await protocol.send<{ targetId: string }>("Target.createTarget", {
    url: "about:blank",
  });
  const { sessionId } = await protocol.send<{ sessionId: string }>("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  const session = <T>(method: string, params: Record<string, unknown> = {}) =>
    protocol.send<T>(method, params, sessionId);
  await session("Page.enable");
  if (!options.javascript) await session("Emulation.setScriptExecutionDisabled", { value: true });
  return {
    async open(url) {
      const loaded = protocol.once("Page.loadEventFired", sessionId);
      await session("Page.navigate", { url });
      await loaded;
    },
    async html() {
      const { root } = await session<{ root: { nodeId: number } }>("DOM.getDocument", { depth: -1 });
      const { outerHTML } = await session<{ outerHTML: string }>("DOM.getOuterHTML", { nodeId: root.nodeId });
      return outerHTML;
    },
    async pdf() {
      const { data } = await session<{ data: string }>("Page.printToPDF", { printBackground: true });
      return Buffer.from(data, "base64");
    },
    async close() {
      await protocol.send("Browser.close").catch(() => {});
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Internal helpers.

interface Protocol {
  send<T = unknown>(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<T>;
  once(method: string, sessionId: string): Promise<unknown>;
}

/** Null-separated JSON messages: commands on fd 3, answers and events on fd 4. */
function connect(child: ChildProcess): Protocol {
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const waiters: { method: string; sessionId: string; resolve(value: unknown): void }[] = [];
  let buffer = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\0"); end >= 0; end = buffer.indexOf("\0")) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        method?: string;
        sessionId?: string;
        result?: unknown;
        error?: { message: string };
        params?: unknown;
      };
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined) {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) call?.reject(new Error(`Chromium: ${message.error.message}`));
        else call?.resolve(message.result);
        continue;
      }
      const index = waiters.findIndex(
        (waiter) => waiter.method === message.method && waiter.sessionId === message.sessionId,
      );
      if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message.params);
    }
  });
  child.once("exit", () => {
    for (const call of pending.values()) call.reject(new Error("Chromium exited"));
  });
  return {
    send(method, params = {}, sessionId) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
      });
    },
    once(method, sessionId) {
      return new Promise((resolve) => waiters.push({ method, sessionId, resolve }));
    },
  };
}
