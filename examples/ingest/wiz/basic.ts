/**
 * Read every finding from Wiz (Issues, Cloud Configuration and Vulnerability Findings), normalized.
 * Env: WIZ_CLIENT_ID, WIZ_CLIENT_SECRET, WIZ_API_URL — or nothing, to read from the sandbox.
 * Run: npx tsx examples/ingest/wiz/basic.ts
 */
import { wiz } from "../../../src/adapters/wiz/index.js";
import { run } from "../../run.js";

await run(async (context) => {
  const source = wiz(context.wiz);
  const bySeverity: Record<string, number> = {};
  let count = 0;
  for await (const finding of source.findings({ status: ["open", "in_progress"] })) {
    bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
    if (count++ < 3)
      console.log(`${finding.severity.padEnd(8)} ${finding.resource.type.padEnd(24)} ${finding.title}`);
  }
  console.log(`Read ${count} open findings from Wiz:`, bySeverity);
});
