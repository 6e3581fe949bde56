/**
 * Read the open alerts of Prisma Cloud (CSPM policy alerts), normalized, and count them by category.
 * Env: PRISMA_API_URL (your stack, e.g. https://api2.eu.prismacloud.io), PRISMA_ACCESS_KEY_ID,
 * PRISMA_SECRET_KEY — or nothing, to read from the sandbox.
 * Run: npx tsx examples/ingest/prisma/basic.ts
 */
import { prisma } from "../../../src/adapters/prisma/index.js";
import { run } from "../../run.js";

await run(
  async (context) => {
    const source = prisma(context.prisma);
    const byCategory: Record<string, number> = {};
    let count = 0;
    for await (const finding of source.findings({ status: ["open"] })) {
      byCategory[finding.category] = (byCategory[finding.category] ?? 0) + 1;
      if (count++ < 3)
        console.log(`${finding.severity.padEnd(8)} ${finding.resource.type.padEnd(24)} ${finding.title}`);
    }
    console.log(`Read ${count} open alerts from Prisma Cloud:`, byCategory);
  },
  { integration: "prisma" },
);
