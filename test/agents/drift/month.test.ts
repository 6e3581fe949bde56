/**
 * A simulated month of drift over the sandbox estate: every six hours people change resources
 * (console, API, IaC), the job detects, decides and executes, a named human approves or rejects what
 * waits, some fixes silently fail (and are rolled back), and one run in seven is killed mid-way and
 * re-run. The targets are counted at the end.
 */
import { describe, expect, it } from "vitest";
import {
  approvedBaselines,
  baselinesFromSnapshot,
  knowledgeBaselines,
} from "../../../src/agents/drift/baseline.js";
import { changeSignals, detectDrift } from "../../../src/agents/drift/detect.js";
import {
  type DriftFix,
  type DriftRemediationOptions,
  driftRemediation,
} from "../../../src/agents/drift/remediate.js";
import { auditLog } from "../../../src/audit/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { mulberry32 } from "../../../src/testing/estate.js";
import { driftEstate } from "../../../src/testing/sandbox/drift.js";
import { captureSink, driftPolicy, driftResources } from "./helpers.js";

/** What people change, per resource type: the path and the drifted value. */
const changes: Record<string, [path: string, value: unknown][]> = {
  "aws.s3.bucket": [
    ["publicAccessBlock.BlockPublicAcls", false],
    ["encryption.enabled", false],
    ["logging.enabled", false],
    ["versioning", { enabled: false }],
  ],
  "aws.kms.key": [["KeyRotationEnabled", false]],
  "aws.ec2.security-group": [["sshOpenToWorld", true]],
  "aws.iam.role": [["attachedPolicies.admin", true]],
};
const hour = 3_600_000;

describe("a simulated month of drift", () => {
  it("executes nothing sensitive without a human, verifies or rolls back every fix, and never runs one twice", async () => {
    const random = mulberry32(19);
    const estate = driftEstate({ resources: driftResources(4) });
    const initial = new Map(estate.snapshots().map((resource) => [resource.id, resource]));
    const store = memoryStore();
    const audit = auditLog(store);
    const baselines = approvedBaselines(store, { now: () => estate.now() });
    await baselines.approve(baselinesFromSnapshot(estate.snapshots()), { approvedBy: "alice" });
    await baselines.approve(knowledgeBaselines(), { approvedBy: "alice" });
    const tickets = captureSink();
    const options: DriftRemediationOptions = {
      policy: driftPolicy,
      store,
      audit,
      automationPrincipal: "drift-bot",
      remediators: estate.remediators,
      choose: (_playbook, drift) => ({
        route: drift.environment === "production" ? "pipeline" : "native",
        format: "terraform",
      }),
      read: (id) => estate.read(id),
      rollback: (fix) => estate.restore(fix.drift.resourceId),
      sinks: { tickets },
      now: () => estate.now(),
      sleep: async (ms) => estate.advance(ms),
    };
    const job = driftRemediation(options);
    const resources = estate.snapshots();
    let kills = 0;

    for (let poll = 0; poll < 30 * 4; poll++) {
      // People change things.
      const count = Math.floor(random() * 3);
      for (let index = 0; index < count; index++) {
        const resource = resources[Math.floor(random() * resources.length)]!;
        const options = changes[resource.type]!;
        const [path, value] = options[Math.floor(random() * options.length)]!;
        const via = (["console", "api", "iac"] as const)[Math.floor(random() * 3)]!;
        const platform = (["prisma", "wiz", "lacework"] as const)[poll % 3]!;
        estate.change(resource.id, path, value, { actor: `user-${Math.floor(random() * 5)}`, via, platform });
        // One change in eight lands on a resource whose fixes will silently fail.
        if (random() < 0.125) estate.stuck(resource.id, true);
      }
      const drifts = detectDrift(estate.snapshots(), await baselines.index(), {
        signals: changeSignals(estate.findings()),
        now: () => estate.now(),
      });
      await job.handle(drifts);
      // A named human decides what waits: four in five approved.
      for await (const request of job.approvals.list({ state: "requested" })) {
        if (random() < 0.8) await job.approvals.approve(request.id, { principal: "alice" });
        else await job.approvals.reject(request.id, { principal: "alice" });
      }
      if (poll % 7 === 3) {
        const controller = new AbortController();
        const killed = driftRemediation({
          ...options,
          sleep: async () => controller.abort(new Error("killed")),
        });
        try {
          await killed.execute({ signal: controller.signal });
        } catch {
          kills++;
        }
      }
      await job.execute();
      // People clean up what the job could not: rolled-back, rejected and ticketed drift is put back by hand.
      for await (const fix of job.list()) {
        if (fix.state === "rolled-back" || fix.state === "rejected" || fix.state === "ticketed") {
          const resource = await estate.read(fix.drift.resourceId);
          const attribute = fix.drift.path.split(".")[0]!;
          if (
            resource &&
            !sameJson(resource.attributes[attribute], initial.get(resource.id)?.attributes[attribute])
          ) {
            estate.stuck(resource.id, false);
            estate.change(
              resource.id,
              attribute,
              structuredClone(initial.get(resource.id)?.attributes[attribute]),
              {
                actor: "alice",
                via: "console",
              },
            );
          }
        }
      }
      estate.advance(6 * hour);
    }

    const fixes: DriftFix[] = [];
    for await (const fix of job.list()) fixes.push(fix);
    const byCase = new Map<string, number>();
    for (const call of estate.calls()) byCase.set(call.caseId, (byCase.get(call.caseId) ?? 0) + 1);
    const duplicates = [...byCase.values()].filter((calls) => calls > 1).length;

    // Every execution of a production, IAM or network change was approved by a named human.
    let sensitiveWithoutHuman = 0;
    let sensitiveExecuted = 0;
    const history = new Map<string, string | undefined>();
    for await (const request of job.approvals.list()) history.set(request.action.case.id, request.decidedBy);
    for (const call of estate.calls()) {
      const resource = initial.get(call.resourceId)!;
      const sensitive =
        resource.environment === "production" ||
        resource.type === "aws.iam.role" ||
        resource.type === "aws.ec2.security-group";
      if (!sensitive) continue;
      sensitiveExecuted++;
      if (history.get(call.caseId) !== "alice") sensitiveWithoutHuman++;
    }

    // Every executed fix, each occurrence, ended verified or rolled back (from the audit log).
    const executed = new Set<string>();
    const settled = new Set<string>();
    const verified = new Set<string>();
    // Fixes no human approved: the policy marked them automatic and drift-bot approved them.
    const automatic = new Map<string, string>();
    for await (const record of audit.query({})) {
      const caseId = record.event.caseId ?? "";
      const data = record.event.data ?? {};
      if (record.event.type === "drift.executed") {
        executed.add(caseId);
        if (data.approvedBy !== "alice") automatic.set(caseId, String(data.resourceId));
      }
      if (record.event.type === "drift.verified") verified.add(caseId);
      if (record.event.type === "drift.verified" || record.event.type === "drift.rolled-back")
        settled.add(caseId);
    }
    const automaticSensitive = [...automatic.values()].filter((id) => {
      const resource = initial.get(id)!;
      return (
        resource.environment === "production" || !["aws.s3.bucket", "aws.kms.key"].includes(resource.type)
      );
    });
    const automaticVerified = [...automatic.keys()].filter((caseId) => verified.has(caseId));
    expect(executed.size).toBe(byCase.size);
    expect((await audit.verify()).ok).toBe(true);

    const decisions = new Set(fixes.map((fix) => fix.decision));
    const states = new Set(fixes.map((fix) => fix.state));
    console.info(
      `month: ${estate.findings().length} changes, ${estate.calls().length} fixes executed (${settled.size} verified or rolled back) (${sensitiveExecuted} production/IAM/network), ${automatic.size} automatic (${automaticVerified.length} verified), ${kills} killed runs, decisions ${[...decisions].join("/")}, end states ${[...states].join("/")}`,
    );
    // Automatic fixes ran with no human, every one approved by drift-bot, none sensitive, and were verified.
    expect(automatic.size).toBeGreaterThan(0);
    expect(new Set([...automatic.keys()].map((caseId) => history.get(caseId)))).toEqual(
      new Set(["drift-bot"]),
    );
    expect(automaticSensitive).toEqual([]);
    expect(automaticVerified.length).toBeGreaterThan(0);
    expect([...automatic.keys()].filter((caseId) => !settled.has(caseId))).toEqual([]);
    expect(sensitiveExecuted).toBeGreaterThan(0);
    expect(sensitiveWithoutHuman).toBe(0);
    expect(executed.size).toBeGreaterThan(0);
    expect([...executed].filter((caseId) => !settled.has(caseId))).toEqual([]);
    expect(duplicates).toBe(0);
    expect(kills).toBeGreaterThan(0);
    expect(decisions).toEqual(new Set(["automatic", "approval", "ticket"]));
    expect(states.has("rolled-back")).toBe(true);
  });
});

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
