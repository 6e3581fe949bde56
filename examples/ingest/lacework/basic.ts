/**
 * Read Lacework FortiCNAPP alerts (the last 90 days, in 7-day windows), normalized, each naming its
 * resource (the adapter fetches an alert's details when the list row does not name it).
 * Env: LW_ACCOUNT (e.g. acme, or acme.fra.lacework.net) or LACEWORK_API_URL, LW_API_KEY, LW_API_SECRET
 * — or nothing, to read from the sandbox.
 * Run: npx tsx examples/ingest/lacework/basic.ts
 */
import { lacework } from "../../../src/adapters/lacework/index.js";
import { run } from "../../run.js";

await run(
  async (context) => {
    const source = lacework(context.lacework);
    const bySeverity: Record<string, number> = {};
    let count = 0;
    for await (const finding of source.findings()) {
      bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
      if (count++ < 3)
        console.log(`${finding.severity.padEnd(8)} ${finding.resource.name.padEnd(32)} ${finding.title}`);
    }
    console.log(`Read ${count} alerts from Lacework:`, bySeverity);
  },
  { integration: "lacework", size: 20 },
);
