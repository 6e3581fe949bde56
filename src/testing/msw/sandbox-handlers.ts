import { type HttpHandler, http } from "msw";
import type { Estate } from "../estate.js";
import type { EmulationName, EmulationOptions, Emulations } from "../sandbox/emulations.js";
import type { Faults } from "../sandbox/faults.js";
import { mountSandbox, type SandboxEstateOptions } from "../sandbox/mount.js";

/** Options of {@link sandboxHandlers}. */
export interface SandboxHandlersOptions extends SandboxEstateOptions {
  /** The origin the handlers answer on. @default "http://sandbox.test" */
  baseUrl?: string;
}

/** msw handlers over the sandbox's emulations, plus what a test needs to point integrations at them. */
export type SandboxHandlers = EmulationOptions & {
  handlers: HttpHandler[];
  baseUrl: string;
  estate: Estate;
  emulations: Emulations;
  faults: Record<EmulationName, Faults>;
};

/**
 * The sandbox's emulations as msw handlers (`http.all(\`${baseUrl}/<name>/*\`)`), for unit tests that
 * mock `fetch` instead of starting a server.
 * @example
 * const sandbox = sandboxHandlers({ seed: 3 });
 * const server = setupServer(...sandbox.handlers);
 * server.listen();
 * const source = wiz(sandbox.wiz);
 */
export function sandboxHandlers(options: SandboxHandlersOptions = {}): SandboxHandlers {
  const baseUrl = (options.baseUrl ?? "http://sandbox.test").replace(/\/+$/, "");
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
  const mounted = mountSandbox(options);
  const handlers = Object.keys(mounted.emulations).map((name) =>
    http.all(`${baseUrl}/${name}/*`, ({ request }) => mounted.dispatch(request, basePath)),
  );
  return {
    ...mounted.optionsFor(baseUrl),
    handlers,
    baseUrl,
    estate: mounted.estate,
    emulations: mounted.emulations,
    faults: mounted.faults,
  };
}
