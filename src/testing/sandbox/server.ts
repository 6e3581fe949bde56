import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { nodeListener } from "../../server/node.js";
import type { Estate } from "../estate.js";
import type { EmulationName, EmulationOptions, Emulations } from "./emulations.js";
import type { Faults } from "./faults.js";
import { mountSandbox, type SandboxEstateOptions } from "./mount.js";

/** Options of {@link startSandbox}. */
export interface SandboxOptions extends SandboxEstateOptions {
  /** Port on 127.0.0.1. @default 0 (a random free port) */
  port?: number;
}

/**
 * A running sandbox: its URL, the estate it renders, the emulations (to inspect what they recorded),
 * and one entry per emulation that is exactly the options object its integration's factory takes.
 */
export type Sandbox = EmulationOptions & {
  /** Base URL, e.g. `http://127.0.0.1:53121`; each emulation lives under `/<name>`. */
  url: string;
  estate: Estate;
  emulations: Emulations;
  faults: Record<EmulationName, Faults>;
  /** Stops the server and drops open connections. Safe to call twice. */
  close(): Promise<void>;
};

/**
 * Starts the sandbox: a real HTTP server on 127.0.0.1 serving faithful emulations of the CNAPP, ticketing
 * and chat APIs over one seeded synthetic estate.
 * @example
 * const sandbox = await startSandbox({ seed: 7, size: 500, faults: { rateLimit: { requestsPerSecond: 5 } } });
 * for await (const finding of wiz(sandbox.wiz).findings()) console.log(finding.title);
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const mounted = mountSandbox(options);
  // A `Response.error()` from an emulation (a lost create response) closes the connection unanswered.
  const sockets = new AsyncLocalStorage<Socket>();
  const listener = nodeListener(async (request) => {
    const response = await mounted.dispatch(request);
    if (response.type === "error") sockets.getStore()?.destroy();
    return response.type === "error" ? new Response(null, { status: 502 }) : response;
  });
  const server = createServer((incoming, outgoing) =>
    sockets.run(incoming.socket, () => listener(incoming, outgoing)),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  return {
    ...mounted.optionsFor(url),
    url,
    estate: mounted.estate,
    emulations: mounted.emulations,
    faults: mounted.faults,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
