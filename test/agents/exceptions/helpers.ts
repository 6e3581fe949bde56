import { applyExceptions } from "../../../src/agents/exceptions/index.js";
import { triage } from "../../../src/agents/triage/index.js";
import type { AuditAppender } from "../../../src/core/audit.js";
import type { Case } from "../../../src/core/case.js";
import type { Finding } from "../../../src/core/finding.js";
import { pipeline } from "../../../src/core/pipeline.js";
import type { Stage } from "../../../src/core/stage.js";
import type { Store } from "../../../src/core/store.js";

/** Runs applyExceptions → triage over `findings` at `now` and returns the cases. */
export async function casesAt(
  store: Store,
  findings: Finding[],
  now: Date,
  audit?: AuditAppender,
): Promise<Case[]> {
  const cases: Case[] = [];
  const collect: Stage<Case, Case> = {
    name: "collect",
    async *run(input) {
      for await (const item of input) {
        cases.push(item);
        yield item;
      }
    },
  };
  await pipeline({
    source: (async function* () {
      yield* findings;
    })(),
    stages: [applyExceptions(), triage(), collect],
    store,
    now: () => now,
    ...(audit ? { audit } : {}),
  }).start();
  return cases;
}
