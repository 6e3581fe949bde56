import { readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { NormalizationError } from "../../src/core/errors.js";
import type { Finding } from "../../src/core/finding.js";
import type { Warning } from "../../src/core/report.js";

/** The normalized values a real-shaped record should give, written from its source's documented meaning. */
export interface ExpectedFields {
  nativeId: string;
  severity: string;
  status: string;
  resourceId: string;
  resourceType: string;
  cloud: string;
  accountId: string;
  /** `null` when the record names no region. */
  region: string | null;
  firstSeen: string;
  lastSeen: string;
}

/** What {@link scoreRealFixtures} measured over one platform's real-shaped fixtures. */
export interface FixtureScore {
  /** Records checked (every record listed in `expected.json`). */
  records: number;
  /** Records whose normalize threw, with the file, index and message. */
  thrown: string[];
  /** Per field: how many records had it right, and the wrong ones (`file#index: got … want …`). */
  fields: Record<keyof ExpectedFields, { right: number; wrong: string[] }>;
  /** Right fields ÷ checked fields, over all records (a thrown record counts every field wrong). */
  accuracy: number;
  /** The warnings normalize reported, by record (`file#index`). */
  warnings: Record<string, Warning[]>;
}

/**
 * Normalizes every record of the real-shaped fixture files named in `__fixtures__/real/expected.json`
 * beside the test at `testUrl` (each file a JSON array of records, `expected.json` an array of
 * {@link ExpectedFields} per file, in the same order) and scores each field against the expected value.
 * @example
 * const score = scoreRealFixtures(import.meta.url, (record, onWarning) => normalize(record, { fetchedAt, onWarning }));
 */
export function scoreRealFixtures(
  testUrl: string,
  normalize: (record: unknown, onWarning: (warning: Warning) => void) => Finding,
): FixtureScore {
  const read = (name: string) =>
    JSON.parse(readFileSync(new URL(`./__fixtures__/real/${name}.json`, testUrl), "utf8"));
  const expected = read("expected") as Record<string, ExpectedFields[]>;
  const keys = Object.keys(Object.values(expected)[0]?.[0] ?? {}) as (keyof ExpectedFields)[];
  const fields = Object.fromEntries(
    keys.map((key) => [key, { right: 0, wrong: [] as string[] }]),
  ) as FixtureScore["fields"];
  const score: FixtureScore = { records: 0, thrown: [], fields, accuracy: 0, warnings: {} };
  for (const [file, wanted] of Object.entries(expected)) {
    const records = read(file) as unknown[];
    if (records.length !== wanted.length)
      throw new Error(`${file}: ${records.length} records, ${wanted.length} expected`);
    records.forEach((record, index) => {
      const at = `${file}#${index}`;
      const warnings: Warning[] = [];
      score.records++;
      let finding: Finding | undefined;
      try {
        finding = normalize(record, (warning) => warnings.push(warning));
      } catch (error) {
        if (!(error instanceof NormalizationError)) throw error;
        score.thrown.push(`${at}: ${error.message}`);
      }
      if (warnings.length > 0) score.warnings[at] = warnings;
      const got: ExpectedFields | undefined = finding && {
        nativeId: finding.source.nativeId,
        severity: finding.severity,
        status: finding.status,
        resourceId: finding.resource.id,
        resourceType: finding.resource.type,
        cloud: finding.resource.cloud,
        accountId: finding.resource.accountId,
        region: finding.resource.region ?? null,
        firstSeen: finding.firstSeen,
        lastSeen: finding.lastSeen,
      };
      for (const key of keys) {
        const want = wanted[index]?.[key];
        if (got && got[key] === want) fields[key].right++;
        else fields[key].wrong.push(`${at}: got ${JSON.stringify(got?.[key])}, want ${JSON.stringify(want)}`);
      }
    });
  }
  const right = keys.reduce((sum, key) => sum + fields[key].right, 0);
  score.accuracy = right / (keys.length * score.records);
  return score;
}

/** The per-field accuracy as a printable table. */
export function formatScore(platform: string, score: FixtureScore): string {
  const lines = Object.entries(score.fields).map(
    ([key, { right }]) =>
      `  ${key.padEnd(13)} ${right}/${score.records} (${((100 * right) / score.records).toFixed(1)}%)`,
  );
  return [
    `${platform}: ${score.records} real-shaped records, ${score.thrown.length} thrown, ${(100 * score.accuracy).toFixed(1)}% of fields right`,
    ...lines,
  ].join("\n");
}

/**
 * The tests every adapter's real-shaped fixture set passes, to call inside its `describe`: every record
 * normalizes and ≥ 97% of the checked fields are right (the per-field table is printed), every fallback
 * warning names its field, and PROVENANCE.md names every fixture file.
 */
export function testRealFixtures(
  platform: string,
  testUrl: string,
  normalize: (record: unknown, onWarning: (warning: Warning) => void) => Finding,
): void {
  const score = scoreRealFixtures(testUrl, normalize);
  const real = new URL("./__fixtures__/real/", testUrl);

  it("normalizes every record, and at least 97% of the checked fields are right", () => {
    console.log(formatScore(platform, score));
    expect(score.thrown).toEqual([]);
    const wrong = Object.values(score.fields).flatMap((field) => field.wrong);
    expect(score.accuracy, wrong.join("\n")).toBeGreaterThanOrEqual(0.97);
  });

  it("warns, naming the field, for every value it had to replace", () => {
    const warnings = Object.values(score.warnings).flat();
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ type: "fallback", source: platform });
      expect(warning.message).toContain(`: ${warning.feature} `);
    }
  });

  it("names every fixture file in PROVENANCE.md", () => {
    const provenance = readFileSync(new URL("PROVENANCE.md", real), "utf8");
    for (const file of readdirSync(real).filter(
      (name) => name.endsWith(".json") && name !== "expected.json",
    )) {
      expect(provenance).toContain(file);
    }
  });
}
