/**
 * Read Orca alerts, normalized, and list the accounts with the most critical and high ones.
 * Env: ORCA_API_TOKEN, and ORCA_API_URL for a region other than the US — or nothing, to read from
 * the sandbox.
 * Run: npx tsx examples/ingest/orca/basic.ts
 */
import { orca } from "../../../src/adapters/orca/index.js";
import { run } from "../../run.js";

await run(
  async (context) => {
    const source = orca(context.orca);
    const byAccount = new Map<string, number>();
    let count = 0;
    for await (const finding of source.findings({ severity: ["critical", "high"] })) {
      count++;
      const account = finding.resource.accountId;
      byAccount.set(account, (byAccount.get(account) ?? 0) + 1);
    }
    const top = [...byAccount].sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [account, alerts] of top) console.log(`${String(alerts).padStart(4)}  ${account}`);
    console.log(`Read ${count} critical and high alerts from Orca across ${byAccount.size} accounts`);
  },
  { integration: "orca" },
);
