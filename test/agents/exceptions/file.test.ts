import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ExceptionNotice,
  type ExceptionRecord,
  exceptionIndex,
  getException,
  lintExceptionsFile,
  listExceptions,
  loadExceptionsFile,
  sweepExceptions,
  syncExceptionsFile,
} from "../../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";

const policy: PolicyInput = {
  principals: [
    { id: "alice" },
    { id: "bob", scopes: ["approve:exception"] },
    { id: "carol", scopes: ["approve:exception"] },
  ],
  exceptions: { criticalQuorum: 2, reminderDays: [7] },
};
const now = () => new Date("2026-06-01T00:00:00Z");
const directory = mkdtempSync(join(tmpdir(), "cloudsteward-exceptions-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const valid = `# reviewed in pull requests
exceptions:
  - id: legacy-tls
    rule: aws-elb-tls10
    resources: [arn:aws:elasticloadbalancing:eu-west-1:111:loadbalancer/app/legacy]
    severity: high
    requester: alice
    approvedBy: [bob]
    justification: The vendor appliance needs TLS 1.0 until its Q3 upgrade
    until: 2026-08-20
    compensatingControls:
      - description: WAF in front
        verification: aws wafv2 get-web-acl-for-resource
  - id: sandbox-accounts
    kind: risk-acceptance
    rule: aws-s3-public
    tag: { key: env, value: sandbox }
    severity: critical
    requester: alice
    approvedBy: [bob, carol]
    justification: Sandbox buckets hold synthetic data only, reviewed quarterly
    residualRisk: low
    from: 2026-06-01
    until: 2026-06-20
`;

describe("exceptions.yaml", () => {
  it("turns a valid file into approved exceptions that record the review and the commit", () => {
    const { records, issues } = lintExceptionsFile(valid, { policy, now, commit: "4f2a9c1" });
    expect(issues).toEqual([]);
    expect(records.map((record) => [record.origin, record.state, record.scope, record.targets])).toEqual([
      [
        { file: "exceptions.yaml", entryId: "legacy-tls", line: 3, commit: "4f2a9c1" },
        "active",
        "resource",
        [
          {
            ruleId: "aws-elb-tls10",
            resourceId: "arn:aws:elasticloadbalancing:eu-west-1:111:loadbalancer/app/legacy",
          },
        ],
      ],
      [
        { file: "exceptions.yaml", entryId: "sandbox-accounts", line: 14, commit: "4f2a9c1" },
        "active",
        { tag: { key: "env", value: "sandbox" } },
        [{ ruleId: "aws-s3-public", tag: { key: "env", value: "sandbox" } }],
      ],
    ]);
    expect(records[0]?.id).toMatch(/^exc_file_legacy-tls_[0-9a-f]{12}$/);
    expect(records[0]?.approvals).toEqual([
      {
        principal: "bob",
        at: now().toISOString(),
        comment: "approved in review of exceptions.yaml at commit 4f2a9c1",
      },
    ]);
    expect(records[1]?.requiredApprovals).toBe(2);
    expect(records[0]?.expiresAt).toBe("2026-08-20T00:00:00.000Z");
    // the same entry gives the same id on every run
    expect(lintExceptionsFile(valid, { policy, now }).records[0]?.id).toBe(records[0]?.id);
  });

  it("reports every problem with its file:line:column and field", () => {
    const text = `exceptions:
  - id: one
    rule: r1
    resources: [a]
    severity: critical
    requester: alice
    approvedBy: [alice, mallory]
    justification: too short
    until: 2027-06-01
  - id: one
    rule: r2
    accounts: ["111"]
    tag: { key: env, value: dev }
    severity: low
    requester: alice
    approvedBy: [bob]
    justification: A legitimate and reviewed business need
    until: not-a-date
`;
    const { records, issues } = lintExceptionsFile(text, { policy, now, filename: "ops/exceptions.yaml" });
    expect(records).toEqual([]);
    // the shape is checked first: these are the schema's issues
    expect(issues.map((issue) => [issue.location, issue.path.join(".")])).toEqual([
      ["ops/exceptions.yaml:18:12", "exceptions.1.until"],
    ]);
    const fixed = text.replace("not-a-date", "2026-07-01").replace("    tag: { key: env, value: dev }\n", "");
    expect(
      lintExceptionsFile(fixed, { policy, now, filename: "ops/exceptions.yaml" }).issues.map((issue) => [
        issue.location,
        issue.path.join("."),
        issue.message,
      ]),
    ).toEqual([
      [
        "ops/exceptions.yaml:7:18",
        "exceptions.0.approvedBy.0",
        '"alice" may not approve exceptions (approvers: approve:exception)',
      ],
      [
        "ops/exceptions.yaml:7:25",
        "exceptions.0.approvedBy.1",
        '"mallory" is not a principal declared in the policy',
      ],
      [
        "ops/exceptions.yaml:7:5",
        "exceptions.0.approvedBy",
        "a critical exception needs 2 distinct approvers",
      ],
      [
        "ops/exceptions.yaml:8:20",
        "exceptions.0.justification",
        "a business justification of at least 20 characters is required",
      ],
      [
        "ops/exceptions.yaml:9:12",
        "exceptions.0.until",
        "a critical exception may last at most 30 days (this one 365)",
      ],
      ["ops/exceptions.yaml:10:9", "exceptions.1.id", '"one" is declared twice'],
    ]);
  });

  it("finds syntax errors and duplicate keys, and warns of an entry past its end", () => {
    const broken = lintExceptionsFile("exceptions:\n  - id: a\n    id: b\n", { policy, now });
    expect(broken.issues[0]?.location).toBe("exceptions.yaml:3:5");
    expect(broken.issues[0]?.message).toMatch(/^YAML syntax: /);
    const expired = lintExceptionsFile(
      valid.replace("until: 2026-08-20", "from: 2026-01-01\n    until: 2026-03-01"),
      {
        policy,
        now,
      },
    );
    expect(expired.issues).toEqual([
      expect.objectContaining({
        level: "warning",
        location: "exceptions.yaml:11:12",
        message: "expired on 2026-03-01: remove the entry or renew it",
      }),
    ]);
    expect(expired.records).toHaveLength(2);
  });

  it("loadExceptionsFile throws an ExceptionError listing the errors with positions", async () => {
    const path = join(directory, "exceptions.yaml");
    writeFileSync(path, valid.replace("approvedBy: [bob]", "approvedBy: [alice]"));
    await expect(loadExceptionsFile(path, { policy, now })).rejects.toMatchObject({
      name: "ExceptionError",
      field: "exceptions.0.approvedBy.0",
      message: expect.stringContaining(`${path}:8:18 exceptions.0.approvedBy.0: "alice" may not approve`),
    });
    await expect(loadExceptionsFile(join(directory, "missing.yaml"), { policy, now })).rejects.toMatchObject({
      name: "ConfigurationError",
    });
  });

  it("syncs into the Store beside requested exceptions: suppresses, renews an edited entry, revokes a removed one, expires loudly", async () => {
    const store = memoryStore();
    const audit: AuditEvent[] = [];
    const options = {
      store,
      policy,
      now,
      audit: { append: async (event: AuditEvent) => void audit.push(event) },
    };
    const first = lintExceptionsFile(valid, { policy, now }).records;
    expect(await syncExceptionsFile(first, options)).toEqual({
      added: first.map((record) => record.id),
      revoked: [],
      unchanged: [],
    });
    expect(await syncExceptionsFile(first, options)).toEqual({
      added: [],
      revoked: [],
      unchanged: first.map((record) => record.id),
    });
    const stored: ExceptionRecord[] = [];
    for await (const record of listExceptions({ store })) stored.push(record);
    const finding = makeFinding({
      rule: { id: "aws-s3-public" },
      resource: { id: "bucket-1", accountId: "111", tags: { env: "sandbox" } },
    });
    expect(exceptionIndex(stored).match(finding, now())?.id).toBe(first[1]?.id);

    // the pull request extends one entry and deletes the other
    const edited = valid
      .replace("until: 2026-08-20", "until: 2026-08-30")
      .split("  - id: sandbox-accounts")[0] as string;
    const second = lintExceptionsFile(edited, { policy, now }).records;
    const result = await syncExceptionsFile(second, options);
    expect(result.added).toEqual([second[0]?.id]);
    expect(result.revoked.sort()).toEqual([first[0]?.id, first[1]?.id].sort());
    expect((await getException(second[0]?.id as string, { store }))?.renews).toBe(first[0]?.id);
    expect(await getException(first[1]?.id as string, { store })).toMatchObject({
      state: "revoked",
      endedBy: "exceptions.yaml",
    });
    expect(audit.map((event) => event.data.step)).toEqual([
      "file-added",
      "file-added",
      "file-added",
      "file-revoked",
      "file-revoked",
    ]);

    // the expiry sweep reminds and expires a file exception like any other
    const notices: ExceptionNotice[] = [];
    await sweepExceptions({
      ...options,
      now: () => new Date("2026-08-25T00:00:00Z"),
      onNotice: async (notice) => void notices.push(notice),
    });
    await sweepExceptions({
      ...options,
      now: () => new Date("2026-08-30T00:00:00Z"),
      onNotice: async (notice) => void notices.push(notice),
    });
    expect(notices.map((notice) => [notice.type, notice.exception.id])).toEqual([
      ["reminder", second[0]?.id],
      ["expired", second[0]?.id],
    ]);
  });
});
