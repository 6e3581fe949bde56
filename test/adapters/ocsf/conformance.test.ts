import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ocsf } from "../../../src/adapters/ocsf/index.js";
import { testFindingSource } from "../../../src/testing/vitest/source-suite.js";

// The suite's inputs are built from the real-shaped fixtures: Prowler's S3 run and its example outputs
// for AWS, Azure, GCP and Kubernetes (a JSON array, as `-M json-ocsf` writes it), and Security Hub v2
// findings (JSON Lines, one wrapped in an EventBridge event). Prowler's examples redact every finding
// uid to `<finding_uid>`, so each gets a distinct one here.
const fixtures = join(import.meta.dirname, "__fixtures__");
type OcsfRecord = Record<string, unknown> & { finding_info: Record<string, unknown> & { uid: string } };
const prowler = [
  ...readArray("prowler-s3.ocsf.json"),
  ...["aws", "azure", "gcp", "kubernetes"].flatMap((cloud) =>
    readArray(`prowler-example-${cloud}.ocsf.json`).map((record, index) => ({
      ...record,
      finding_info: { ...record.finding_info, uid: `${record.finding_info.uid}-${cloud}-${index}` },
    })),
  ),
];
const securityHubLines = readFileSync(join(fixtures, "securityhub-v2.jsonl"), "utf8").trimEnd().split("\n");

// Planted where a careless reader would repeat them: in a line that is not JSON (whose parser message
// quotes the text), in a record without an id, and as a severity no one can read.
const secrets = ["ghp_R3aLlyS3cretT0kenPlantedInJs0n", "AKIAPLANTEDACCESSKEY1", "sk_live_51HplantedSeverity"];
const malformedLines = [
  `{"finding_info": {"uid": "cut-off", "title": "token ${secrets[0]}"`,
  JSON.stringify({
    finding_info: { title: "no uid" },
    resources: [{ uid: "x", tags: [{ name: "key", value: secrets[1] }] }],
  }),
  JSON.stringify({ class_uid: 3002, class_name: "Authentication", metadata: { uid: "auth-1" } }),
];
const [firstProwler] = prowler as [OcsfRecord];
const oddSeverity = {
  ...firstProwler,
  severity_id: 99,
  severity: secrets[2],
  finding_info: { ...firstProwler.finding_info, uid: "odd-severity" },
};

const directory = mkdtempSync(join(tmpdir(), "ocsf-conformance-"));
const files = {
  // Prowler's array layout, pretty-printed, then Security Hub's lines appended as a second document.
  valid: write(
    "valid.ocsf.json",
    `[${prowler.map((record) => JSON.stringify(record, null, 4)).join(",")}]\n`,
  ),
  malformed: write(
    "malformed.jsonl",
    `${[...prowler.map((record) => JSON.stringify(record)), ...malformedLines, JSON.stringify(oddSeverity), ...securityHubLines].join("\n")}\n`,
  ),
};
const securityHub = write("securityhub.jsonl", `${securityHubLines.join("\n")}\n`);

const prowlerIds = prowler.map((record) => `ocsf:${record.finding_info.uid}`);
const securityHubIds = securityHubLines.map((line) => {
  const record = JSON.parse(line);
  return `ocsf:${(record.detail?.findings?.[0] ?? record).finding_info.uid}`;
});

testFindingSource({
  platform: "ocsf",
  harness: {
    create: ({ variant, tap, events }) =>
      ocsf({
        // The valid variant reads a Prowler array and Security Hub lines one after the other, each through
        // the tap in 1 KiB chunks; the malformed one, one JSON Lines file.
        input: () =>
          variant === "valid"
            ? tap(chained([files.valid, securityHub]))
            : tap(createReadStream(files.malformed, { highWaterMark: 1024 })),
        events,
      }),
    expectedIds: [...prowlerIds, ...securityHubIds],
    malformed: { expectedIds: [...prowlerIds, "ocsf:odd-severity", ...securityHubIds], deadLetters: 3 },
    secrets,
  },
});

function readArray(name: string): OcsfRecord[] {
  return JSON.parse(readFileSync(join(fixtures, name), "utf8"));
}

function write(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

async function* chained(paths: string[]): AsyncGenerator<Buffer> {
  for (const path of paths) yield* createReadStream(path, { highWaterMark: 1024 });
}
