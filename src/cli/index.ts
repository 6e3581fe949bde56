#!/usr/bin/env node
import { processIo } from "./io.js";
/**
 * @module cloudsteward/cli
 * The `cloudsteward` command. tsup keeps the shebang above as the bin's first line.
 */
import { main } from "./main.js";

export { type CliIo, type CliOutput, exitCodes } from "./io.js";
export { main } from "./main.js";

if (process.argv[1] && /(?:^|[\\/])(?:cloudsteward|index\.[cm]?[jt]s)$/.test(process.argv[1])) {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new DOMException("Interrupted", "AbortError")));
  process.once("SIGTERM", () => controller.abort(new DOMException("Terminated", "AbortError")));
  main(process.argv.slice(2), { ...processIo(), signal: controller.signal }).then((code) => {
    process.exitCode = code;
  });
}
