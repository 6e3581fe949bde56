import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { ocsf } from "../../../src/adapters/ocsf/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import type { PipelineEvents } from "../../../src/core/events.js";
import type { Finding } from "../../../src/core/finding.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import type { FindingQuery } from "../../../src/core/source.js";

const fixtures = join(import.meta.dirname, "__fixtures__");
const files = [join(fixtures, "prowler-s3.ocsf.json"), join(fixtures, "securityhub-v2.jsonl")];

async function collect(
  source: ReturnType<typeof ocsf>,
  query: FindingQuery = {},
  report = createRunReport("t"),
) {
  const findings: Finding[] = [];
  for await (const finding of source.findings(query, { record: createRecorder(report) }))
    findings.push(finding);
  return findings;
}

describe("ocsf()", () => {
  it("reads files in order, names its platform, and declares getFinding only", async () => {
    const source = ocsf({ files, platform: "scanners" });
    expect(source.platform).toBe("scanners");
    expect(source.capabilities).toEqual({ getFinding: true });
    expect(source.setStatus).toBeUndefined();
    const findings = await collect(source);
    expect(findings).toHaveLength(7);
    expect(findings[0]!.id).toBe(
      "scanners:prowler-aws-s3_bucket_public_access-123456789012-us-east-1-acme-public-assets",
    );
    expect(findings.at(-1)!.rule.id).toBe("CVE-2023-38545");
  });

  it("applies the query's filters as the records stream by", async () => {
    const source = ocsf({ files });
    const ids = async (query: FindingQuery) =>
      (await collect(source, query)).map((finding) => finding.rule.id);
    expect(await ids({ status: ["open"], severity: ["critical"] })).toEqual([
      "s3_bucket_public_access",
      "AttackSequence:EC2/CompromisedInstanceGroup",
      "CVE-2023-38545",
    ]);
    expect(await ids({ category: ["vulnerability"] })).toEqual(["CVE-2023-38545"]);
    expect(await ids({ accountIds: ["111122223333"], updatedAfter: "2025-05-25T00:00:00Z" })).toEqual([
      "S3.2",
      "AttackSequence:EC2/CompromisedInstanceGroup",
    ]);
    expect(await ids({ frameworks: ["cis-2.0"] })).toEqual(["iam_user_mfa_enabled_console_access"]);
    expect(await ids({ createdAfter: "2030-01-01T00:00:00Z" })).toEqual([]);
  });

  it("reports a filter it cannot apply once, and refuses a resume cursor", async () => {
    const report = createRunReport("t");
    const findings = await collect(ocsf({ files }), { projectIds: ["p-1"] }, report);
    expect(findings).toHaveLength(7);
    expect(report.warnings).toEqual([
      expect.objectContaining({ type: "unsupported", feature: "filter.projectIds" }),
    ]);
    await expect(collect(ocsf({ files }), { cursor: "3" })).rejects.toSatisfy((error) =>
      isCloudstewardError(error, "CONFIGURATION"),
    );
  });

  it("raises a fallback warning once per field and counts the repeats", async () => {
    const line = (uid: string) =>
      JSON.stringify({ finding_info: { uid, title: "t" }, severity_id: 99, time: 1739539623 });
    const events = new EventEmitter<PipelineEvents>();
    const raised: unknown[] = [];
    events.on("warning-raised", (payload) => raised.push(payload));
    const report = createRunReport("t");
    const source = ocsf({ input: [line("a"), "\n", line("b"), "\n", line("c"), "\n"] });
    const findings: Finding[] = [];
    for await (const finding of source.findings({}, { record: createRecorder(report, events) }))
      findings.push(finding);
    expect(findings).toHaveLength(3);
    const severity = report.warnings.filter((warning) => warning.feature === "severity");
    expect(severity).toHaveLength(1);
    expect(severity[0]!.details).toEqual({ count: 3 });
    expect(
      raised.filter(
        (payload) => (payload as { warning: { feature?: string } }).warning.feature === "severity",
      ),
    ).toHaveLength(1);
  });

  it("finds one finding by id or native id, reading a re-readable input again", async () => {
    const text = readFileSync(files[1]!, "utf8");
    const source = ocsf({ input: () => [text], platform: "securityhub" });
    const [first] = await collect(source);
    expect((await source.getFinding!(first!.id))?.rule.id).toBe("S3.2");
    expect((await source.getFinding!(first!.source.nativeId))?.id).toBe(first!.id);
    expect(await source.getFinding!("securityhub:nope")).toBeUndefined();
  });

  it("reads a one-shot stream once and says how to read it again", async () => {
    async function* once() {
      yield readFileSync(files[1]!);
    }
    const source = ocsf({ input: once() });
    expect(await collect(source)).toHaveLength(3);
    await expect(collect(source)).rejects.toSatisfy(
      (error) => isCloudstewardError(error, "CONFIGURATION") && /fresh stream/.test((error as Error).message),
    );
  });

  it("fails loudly for nothing to read, a file that cannot be read, and a platform that is not a name", async () => {
    await expect(collect(ocsf())).rejects.toSatisfy((error) => isCloudstewardError(error, "CONFIGURATION"));
    await expect(collect(ocsf({ files: join(fixtures, "missing.json") }))).rejects.toSatisfy(
      (error) =>
        isCloudstewardError(error, "CONFIGURATION") && (error as Error).message.includes("missing.json"),
    );
    expect(() => ocsf({ platform: "Prowler Scan" })).toThrow(/lower-case name/);
  });

  it("names a bad record's file, line and path in its dead letter, and reads on", async () => {
    const report = createRunReport("t");
    const source = ocsf({
      input: ['{"finding_info": {"uid": "ok", "title": "t"}}\n', '{"finding_info": {"title": "no id"}}\n'],
    });
    const findings = await collect(source, {}, report);
    expect(findings.map((finding) => finding.id)).toEqual(["ocsf:ok"]);
    expect(report.deadLetters).toHaveLength(1);
    expect(report.deadLetters[0]).toMatchObject({
      stage: "source:ocsf",
      error: { path: [1, "finding_info", "uid"] },
    });
    expect(report.deadLetters[0]!.error.message).toBe(
      "ocsf: [1].finding_info.uid of input (line 2) is missing or empty: a finding without an id cannot be followed across runs.",
    );
  });
});
