import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  decideException,
  type ExceptionNotice,
  type ExceptionRecord,
  getException,
  requestException,
  sweepExceptions,
} from "../../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { Store } from "../../../src/core/store.js";
import { sqliteStore } from "../../../src/stores/sqlite.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";

const dayMs = 86_400_000;
const start = Date.parse("2026-03-01T00:00:00Z");
const policy: PolicyInput = {
  principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }],
  exceptions: { reminderDays: [14, 3], reReviewDays: 30 },
};
const directory = mkdtempSync(join(tmpdir(), "cloudsteward-expiry-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
beforeEach(() => resetFactories());

/** A clock, an audit trail, and what the sweeps delivered. */
function rig() {
  let time = start;
  const audit: AuditEvent[] = [];
  const notices: ExceptionNotice[] = [];
  const reopened: { id: string; comment: string }[] = [];
  return {
    audit,
    notices,
    reopened,
    now: () => new Date(time),
    setTime: (next: number) => {
      time = next;
    },
    sweepOptions: (store: Store) => ({
      store,
      policy,
      now: () => new Date(time),
      audit: { append: async (event: AuditEvent) => void audit.push(event) },
      onNotice: async (notice: ExceptionNotice) => void notices.push(notice),
      reopenTicket: async (exception: ExceptionRecord, comment: string) =>
        void reopened.push({ id: exception.id, comment }),
    }),
  };
}

async function approved(
  store: Store,
  now: () => Date,
  kind: "exception" | "risk-acceptance",
  days: number,
): Promise<string> {
  const options = { store, policy, now };
  const record = await requestException(
    {
      kind,
      findings: [makeFinding({ severity: "low" })],
      scope: "resource",
      requester: "alice",
      justification: "A legitimate and reviewed business need",
      requestedUntil: new Date(now().getTime() + days * dayMs).toISOString(),
      ...(kind === "risk-acceptance" ? { residualRisk: "low" as const } : {}),
    },
    options,
  );
  await decideException(record.id, { decision: "approve", principal: "bob" }, options);
  return record.id;
}

describe("expiry sweep", () => {
  it("re-reviews a risk acceptance once per reReviewDays period and reopens its ticket then and at the expiry, once each", async () => {
    const { notices, reopened, audit, now, setTime, sweepOptions } = rig();
    const store = memoryStore();
    const id = await approved(store, now, "risk-acceptance", 100);
    const plain = await approved(store, now, "exception", 100);
    for (let day = 1; day <= 101; day++) {
      setTime(start + day * dayMs);
      await Promise.all([sweepExceptions(sweepOptions(store)), sweepExceptions(sweepOptions(store))]);
    }
    const reviews = notices.filter((notice) => notice.type === "re-review");
    expect(reviews.map((notice) => [notice.exception.id, notice.period, notice.at])).toEqual([
      [id, 1, new Date(start + 30 * dayMs).toISOString()],
      [id, 2, new Date(start + 60 * dayMs).toISOString()],
      [id, 3, new Date(start + 90 * dayMs).toISOString()],
    ]);
    expect(reviews[0]?.recipients).toEqual(["alice", "bob"]);
    // both expire in the same sweep, in no particular order
    expect(reopened.map((entry) => entry.id).sort()).toEqual([id, id, id, id, plain].sort());
    expect(reopened[0]?.comment).toMatch(/re-review \(period 1, every 30 days\)/);
    expect(reopened.find((entry) => entry.id === plain)?.comment).toMatch(
      /expired at .*its findings count again/,
    );
    expect((await getException(id, { store }))?.state).toBe("expired");
    expect(audit.filter((event) => event.data.exceptionId === id).map((event) => event.data.step)).toEqual([
      "re-review-1",
      "ticket-reopened-re-review:1",
      "re-review-2",
      "ticket-reopened-re-review:2",
      "reminder-14",
      "re-review-3",
      "ticket-reopened-re-review:3",
      "reminder-3",
      "expired",
      "ticket-reopened-expired",
    ]);
  });

  it("retries a failed ticket reopening and marks the exception expired only once it is done", async () => {
    const { notices, now, setTime, sweepOptions } = rig();
    const store = memoryStore();
    const id = await approved(store, now, "exception", 10);
    setTime(start + 10 * dayMs);
    const failing = await sweepExceptions({
      ...sweepOptions(store),
      reopenTicket: async () => {
        throw new Error("ServiceNow is down");
      },
    });
    expect(failing.failed).toEqual([{ id, type: "reopen", error: new Error("ServiceNow is down") }]);
    expect((await getException(id, { store }))?.state).toBe("active");
    setTime(start + 11 * dayMs);
    expect((await sweepExceptions(sweepOptions(store))).expired).toEqual([id]);
    // the expiry notice went out once, before the failed reopening, and was not repeated
    expect(notices.filter((notice) => notice.type === "expired")).toHaveLength(1);
  });

  it("ends a revoked exception at once: no reminder or expiry notice afterwards", async () => {
    const { notices, now, setTime, sweepOptions } = rig();
    const store = memoryStore();
    const id = await approved(store, now, "exception", 20);
    await decideException(id, { decision: "revoke", principal: "bob" }, { store, policy, now });
    for (let day = 1; day <= 21; day++) {
      setTime(start + day * dayMs);
      await sweepExceptions(sweepOptions(store));
    }
    expect(notices).toEqual([]);
    expect((await getException(id, { store }))?.state).toBe("revoked");
  });

  it("reads only the exceptions that are due", async () => {
    const { now, setTime, sweepOptions } = rig();
    const inner = memoryStore();
    const due = await approved(inner, now, "exception", 2);
    for (let n = 0; n < 50; n++) await approved(inner, now, "exception", 200);
    const read = new Set<string>();
    const store: Store = {
      ...inner,
      get: (namespace, key) => {
        if (namespace === "exceptions") read.add(key);
        return inner.get(namespace, key);
      },
    };
    setTime(start + dayMs);
    const result = await sweepExceptions(sweepOptions(store));
    expect(result.reminded).toEqual([{ id: due, daysLeft: 3 }]);
    expect([...read]).toEqual([due]);
  });

  it("two workers on one SQLite file, restarted halfway through: every notice and reopening exactly once", async () => {
    const { notices, reopened, setTime, sweepOptions, now } = rig();
    const path = join(directory, "sweep.db");
    let workers = [sqliteStore({ path }), sqliteStore({ path })];
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) {
      setTime(start + n * 3_600_000);
      ids.push(await approved(workers[n % 2] as Store, now, n % 2 ? "exception" : "risk-acceptance", 40 + n));
    }
    for (let day = 1; day <= 70; day++) {
      if (day === 35) {
        // a restart: both processes go away and come back on the same file
        for (const worker of workers) await worker.close();
        workers = [sqliteStore({ path }), sqliteStore({ path })];
      }
      setTime(start + day * dayMs);
      await Promise.all(workers.map((worker) => sweepExceptions(sweepOptions(worker))));
    }
    const counts = new Map<string, number>();
    for (const notice of notices) {
      const key = `${notice.exception.id}:${notice.type}:${notice.daysLeft ?? notice.period ?? ""}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const id of ids) {
      expect(counts.get(`${id}:expired:`)).toBe(1);
      expect(counts.get(`${id}:reminder:14`)).toBe(1);
      expect(counts.get(`${id}:reminder:3`)).toBe(1);
      expect((await getException(id, { store: workers[0] as Store }))?.state).toBe("expired");
    }
    // risk acceptances (even n, 40–58 days) get one re-review at day 30; exceptions none
    expect(notices.filter((notice) => notice.type === "re-review")).toHaveLength(10);
    expect(reopened).toHaveLength(30); // 20 expiries + 10 re-reviews
    expect(new Set(reopened.map((entry) => `${entry.id}:${entry.comment}`)).size).toBe(30);
    for (const worker of workers) await worker.close();
  });
});
