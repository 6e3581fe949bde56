import { beforeEach, describe, expect, it } from "vitest";
import {
  decideException,
  type ExceptionNotice,
  exceptionIndex,
  exceptionNoticeNamespace,
  getException,
  listExceptions,
  requestException,
  sweepExceptions,
} from "../../../src/agents/exceptions/index.js";
import type { PolicyInput } from "../../../src/agents/policy/index.js";
import type { AuditEvent } from "../../../src/core/audit.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding, resetFactories } from "../../../src/testing/factories.js";

const dayMs = 86_400_000;
const start = Date.parse("2026-01-01T00:00:00Z");
const policy: PolicyInput = {
  principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }],
  exceptions: { reminderDays: [14, 3] },
};

function harness() {
  const store = memoryStore();
  let time = start;
  const audit: AuditEvent[] = [];
  const notices: ExceptionNotice[] = [];
  const options = {
    store,
    policy,
    now: () => new Date(time),
    audit: { append: async (event: AuditEvent) => audit.push(event) },
  };
  return {
    store,
    audit,
    notices,
    options,
    setTime: (next: number) => {
      time = next;
    },
  };
}

async function create(
  options: ReturnType<typeof harness>["options"],
  until: number,
  startsAt?: number,
): Promise<string> {
  const record = await requestException(
    {
      kind: "exception",
      findings: [makeFinding({ severity: "low" })],
      scope: "resource",
      requester: "alice",
      justification: "A legitimate and reviewed business need",
      requestedUntil: new Date(until).toISOString(),
      ...(startsAt === undefined ? {} : { startsAt: new Date(startsAt).toISOString() }),
    },
    options,
  );
  await decideException(record.id, { decision: "approve", principal: "bob" }, options);
  return record.id;
}

beforeEach(() => resetFactories());

describe("sweepExceptions", () => {
  it("activates at the start, reminds at the nearest threshold only, expires once after the notice", async () => {
    const { options, setTime, audit } = harness();
    const later = await create(options, start + 40 * dayMs, start + 2 * dayMs);
    const soon = await create(options, start + 5 * dayMs);
    const notices: ExceptionNotice[] = [];
    const sweep = () =>
      sweepExceptions({ ...options, onNotice: async (notice) => void notices.push(notice) });

    let result = await sweep();
    // 5 days left: the 14-day threshold is the nearest one due
    expect(result).toEqual({
      activated: [],
      reminded: [{ id: soon, daysLeft: 14 }],
      reviewed: [],
      expired: [],
      lapsed: [],
      failed: [],
    });
    setTime(start + 2 * dayMs);
    result = await sweep();
    expect(result.activated).toEqual([later]);
    expect(result.reminded).toEqual([{ id: soon, daysLeft: 3 }]);
    expect((await getException(later, options))?.state).toBe("active");

    setTime(start + 5 * dayMs);
    result = await sweep();
    expect(result.expired).toEqual([soon]);
    expect(await sweep()).toEqual({
      activated: [],
      reminded: [],
      reviewed: [],
      expired: [],
      lapsed: [],
      failed: [],
    });
    expect((await getException(soon, options))?.state).toBe("expired");
    expect(notices.map((notice) => [notice.type, notice.exception.id, notice.daysLeft])).toEqual([
      ["reminder", soon, 14],
      ["reminder", soon, 3],
      ["expired", soon, undefined],
    ]);
    expect(audit.filter((event) => event.data.exceptionId === soon).map((event) => event.data.step)).toEqual([
      "requested",
      "approved",
      "reminder-14",
      "reminder-3",
      "expired",
    ]);

    // a late sweep sends only the nearest reminder: 26 days → straight to 3 days left
    setTime(start + 37 * dayMs);
    result = await sweep();
    expect(result.reminded).toEqual([{ id: later, daysLeft: 3 }]);
  });

  it("marks a request never decided by its requested end expired, without a notice", async () => {
    const { options, setTime, audit } = harness();
    const record = await requestException(
      {
        kind: "exception",
        findings: [makeFinding({ severity: "low" })],
        scope: "resource",
        requester: "alice",
        justification: "A legitimate and reviewed business need",
        requestedUntil: new Date(start + 2 * dayMs).toISOString(),
      },
      options,
    );
    const onNotice = async () => {
      throw new Error("no notice expected");
    };
    expect((await sweepExceptions({ ...options, onNotice })).lapsed).toEqual([]);
    setTime(start + 2 * dayMs);
    expect(await sweepExceptions({ ...options, onNotice })).toEqual({
      activated: [],
      reminded: [],
      reviewed: [],
      expired: [],
      lapsed: [record.id],
      failed: [],
    });
    expect((await getException(record.id, options))?.state).toBe("expired");
    expect(audit.map((event) => event.data.step)).toEqual(["requested", "lapsed-undecided"]);
  });

  it("retries a notice whose delivery failed, and does not mark the exception expired before it is sent", async () => {
    const { options, setTime } = harness();
    const id = await create(options, start + dayMs);
    setTime(start + dayMs);
    const failing = await sweepExceptions({
      ...options,
      onNotice: async () => {
        throw new Error("chat is down");
      },
    });
    expect(failing.expired).toEqual([]);
    expect(failing.failed).toEqual([{ id, type: "expired", error: new Error("chat is down") }]);
    expect((await getException(id, options))?.state).toBe("active");
    // the finding resurfaces at the expiry whatever the sweep did
    const records = [];
    for await (const record of listExceptions(options)) records.push(record);
    expect(exceptionIndex(records).size).toBe(1);
    const delivered: ExceptionNotice[] = [];
    const retried = await sweepExceptions({
      ...options,
      onNotice: async (notice) => void delivered.push(notice),
    });
    expect(retried.expired).toEqual([id]);
    expect(delivered.map((notice) => notice.type)).toEqual(["expired"]);
  });

  it("takes over the claim of a worker that died mid-delivery once its lease has passed, and sends the notice once", async () => {
    const { options, setTime, store } = harness();
    const id = await create(options, start + dayMs);
    setTime(start + dayMs);
    // a worker claimed the expiry notice and died before delivering it
    await store.set(exceptionNoticeNamespace, `${id}:expired`, {
      state: "claimed",
      claimId: "dead-worker",
      leaseUntil: new Date(start + dayMs + 60_000).toISOString(),
    });
    const delivered: ExceptionNotice[] = [];
    const onNotice = async (notice: ExceptionNotice) => void delivered.push(notice);
    expect((await sweepExceptions({ ...options, onNotice })).expired).toEqual([]);
    expect((await getException(id, options))?.state).toBe("active");
    setTime(start + dayMs + 120_000);
    const results = await Promise.all([
      sweepExceptions({ ...options, onNotice }),
      sweepExceptions({ ...options, onNotice }),
    ]);
    expect(results.flatMap((result) => result.expired)).toEqual([id]);
    expect(delivered.map((notice) => [notice.type, notice.exception.id])).toEqual([["expired", id]]);
    expect(await sweepExceptions({ ...options, onNotice })).toEqual({
      activated: [],
      reminded: [],
      reviewed: [],
      expired: [],
      lapsed: [],
      failed: [],
    });
  });

  it("over a year of daily runs by two workers with 1,000 exceptions: 0 silent lapses, 0 duplicate reminders, every expiry resurfaced once", async () => {
    const { options, setTime, audit } = harness();
    const delivered: { notice: ExceptionNotice; at: number }[] = [];
    let attempts = 0;
    const onNotice = async (notice: ExceptionNotice) => {
      // one delivery in 97 fails and must be retried by a later sweep
      if (++attempts % 97 === 0) throw new Error("delivery failed");
      delivered.push({ notice, at: Date.parse(notice.at) });
    };
    const reopened = new Map<string, number>();
    const reopenTicket = async (exception: { id: string }) => {
      reopened.set(exception.id, (reopened.get(exception.id) ?? 0) + 1);
    };
    const created = new Map<string, { until: number; from: number }>();
    const revocations = new Map<number, string[]>(); // day → ids to revoke that day
    const revoked = new Set<string>();
    let failures = 0;
    for (let day = 0; day < 366; day++) {
      // five new exceptions a day for 200 days, one in four starting later, each ending by day ~326
      for (let slot = 0; slot < 5 && created.size < 1000; slot++) {
        const n = created.size;
        const from = start + day * dayMs + (slot + 1) * 3_600_000;
        const begins = n % 4 === 0 ? from + ((n % 5) + 1) * dayMs : from;
        const until = begins + (((n * 37) % 120) + 1) * dayMs + (n % 7) * 3_600_000;
        setTime(from);
        const id = await create(options, until, n % 4 === 0 ? begins : undefined);
        created.set(id, { until, from: begins });
        // one in fifty is revoked ten days into its life, if it still runs then
        if (n % 50 === 0 && until > begins + 10 * dayMs) {
          const revokeDay = Math.floor((begins + 10 * dayMs - start) / dayMs);
          revocations.set(revokeDay, [...(revocations.get(revokeDay) ?? []), id]);
        }
      }
      for (const id of revocations.get(day) ?? []) {
        await decideException(id, { decision: "revoke", principal: "alice" }, options);
        revoked.add(id);
      }
      setTime(start + (day + 1) * dayMs);
      const results = await Promise.all([
        sweepExceptions({ ...options, onNotice, reopenTicket }),
        sweepExceptions({ ...options, onNotice, reopenTicket }),
      ]);
      failures += results.reduce((sum, result) => sum + result.failed.length, 0);
    }
    const end = start + 366 * dayMs;
    expect(created.size).toBeGreaterThanOrEqual(1000);
    expect(failures).toBeGreaterThan(0);

    const seen = new Map<string, number>();
    for (const { notice } of delivered) {
      const key = `${notice.exception.id}:${notice.type}:${notice.daysLeft ?? ""}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, count]) => count > 1)).toEqual([]); // 0 duplicate notices

    let lapses = 0;
    // notices and expiry audit records by exception, gathered once
    const noticesOf = new Map<string, { notice: ExceptionNotice; at: number }[]>();
    for (const entry of delivered) {
      const id = entry.notice.exception.id;
      noticesOf.set(id, [...(noticesOf.get(id) ?? []), entry]);
    }
    const expiryAudits = new Map<unknown, number>();
    for (const event of audit) {
      if (event.data.step === "expired") {
        expiryAudits.set(event.data.exceptionId, (expiryAudits.get(event.data.exceptionId) ?? 0) + 1);
      }
    }
    for (const [id, { until }] of created) {
      const record = await getException(id, options);
      const expiries = (noticesOf.get(id) ?? []).filter(({ notice }) => notice.type === "expired");
      const reminders = (noticesOf.get(id) ?? []).filter(({ notice }) => notice.type === "reminder");
      if (revoked.has(id)) {
        expect(record?.state).toBe("revoked");
        expect(expiries).toEqual([]);
        expect(reopened.get(id)).toBeUndefined();
        continue;
      }
      expect(reopened.get(id)).toBe(1); // the ticket reopened once
      expect(until).toBeLessThan(end);
      if (record?.state !== "expired" || expiries.length !== 1) lapses++;
      // resurfaced at the first sweep after the expiry, or the one after when a delivery failed
      expect(expiries[0]?.at).toBeGreaterThanOrEqual(until);
      expect(expiries[0]?.at).toBeLessThan(until + 2 * dayMs);
      // reminded before it expired
      expect(reminders.length).toBeGreaterThan(0);
      expect(reminders.every(({ at }) => at < until)).toBe(true);
      expect(expiryAudits.get(id)).toBe(1);
    }
    expect(lapses).toBe(0);
  });
});
