/**
 * The sandbox's emulations and the LLM emulators as msw request handlers, for unit tests that
 * intercept `fetch` instead of starting a server (msw is an optional peer dependency of this subpath
 * only; everything else for tests is in `cloudsteward/testing`).
 * @module cloudsteward/testing/msw
 */

export { emulatorHandlers } from "./emulator-handlers.js";
export { type SandboxHandlers, type SandboxHandlersOptions, sandboxHandlers } from "./sandbox-handlers.js";
