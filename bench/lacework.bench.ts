/**
 * Lacework at its floor (issue #15.9): the time the Lacework source takes to read the sandbox's 200
 * alerts with its default pacing, next to the least time the documented limit allows for the requests
 * that work needs. Lacework publishes no numeric limit; the limit documented for this SDK
 * (docs/lacework.md, Limits and errors; shared/reference/cnapp-apis.md §4.6) is 5 requests a second,
 * at most two at once. The work: one token, every search page of the ≤7-day windows, and one details
 * request per alert whose list row names no resource (`needsAlertDetails`).
 */

import { needsAlertDetails } from "../src/adapters/lacework/client.js";
import { lacework } from "../src/adapters/lacework/index.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { type Benchmark, resultRow } from "./harness.js";

const alerts = 200;
/** The documented limit: requests a second, and the burst a token bucket at that rate may spend at once. */
const documented = { requestsPerSecond: 5, burst: 2 };
/** time ÷ floor, at most (issue #15.9). */
const target = 1.2;
const row = resultRow("lacework");

const benchmark: Benchmark = {
  name: "lacework",
  async run() {
    const sandbox = await startSandbox({ seed: 1, size: alerts, platforms: ["lacework"] });
    const counts = { token: 0, search: 0, details: 0, rowsNeedingDetails: 0 };
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const response = await realFetch(input, init);
      if (url.includes("/access/tokens")) counts.token++;
      else if (url.includes("scope=Details")) counts.details++;
      else {
        counts.search++;
        const body = response.status === 200 ? ((await response.clone().json()) as { data?: unknown[] }) : {};
        counts.rowsNeedingDetails += (body.data ?? []).filter(needsAlertDetails).length;
      }
      return response;
    };
    let streamed = 0;
    const started = performance.now();
    try {
      for await (const _ of lacework(sandbox.lacework).findings()) streamed++;
    } finally {
      globalThis.fetch = realFetch;
      await sandbox.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const needed = counts.token + counts.search + counts.rowsNeedingDetails;
    const floor = Math.max(0, needed - documented.burst) / documented.requestsPerSecond;
    const ratio = seconds / floor;
    return [
      row(`read ${streamed} sandbox alerts ÷ the floor of the documented limit`, ratio, "×", {
        target: `<= ${target}`,
        // A row also fails when the source made more requests than the work needs.
        pass: ratio <= target && counts.token + counts.search + counts.details <= needed,
        notes: `${seconds.toFixed(1)} s against a floor of ${floor.toFixed(1)} s (${needed} requests at ${documented.requestsPerSecond}/s, burst ${documented.burst}): 1 token, ${counts.search} search pages, ${counts.details} details for ${counts.rowsNeedingDetails} alerts whose list row names no resource`,
      }),
    ];
  },
};
export default benchmark;
