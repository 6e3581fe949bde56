import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { buildEvidencePack, verifyEvidencePack } from "../../../src/agents/compliance/evidence.js";
import { postureHistory } from "../../../src/agents/compliance/history.js";
import { complianceMapper } from "../../../src/agents/compliance/mapping.js";
import { assessCompliance, toSnapshot } from "../../../src/agents/compliance/posture.js";
import {
  evidencePackCsv,
  evidencePackHtml,
  evidencePackMarkdown,
  evidencePackOscal,
  writeEvidencePack,
} from "../../../src/agents/compliance/render.js";
import { auditLog } from "../../../src/audit/audit-log.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";

const schemaUrl = new URL("./__fixtures__/oscal_assessment-results_schema.json", import.meta.url);

const bucket = (name: string, overrides: Parameters<typeof makeFinding>[0] = {}): Finding =>
  makeFinding({
    ...overrides,
    title: "S3 bucket allows public read access <script>alert(1)</script>",
    rule: {
      id: "wc-id-1",
      name: "S3 bucket allows public read access",
      controls: [{ framework: "SOC 2", control: "CC6.6" }],
    },
    resource: { name, id: `arn:aws:s3:::${name}`, ...overrides.resource },
  });

async function fixture() {
  const store = memoryStore();
  const audit = auditLog(store);
  const history = postureHistory(store);
  const findings = [
    bucket("open-1"),
    bucket("open-2"),
    bucket("held"),
    bucket("fixed", { status: "resolved" }),
  ];
  for (const finding of findings)
    await audit.append({
      type: "ingestion",
      at: "2026-03-02T10:00:00Z",
      actor: "cloudsteward/pipeline",
      findingIds: [finding.id],
      data: { platform: "wiz" },
    });
  await audit.append({
    type: "delivery",
    at: "2026-03-03T10:00:00Z",
    actor: "cloudsteward/decide",
    caseId: "case-1",
    findingIds: [findings[0]!.id, findings[1]!.id],
    data: { sink: "jira", ticket: "SEC-12" },
  });
  await audit.append({ type: "decision", actor: "someone", data: { unrelated: true } });
  const exceptions = [
    {
      id: "EXC-7",
      resourceIds: ["arn:aws:s3:::held"],
      reason: "public website bucket",
      approvedBy: "ciso@example.com",
      approvedAt: "2026-02-20T00:00:00Z",
      expiresAt: "2026-06-30T00:00:00Z",
      ticket: "GRC-3",
    },
  ];
  const mapper = complianceMapper({ frameworks: ["soc2"] });
  for (const [at, subset] of [
    ["2026-03-01T00:00:00Z", []],
    ["2026-03-08T00:00:00Z", findings],
  ] as const)
    await history.save(toSnapshot(assessCompliance(subset, { mapper, at, exceptions })[0]!));
  const pack = await buildEvidencePack({
    framework: "soc2",
    findings,
    audit,
    history,
    exceptions,
    mapper,
    period: { from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z" },
    now: new Date("2026-03-10T12:00:00Z"),
  });
  return { audit, pack, findings };
}

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe("buildEvidencePack", () => {
  it("gives each requirement its status, history, failing resources, exceptions, routes and narrative", async () => {
    const { pack, findings } = await fixture();
    expect(pack.requirements).toHaveLength(28);
    expect(pack.summary).toMatchObject({ findings: 4 });
    expect(pack.summary.pass + pack.summary.fail + pack.summary.notAssessed).toBe(28);
    const cc66 = pack.requirements.find((requirement) => requirement.id === "cc_6_6")!;
    expect(cc66.status).toBe("fail");
    expect(cc66.failingResources).toEqual([
      { id: "arn:aws:s3:::open-1", findings: 1 },
      { id: "arn:aws:s3:::open-2", findings: 1 },
    ]);
    expect(cc66.totals).toEqual({
      failingFindings: 2,
      failingResources: 2,
      passingFindings: 2,
      auditRecords: 5,
    });
    expect(cc66.failing.map((finding) => finding.id).sort()).toEqual(
      [findings[0]!.id, findings[1]!.id].sort(),
    );
    expect(cc66.exceptions).toEqual([
      expect.objectContaining({ id: "EXC-7", approvedBy: "ciso@example.com", ticket: "GRC-3" }),
    ]);
    expect(cc66.routes).toContainEqual({ route: "vendor", via: "SOC 2 CC6.6" });
    expect(cc66.history).toEqual([
      { at: "2026-03-01T00:00:00.000Z", status: expect.any(String) },
      { at: "2026-03-08T00:00:00.000Z", status: "fail" },
    ]);
    expect(cc66.narrative).toMatch(/^Fails: 2 open findings on 2 resources/);
    expect(cc66.narrative).toContain("EXC-7, approved by ciso@example.com, expires 2026-06-30");
    // Ingestion of the four findings plus the ticket delivery; not the unrelated decision.
    expect(cc66.evidence.map((item) => item.type)).toEqual([
      "ingestion",
      "ingestion",
      "ingestion",
      "ingestion",
      "delivery",
    ]);
    const notAssessed = pack.requirements.filter((requirement) => requirement.status === "not-assessed");
    for (const requirement of notAssessed) expect(requirement.narrative).toMatch(/^Not assessed/);
    expect(pack.anchor).toEqual({ seq: 6, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(pack.narrative).toMatch(
      /^SOC 2: \d+ requirements pass, \d+ fail and \d+ are not assessed, from 4 findings in scope\./,
    );
  });

  it("links every evidence item to an audit record that verifies against the chain", async () => {
    const { pack, audit } = await fixture();
    const result = await verifyEvidencePack(pack, audit);
    expect(result.items).toBeGreaterThan(0);
    // Each cited record once: the four ingestions and the delivery, not the unrelated decision.
    expect(pack.records.map((record) => record.event.type)).toEqual([
      "ingestion",
      "ingestion",
      "ingestion",
      "ingestion",
      "delivery",
    ]);
    expect(result).toMatchObject({ ok: true, failures: [], chain: { ok: true } });
    // A pack read back from its JSON verifies the same way.
    expect((await verifyEvidencePack(JSON.parse(JSON.stringify(pack)), audit)).ok).toBe(true);
  });

  it("catches an edited evidence item and a log cut short after the pack", async () => {
    const { pack, audit } = await fixture();
    const edited = structuredClone(pack);
    const record = edited.records[0]!;
    record.event.actor = "someone-else";
    const result = await verifyEvidencePack(edited, audit);
    expect(result.ok).toBe(false);
    expect(result.failures[0]).toEqual({
      seq: record.seq,
      reason: "the record does not recompute to its hash",
    });

    const retargeted = structuredClone(pack);
    const item = retargeted.requirements.find((requirement) => requirement.evidence.length > 0)!.evidence[0]!;
    item.hash = "e".repeat(64);
    expect((await verifyEvidencePack(retargeted, audit)).failures).toEqual([
      { seq: item.seq, reason: "the item's hash is not the hash of the pack's record" },
    ]);

    const forged = structuredClone(pack);
    forged.anchor = { seq: 6, hash: "f".repeat(64) };
    expect((await verifyEvidencePack(forged, audit)).chain.ok).toBe(false);
  });
});

describe("evidence pack limits", () => {
  it("lists a bounded sample of findings and resources, keeps the totals, and every item still verifies", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const findings = Array.from({ length: 60 }, (_, index) =>
      bucket(`b-${index % 12}`, {
        severity: index === 41 ? "critical" : "high",
        firstSeen: `2026-02-${String(10 + (index % 15)).padStart(2, "0")}T00:00:00Z`,
      }),
    );
    await audit.appendMany(
      findings.map((finding) => ({
        type: "ingestion",
        at: "2026-03-02T10:00:00Z",
        actor: "cloudsteward/pipeline",
        findingIds: [finding.id],
        data: {},
      })),
    );
    const pack = await buildEvidencePack({
      framework: "soc2",
      findings,
      audit,
      limits: { findings: 5, resources: 3 },
      period: { from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z" },
    });
    const cc66 = pack.requirements.find((requirement) => requirement.id === "cc_6_6")!;
    expect(cc66.totals).toEqual({
      failingFindings: 60,
      failingResources: 12,
      passingFindings: 0,
      auditRecords: 60,
    });
    expect(cc66.failing).toHaveLength(5);
    // The critical one first, then the oldest.
    expect(cc66.failing[0]!.id).toBe(findings[41]!.id);
    expect(cc66.failing.slice(1).map((finding) => finding.firstSeen)).toEqual(
      Array(4).fill("2026-02-10T00:00:00Z"),
    );
    expect(cc66.failingResources).toEqual([
      { id: "arn:aws:s3:::b-0", findings: 5 },
      { id: "arn:aws:s3:::b-1", findings: 5 },
      { id: "arn:aws:s3:::b-10", findings: 5 },
    ]);
    expect(cc66.evidence.map((item) => item.findingIds[0])).toEqual(
      expect.arrayContaining(cc66.failing.map((finding) => finding.id)),
    );
    expect(cc66.evidence).toHaveLength(5);
    expect(cc66.narrative).toContain(
      "60 audit records name its findings; the 5 records of the sampled findings are cited here",
    );
    expect(evidencePackMarkdown(pack)).toContain("Failing findings: 5 of 60, most severe first");
    const verification = await verifyEvidencePack(pack, audit);
    expect(verification).toMatchObject({ ok: true, failures: [] });
    expect(verification.items).toBe(
      pack.requirements.reduce((sum, requirement) => sum + requirement.evidence.length, 0),
    );
  });
});

describe("evidence pack formats", () => {
  it("writes OSCAL assessment results that validate against NIST's published schema", async () => {
    const schemaText = await readFile(schemaUrl, "utf8");
    expect(createHash("sha256").update(schemaText).digest("hex")).toBe(
      "73fd7503ec274f5a4039a6dd3976c13ce2052d483a74a87b6e24145d88193cb2",
    );
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(schemaText));
    const { pack } = await fixture();
    const document = evidencePackOscal(pack);
    expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    const result = (document["assessment-results"] as { results: Record<string, unknown>[] }).results[0]!;
    const findings = result.findings as { target: { "target-id": string; status: { state: string } } }[];
    expect(findings.length).toBe(pack.summary.pass + pack.summary.fail);
    expect(findings.find((finding) => finding.target["target-id"] === "cc_6_6")?.target.status.state).toBe(
      "not-satisfied",
    );
    expect(result.props).toContainEqual(
      expect.objectContaining({ name: "audit-anchor-hash", value: pack.anchor!.hash }),
    );
    // Same pack, same document.
    expect(evidencePackOscal(pack)).toEqual(document);
    // A broken document fails the schema, so the check above can fail.
    expect(validate({ "assessment-results": { uuid: "not-a-uuid" } })).toBe(false);
  });

  it("renders Markdown, CSV and print-ready HTML from the same facts, escaping untrusted text", async () => {
    const { pack } = await fixture();
    const markdown = evidencePackMarkdown(pack);
    expect(markdown).toContain("# SOC 2 evidence pack");
    expect(markdown).toContain(`Audit chain anchor: record #6, hash ${pack.anchor!.hash}`);
    expect(markdown).toContain("**Status: fail**");
    const csv = evidencePackCsv(pack).split("\r\n");
    expect(csv[0]).toBe(
      "framework,requirement,title,section,status,failing_findings,failing_resource_count,failing_resources,audit_record_count,exceptions,routes,audit_records,narrative",
    );
    expect(csv).toHaveLength(28 + 2);
    expect(csv.find((line) => line.startsWith("soc2,cc_6_6,"))).toContain(
      ",fail,2,2,arn:aws:s3:::open-1(1) arn:aws:s3:::open-2(1),5,EXC-7,",
    );
    const html = evidencePackHtml(pack);
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("@media print");
  });

  it("writes every format to a directory", async () => {
    const { pack } = await fixture();
    const directory = await mkdtemp(join(tmpdir(), "evidence-"));
    directories.push(directory);
    const { files } = await writeEvidencePack(pack, directory);
    expect(files.map((file) => file.slice(directory.length + 1))).toEqual([
      "pack.json",
      "pack.md",
      "pack.csv",
      "pack.html",
      "oscal-assessment-results.json",
    ]);
    expect(JSON.parse(await readFile(files[0]!, "utf8")).anchor).toEqual(pack.anchor);
  });
});
