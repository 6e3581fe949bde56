import { beforeEach, describe, expect, it } from "vitest";
import {
  applyExceptions,
  decideException,
  type ExceptionRecord,
  exceptionIndex,
  requestException,
} from "../../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createStageContext } from "../../../src/core/stage.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";

const now = new Date("2026-03-01T00:00:00Z");
const days = (count: number) => new Date(now.getTime() + count * 86_400_000);

function record(overrides: Partial<ExceptionRecord>): ExceptionRecord {
  return {
    id: "exc_1",
    kind: "exception",
    state: "active",
    scope: "resource",
    targets: [],
    findingIds: [],
    severity: "high",
    requester: "alice",
    justification: "a business need",
    compensatingControls: [],
    requestedAt: now.toISOString(),
    startsAt: now.toISOString(),
    expiresAt: days(30).toISOString(),
    requiredApprovals: 1,
    approvals: [{ principal: "bob", at: now.toISOString() }],
    ...overrides,
  };
}

const finding = (ruleId: string, resourceId: string, accountId: string, tags: Record<string, string> = {}) =>
  makeFinding({ rule: { id: ruleId }, resource: { id: resourceId, accountId, tags } });

beforeEach(() => resetFactories());

describe("exceptionIndex", () => {
  const index = exceptionIndex([
    record({ id: "exc_resource", targets: [{ ruleId: "r1", resourceId: "bucket-a" }] }),
    record({ id: "exc_account", scope: "rule-on-account", targets: [{ ruleId: "r2", accountId: "111" }] }),
    record({
      id: "exc_tag",
      scope: { tag: { key: "app", value: "legacy" } },
      targets: [{ ruleId: "r3", tag: { key: "app", value: "legacy" } }],
    }),
    record({
      id: "exc_later",
      state: "approved",
      startsAt: days(10).toISOString(),
      targets: [{ ruleId: "r4", resourceId: "x" }],
    }),
    record({ id: "exc_requested", state: "requested", targets: [{ ruleId: "r5", resourceId: "x" }] }),
    record({ id: "exc_revoked", state: "revoked", targets: [{ ruleId: "r6", resourceId: "x" }] }),
  ]);

  it("holds only approved and active exceptions", () => {
    expect(index.size).toBe(4);
  });

  it("matches each scope by the rule and its resource, account or tag", () => {
    expect(index.match(finding("r1", "bucket-a", "999"), now)?.id).toBe("exc_resource");
    expect(index.match(finding("r1", "bucket-b", "999"), now)).toBeUndefined();
    expect(index.match(finding("r2", "anything", "111"), now)?.id).toBe("exc_account");
    expect(index.match(finding("r2", "anything", "222"), now)).toBeUndefined();
    expect(index.match(finding("r3", "vm", "1", { team: "a", app: "legacy" }), now)?.id).toBe("exc_tag");
    expect(index.match(finding("r3", "vm", "1", { app: "modern" }), now)).toBeUndefined();
    // another rule on the same resource is not covered
    expect(index.match(finding("r9", "bucket-a", "111", { app: "legacy" }), now)).toBeUndefined();
  });

  it("matches only from the start to the expiry, whatever the stored state says", () => {
    expect(index.match(finding("r4", "x", "1"), now)).toBeUndefined();
    expect(index.match(finding("r4", "x", "1"), days(10))?.id).toBe("exc_later");
    expect(index.match(finding("r1", "bucket-a", "999"), days(30))).toBeUndefined();
    expect(index.match(finding("r5", "x", "1"), now)).toBeUndefined();
    expect(index.match(finding("r6", "x", "1"), now)).toBeUndefined();
  });
});

describe("applyExceptions", () => {
  const policy: PolicyInput = { principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }] };

  async function run(findings: Finding[], store: ReturnType<typeof memoryStore>) {
    const events: AuditEvent[] = [];
    const context = createStageContext({
      store,
      now: () => now,
      audit: { append: async (event: AuditEvent) => events.push(event) },
    });
    const passed: Finding[] = [];
    async function* source() {
      yield* findings;
    }
    for await (const item of applyExceptions().run(source(), context)) passed.push(item);
    return { passed, events, warnings: context.report.warnings };
  }

  it("withholds covered findings with an audit record naming the exception, and passes the rest", async () => {
    const store = memoryStore();
    const options = { store, policy, now: () => now };
    const covered = [finding("s3-public", "bucket-a", "111"), finding("s3-public", "bucket-b", "111")];
    const other = finding("s3-public", "bucket-c", "111");
    const exception = await requestException(
      {
        kind: "exception",
        findings: covered,
        scope: "resource",
        requester: "alice",
        justification: "Public website assets, reviewed by the web team",
        requestedUntil: days(30).toISOString(),
      },
      options,
    );
    // requested, not yet approved: nothing is withheld
    expect((await run([...covered, other], store)).passed).toHaveLength(3);

    await decideException(exception.id, { decision: "approve", principal: "bob" }, options);
    const { passed, events, warnings } = await run([...covered, other], store);
    expect(passed).toEqual([other]);
    expect(events).toEqual([
      {
        type: "suppression",
        at: now.toISOString(),
        actor: "cloudsteward/exceptions",
        findingIds: covered.map((item) => item.id),
        data: { exceptionId: exception.id, kind: "exception", expiresAt: days(30).toISOString() },
      },
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        feature: "exceptions.suppressed",
        details: { total: 2, byException: { [exception.id]: 2 } },
      }),
    ]);

    await decideException(exception.id, { decision: "revoke", principal: "alice" }, options);
    expect((await run([...covered, other], store)).passed).toHaveLength(3);
  });
});
