import { describe, expect, it } from "vitest";
import { lacework } from "../../src/adapters/lacework/index.js";
import { orca } from "../../src/adapters/orca/index.js";
import { prisma } from "../../src/adapters/prisma/index.js";
import { wiz } from "../../src/adapters/wiz/index.js";
import { isCloudstewardError } from "../../src/core/errors.js";
import { findingId } from "../../src/core/finding.js";
import { collect, rejection, serveSandbox } from "./helpers.js";

const { sandbox } = serveSandbox({ seed: 11, size: 80, platforms: ["wiz", "prisma", "orca", "lacework"] });

const request = (id: string) => ({
  findingId: id,
  reason: "Risk accepted for the Q3 migration",
  expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  requestedBy: "ada@example.com",
  approvedBy: "grace@example.com",
});
const secret = "AKIAIOSFODNN7EXAMPLE";

describe("removeException and comment", () => {
  it("wiz: deletes the ignore rule (the finding is open again) and notes issues, secrets redacted", async () => {
    const source = wiz({ ...sandbox.wiz, rateLimit: false, allowWrite: true });
    const open = sandbox.estate.findings.filter(
      (finding) => finding.reportedBy.wiz && finding.status === "open",
    );
    const configuration = open.find((finding) => finding.wizKind === "configuration")!;
    const issue = open.find((finding) => finding.wizKind === "issue")!;
    const id = findingId("wiz", configuration.reportedBy.wiz!);
    const ref = await source.createException(request(id));
    expect((await source.getFinding(id))?.status).toBe("risk_accepted");
    await source.removeException(ref);
    expect((await source.getFinding(id))?.status).toBe("open");
    expect(sandbox.emulations.wiz.writes.at(-1)).toEqual({
      operation: "deleteIgnoreRule",
      input: { id: ref.id },
    });

    await source.comment!(findingId("wiz", issue.reportedBy.wiz!), `Approved by grace; key ${secret}`);
    const note = sandbox.emulations.wiz.writes.at(-1)!;
    expect(note.operation).toBe("createIssueNote");
    expect(note.input).toMatchObject({ issueId: issue.reportedBy.wiz });
    expect(String(note.input.text)).toMatch(/^Approved by grace; key \[REDACTED:/);
    const refused = await rejection(source.comment!(id, "a note on a configuration finding"));
    expect(isCloudstewardError(refused, "CONFIGURATION")).toBe(true);
    expect(refused.message).toMatch(/only issues take notes/);
  });

  it("prisma: reopening ends the snooze; there is no comment API", async () => {
    const source = prisma({ ...sandbox.prisma, rateLimit: false, allowWrite: true });
    const target = (await collect(source.findings({ status: ["open"] })))[0]!;
    const ref = await source.createException(request(target.id));
    expect((await source.getFinding(target.id))?.status).toBe("risk_accepted");
    await source.removeException(ref);
    expect((await source.getFinding(target.id))?.status).toBe("open");
    expect(source.capabilities.comment).toBe(false);
    expect("comment" in source).toBe(false);
  });

  it("orca: reopening ends the snooze, and comments land on the alert", async () => {
    const source = orca({ ...sandbox.orca, rateLimit: false, allowWrite: true });
    const target = (await collect(source.findings({ status: ["open"] })))[0]!;
    const ref = await source.createException(request(target.id));
    expect((await source.getFinding(target.id))?.status).toBe("risk_accepted");
    await source.removeException(ref);
    expect((await source.getFinding(target.id))?.status).toBe("open");
    await source.comment!(target.id, `Suggested by cloudsteward: approve with WAF. token=${secret}`);
    const write = sandbox.emulations.orca.writes.at(-1)!;
    expect(write.path).toMatch(/\/comment$/);
    expect(JSON.stringify(write.body)).not.toContain(secret);
  });

  it("lacework: deletes the policy exception by <policyId>/<exceptionId> and comments on alerts", async () => {
    const source = lacework({ ...sandbox.lacework, rateLimit: false, allowWrite: true });
    const target = (await collect(source.findings({ status: ["open"] })))[0]!;
    const ref = await source.createException(request(target.id));
    expect(ref.id).toMatch(new RegExp(`^${target.rule.id}/`));
    await source.removeException(ref);
    expect(sandbox.emulations.lacework.writes.at(-1)).toMatchObject({
      operation: "deletePolicyException",
      target: ref.id.slice(ref.id.lastIndexOf("/") + 1),
    });
    await expect(source.removeException(ref)).rejects.toThrow();
    await source.comment!(target.id, "Approved by grace");
    expect(sandbox.emulations.lacework.writes.at(-1)).toMatchObject({
      operation: "commentAlert",
      body: { comment: "Approved by grace" },
    });
  });

  it("refuses removeException and comment without allowWrite, sending nothing", async () => {
    const before = sandbox.emulations.orca.writes.length;
    const source = orca({ ...sandbox.orca, rateLimit: false });
    const error = await rejection(source.comment!("orca:any", "text"));
    expect(isCloudstewardError(error, "WRITE_DISABLED")).toBe(true);
    await expect(source.removeException({ id: "orca:any/snooze/3d" })).rejects.toThrow(/allowWrite/);
    expect(sandbox.emulations.orca.writes.length).toBe(before);
  });
});

describe("lacework anomaly alerts", () => {
  it("refuses an exception for an alert with no policy, sending nothing", async () => {
    const source = lacework({ ...sandbox.lacework, rateLimit: false, allowWrite: true });
    const anomaly = (await collect(source.findings())).find((finding) => !/-\d+$/.test(finding.rule.id))!;
    const before = sandbox.emulations.lacework.writes.length;
    const error = await rejection(source.createException(request(anomaly.id)));
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect(error.message).toMatch(/anomaly alert .* no policy to except/);
    expect(sandbox.emulations.lacework.writes.length).toBe(before);
  });
});
