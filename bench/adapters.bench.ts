/**
 * The cost of each non-Wiz adapter's `normalize` next to `JSON.parse` of the response bodies its
 * records came from, over records its sandbox emulation serves (the Wiz figure is in wiz.bench.ts).
 */
import { lacework, normalize as normalizeLacework } from "../src/adapters/lacework/index.js";
import { normalize as normalizeOrca, orca } from "../src/adapters/orca/index.js";
import { normalize as normalizePrisma, prisma } from "../src/adapters/prisma/index.js";
import type { BuiltInPlatform } from "../src/core/finding.js";
import type { FindingSource } from "../src/core/source.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { type Benchmark, type BenchResult, costNotes, normalizeCost, resultRow } from "./harness.js";

const size = 3000;
const row = resultRow("adapters");

/** How to read one platform: its source over the sandbox, its normalize, and where its records sit in a body. */
interface Subject {
  platform: Exclude<BuiltInPlatform, "wiz">;
  source: (sandbox: Awaited<ReturnType<typeof startSandbox>>) => FindingSource;
  normalize: (record: unknown, options: { fetchedAt: string }) => unknown;
  /** The records a response body carries (none for auth and other bodies). */
  records: (url: string, body: unknown) => unknown[];
}

const listOf = (key: string) => (_url: string, body: unknown) => {
  const value = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value : [];
};

const subjects: Subject[] = [
  {
    platform: "prisma",
    source: (sandbox) => prisma({ ...sandbox.prisma, rateLimit: false }),
    normalize: normalizePrisma,
    records: listOf("items"),
  },
  {
    platform: "orca",
    source: (sandbox) => orca({ ...sandbox.orca, rateLimit: false }),
    normalize: normalizeOrca,
    records: listOf("data"),
  },
  {
    platform: "lacework",
    source: (sandbox) => lacework({ ...sandbox.lacework, rateLimit: false }),
    normalize: normalizeLacework,
    // The adapter normalizes each alert's details (`scope=Details`), which name its resource.
    records: (url, body) => (url.includes("scope=Details") ? [(body as { data: unknown }).data].flat() : []),
  },
];

const benchmark: Benchmark = {
  name: "adapters",
  async run() {
    const rows: BenchResult[] = [];
    for (const subject of subjects) rows.push(await measureSubject(subject));
    return rows;
  },
};
export default benchmark;

async function measureSubject(subject: Subject): Promise<BenchResult> {
  const sandbox = await startSandbox({ seed: 1, size, platforms: [subject.platform] });
  const bodies: string[] = [];
  const records: unknown[] = [];
  const realFetch = globalThis.fetch;
  // Keep every response body the source reads, as the adapter received it.
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const text = await response.clone().text();
    const url = input instanceof Request ? input.url : String(input);
    const found = text.startsWith("{") ? subject.records(url, JSON.parse(text)) : [];
    if (found.length > 0) {
      bodies.push(text);
      records.push(...found);
    }
    return response;
  };
  let streamed = 0;
  try {
    for await (const _ of subject.source(sandbox).findings()) streamed++;
  } finally {
    globalThis.fetch = realFetch;
    await sandbox.close();
  }
  const fetchedAt = new Date().toISOString();
  const cost = normalizeCost(bodies, records, (record) => subject.normalize(record, { fetchedAt }));
  return row(
    `${subject.platform}: normalize ÷ JSON.parse of the same bytes (${records.length.toLocaleString("en")} records)`,
    cost.ratio,
    "×",
    {
      // Informative: the ≤ 1.5× target is the Wiz adapter's (README, Benchmarks); a row only fails when the
      // records measured are not the ones the source streamed.
      target: "informative (Wiz target <= 1.5)",
      ...(records.length === streamed ? {} : { pass: false }),
      notes: `${costNotes(cost)}; ${streamed.toLocaleString("en")} findings streamed`,
    },
  );
}
