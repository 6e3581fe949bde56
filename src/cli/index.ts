#!/usr/bin/env node
/**
 * @module cloudsteward/cli
 * The `cloudsteward` bin: runs {@link main} on the process's arguments and streams, with Ctrl-C
 * aborting long-running commands. Import `main` from `./main.js` to run the CLI in-process.
 */
import { processIo } from "./io.js";
import { main } from "./main.js";

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new DOMException("Interrupted", "AbortError")));
process.once("SIGTERM", () => controller.abort(new DOMException("Terminated", "AbortError")));
// A second Ctrl-C gets Node's default behaviour (exit at once), since the listeners above run once.
void main(process.argv.slice(2), { ...processIo(), signal: controller.signal }).then((code) => {
  process.exitCode = code;
});
