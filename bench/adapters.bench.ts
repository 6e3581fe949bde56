/**
 * The cost of each non-Wiz adapter's `normalize` next to `JSON.parse` of the response bodies its
 * records came from, over records its sandbox emulation serves (the Wiz figure is in wiz.bench.ts),
 * and of the OCSF source's over files made from the recorded Prowler and Security Hub fixtures.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lacework, normalize as normalizeLacework } from "../src/adapters/lacework/index.js";
import { normalize as normalizeOcsf, ocsf } from "../src/adapters/ocsf/index.js";
import { normalize as normalizeOrca, orca } from "../src/adapters/orca/index.js";
import { normalize as normalizePrisma, prisma } from "../src/adapters/prisma/index.js";
import type { BuiltInPlatform } from "../src/core/finding.js";
import type { FindingSource } from "../src/core/source.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { type Benchmark, type BenchResult, costNotes, normalizeCost, resultRow } from "./harness.js";

const size = 3000;
/** normalize ÷ JSON.parse, at most (issue #22). */
const target = 1.3;
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
    rows.push(await measureOcsf());
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
      // A row also fails when the records measured are not the ones the source streamed.
      target: `<= ${target}`,
      pass: cost.ratio <= target && records.length === streamed,
      notes: `${costNotes(cost)}; ${streamed.toLocaleString("en")} findings streamed`,
    },
  );
}

/** The recorded OCSF fixtures: Prowler `-M json-ocsf` arrays and Security Hub v2 JSON Lines. */
const ocsfFixtures = new URL("../test/adapters/ocsf/__fixtures__/", import.meta.url);
const prowlerFixtures = ["aws", "azure", "gcp", "kubernetes"].map(
  (cloud) => `prowler-example-${cloud}.ocsf.json`,
);

/**
 * The OCSF source over {@link size} records: copies of the fixture records, each copy with its own
 * finding and resource ids (so per-resource work is not served from a cache), written as Prowler writes
 * them (JSON arrays of 500) and as Security Hub exports them (JSON Lines), then read back by `ocsf()`.
 */
async function measureOcsf(): Promise<BenchResult> {
  const prowler: unknown[] = [];
  for (const file of [...prowlerFixtures, "prowler-s3.ocsf.json"]) {
    prowler.push(...(JSON.parse(await readFile(new URL(file, ocsfFixtures), "utf8")) as unknown[]));
  }
  const hub = (await readFile(new URL("securityhub-v2.jsonl", ocsfFixtures), "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown)
    // One Security Hub record has no id on purpose (the reader's dead-letter test): not a finding.
    .filter((record) => nativeIdOf(record) !== undefined);
  const bodies: string[] = [];
  const records: unknown[] = [];
  const arrays: unknown[][] = [];
  const lines: string[] = [];
  for (let copy = 0; records.length < size; copy++) {
    for (const record of copy % 2 === 0 ? prowler : hub) {
      const variant = distinctCopy(record, copy);
      records.push(variant);
      if (copy % 2 === 0) {
        if (arrays.length === 0 || arrays.at(-1)!.length === 500) arrays.push([]);
        arrays.at(-1)!.push(variant);
      } else lines.push(JSON.stringify(variant));
    }
  }
  for (const array of arrays) bodies.push(JSON.stringify(array));
  bodies.push(...lines);
  const directory = await mkdtemp(join(tmpdir(), "cloudsteward-bench-ocsf-"));
  let streamed = 0;
  try {
    const files = [join(directory, "prowler.ocsf.json"), join(directory, "securityhub.jsonl")];
    await writeFile(files[0]!, `[${arrays.map((array) => JSON.stringify(array).slice(1, -1)).join(",")}]`);
    await writeFile(files[1]!, `${lines.join("\n")}\n`);
    for await (const _ of ocsf({ files }).findings()) streamed++;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const fetchedAt = new Date().toISOString();
  const cost = normalizeCost(bodies, records, (record) => normalizeOcsf(record, { fetchedAt }));
  return row(
    `ocsf: normalize ÷ JSON.parse of the same bytes (${records.length.toLocaleString("en")} records)`,
    cost.ratio,
    "×",
    {
      // Informative: the target is the CNAPP adapters'; a row only fails when the records measured are not
      // the ones the source streamed.
      target: `informative (adapters: <= ${target})`,
      ...(records.length === streamed ? {} : { pass: false }),
      notes: `${costNotes(cost)}; ${streamed.toLocaleString("en")} findings streamed from Prowler JSON and Security Hub JSON Lines files`,
    },
  );
}

/** A copy of an OCSF record with its finding and resource ids suffixed by `copy`. */
function distinctCopy(record: unknown, copy: number): unknown {
  const variant = structuredClone(record) as {
    finding_info?: { uid?: unknown };
    finding?: { uid?: unknown };
    resources?: { uid?: unknown; name?: unknown }[];
  };
  if (variant.finding_info && typeof variant.finding_info.uid === "string") {
    variant.finding_info.uid = `${variant.finding_info.uid}-${copy}`;
  } else if (variant.finding && typeof variant.finding.uid === "string") {
    variant.finding.uid = `${variant.finding.uid}-${copy}`;
  }
  for (const resource of variant.resources ?? []) {
    if (typeof resource.uid === "string") resource.uid = `${resource.uid}-${copy}`;
    if (typeof resource.name === "string") resource.name = `${resource.name}-${copy}`;
  }
  return variant;
}

/** The native id `ocsf()` reads (`finding_info.uid`, or OCSF 1.0's `finding.uid`). */
function nativeIdOf(record: unknown): string | undefined {
  const { finding_info: info, finding } = record as {
    finding_info?: { uid?: unknown };
    finding?: { uid?: unknown };
  };
  const uid = info?.uid ?? finding?.uid;
  return typeof uid === "string" && uid.trim() !== "" ? uid : undefined;
}
