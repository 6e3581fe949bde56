import { describe, expect, it } from "vitest";
import { ConnectionError, isCloudstewardError, UpstreamError } from "../../src/core/errors.js";
import {
  type DeliveryOperations,
  deliverOnce,
  type ExternalRef,
  isAmbiguous,
  type LedgerEntry,
  ledgerSink,
  reconcile,
  type TicketOperations,
  ticketLedger,
  ticketSink,
  trackingId,
} from "../../src/core/ledger.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { makeAction, makeCase, makeFinding } from "../../src/testing/factories.js";

/** A fake remote system: creates are recorded, `find` sees them, faults are scripted per call. */
function remote(script: { createFails?: unknown[]; findable?: boolean } = {}) {
  const objects: ExternalRef[] = [];
  const calls = { find: 0, create: 0, update: 0 };
  const failures = [...(script.createFails ?? [])];
  const operations: DeliveryOperations = {
    find: async () => {
      calls.find++;
      return objects[0];
    },
    create: async () => {
      calls.create++;
      const failure = failures.shift();
      if (failure === "after-create") {
        objects.push({ id: `T-${objects.length + 1}` });
        throw new UpstreamError("boom", { integration: "fake", status: 502, method: "POST", url: "/" });
      }
      if (failure) throw failure;
      const ref = { id: `T-${objects.length + 1}` };
      objects.push(ref);
      return ref;
    },
    update: async () => {
      calls.update++;
    },
  };
  if (script.findable === false) delete operations.find;
  return { objects, calls, operations };
}

const connectionError = () => new ConnectionError("reset", { integration: "fake" });

describe("ticket ledger", () => {
  it("uses safe keys as tracking ids and hashes the rest", () => {
    expect(trackingId("case-1.ticket_A")).toBe("case-1.ticket_A");
    expect(trackingId("case:rule=wiz:x|owner=a")).toMatch(/^[0-9a-f]{24}$/);
    expect(trackingId("case:rule=wiz:x|owner=a")).toBe(trackingId("case:rule=wiz:x|owner=a"));
  });

  it("searches before creating and records the reference", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const { calls, operations } = remote();
    const action = makeAction();
    expect(await deliverOnce(ledger, action, operations)).toMatchObject({
      status: "created",
      ref: { id: "T-1" },
    });
    expect(calls).toEqual({ find: 1, create: 1, update: 0 });
    expect(await ledger.get(action.idempotencyKey)).toMatchObject({ state: "done", ref: { id: "T-1" } });
    expect(await deliverOnce(ledger, action, operations)).toMatchObject({ status: "unchanged" });
    expect(calls.find).toBe(1);
  });

  it("lets only one of two concurrent workers create; the other is told to retry", async () => {
    const store = memoryStore();
    const { objects, operations } = remote();
    const action = makeAction();
    const results = await Promise.allSettled([
      deliverOnce(ticketLedger(store, "fake"), action, operations),
      deliverOnce(ticketLedger(store, "fake"), action, operations),
    ]);
    expect(objects).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected");
    if (rejected?.status === "rejected") {
      expect(isCloudstewardError(rejected.reason, "DELIVERY")).toBe(true);
      expect(rejected.reason.isRetryable).toBe(true);
    }
  });

  it("searches after an ambiguous create failure instead of creating again", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const { objects, calls, operations } = remote({ createFails: ["after-create"] });
    expect(await deliverOnce(ledger, makeAction(), operations)).toMatchObject({
      status: "created",
      ref: { id: "T-1" },
    });
    expect(objects).toHaveLength(1);
    expect(calls).toMatchObject({ create: 1, find: 2 });
  });

  it("with no settle window (a consistent search), tries once more when the search after an ambiguous failure finds nothing", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const { objects, calls, operations } = remote({ createFails: [connectionError()] });
    expect((await deliverOnce(ledger, makeAction(), operations, { settleMs: 0 })).status).toBe("created");
    expect(objects).toHaveLength(1);
    expect(calls.create).toBe(2);
  });

  it("never creates again within the settle window after an ambiguous failure; a later delivery settles it", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const clock = () => now;
    const ledger = ticketLedger(memoryStore(), "fake");
    const action = makeAction();
    const { objects, calls, operations } = remote({ createFails: [connectionError()] });
    const options = { settleMs: 60_000, now: clock };
    const error = await deliverOnce(ledger, action, operations, options).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: "DELIVERY", uncertain: true, safeToRetry: true, isRetryable: true });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(60_000);
    expect(await ledger.get(action.idempotencyKey)).toMatchObject({ state: "uncertain" });
    now += 30_000;
    await expect(deliverOnce(ledger, action, operations, options)).rejects.toMatchObject({ uncertain: true });
    expect(calls.create).toBe(1);
    now += 30_000;
    expect(await deliverOnce(ledger, action, operations, options)).toMatchObject({
      status: "created",
      safeToRetry: true,
    });
    expect(objects).toHaveLength(1);
    expect(calls).toMatchObject({ create: 2, find: 4 });
  });

  it("creates a fresh claim of a seeded ledger without searching", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    await ledger.markSeeded();
    const { calls, operations } = remote();
    expect(await deliverOnce(ledger, makeAction(), operations)).toMatchObject({
      status: "created",
      safeToRetry: true,
    });
    expect(calls).toEqual({ find: 0, create: 1, update: 0 });
    const other = remote();
    await deliverOnce(ledger, makeAction({ idempotencyKey: "k2" }), other.operations, {
      searchBeforeCreate: true,
    });
    expect(other.calls).toEqual({ find: 1, create: 1, update: 0 });
  });

  it("marks the claim uncertain on abort, so the next delivery searches first and does not duplicate", async () => {
    const store = memoryStore();
    const ledger = ticketLedger(store, "fake");
    const action = makeAction();
    const controller = new AbortController();
    const { objects, operations } = remote();
    const aborting: DeliveryOperations = {
      ...operations,
      create: async (signal) => {
        await operations.create(signal);
        controller.abort(new DOMException("killed", "AbortError"));
        throw controller.signal.reason;
      },
    };
    await expect(deliverOnce(ledger, action, aborting, { signal: controller.signal })).rejects.toThrow(
      "killed",
    );
    expect(await ledger.get(action.idempotencyKey)).toMatchObject({ state: "uncertain" });
    expect(await deliverOnce(ledger, action, operations)).toMatchObject({
      status: "unchanged",
      ref: { id: "T-1" },
    });
    expect(objects).toHaveLength(1);
  });

  it("releases the claim on a definite failure, so a later delivery creates", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const action = makeAction();
    const bad = new UpstreamError("nope", {
      integration: "fake",
      status: 400,
      method: "POST",
      url: "/",
      isRetryable: false,
    });
    const { operations } = remote({ createFails: [bad] });
    const error = await deliverOnce(ledger, action, operations).catch((failure: unknown) => failure);
    expect(isCloudstewardError(error, "DELIVERY")).toBe(true);
    expect((error as Error).cause).toBe(bad);
    expect((error as Error).message).toContain(action.idempotencyKey);
    expect(await ledger.get(action.idempotencyKey)).toBeUndefined();
    expect((await deliverOnce(ledger, action, operations)).status).toBe("created");
  });

  it("releases the claim when the search before the create fails (nothing was sent)", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const action = makeAction();
    const { calls, operations } = remote();
    const failingSearch = { ...operations, find: async () => Promise.reject(connectionError()) };
    const error = await deliverOnce(ledger, action, failingSearch).catch((failure: unknown) => failure);
    expect((error as { isRetryable: boolean }).isRetryable).toBe(true);
    expect((error as Error).message).not.toContain("may have gone through");
    expect(calls.create).toBe(0);
    expect(await ledger.get(action.idempotencyKey)).toBeUndefined();
  });

  it("takes over a stale claim left by a dead worker", async () => {
    const store = memoryStore();
    const ledger = ticketLedger(store, "fake");
    const action = makeAction();
    const stale: LedgerEntry = {
      state: "pending",
      key: action.idempotencyKey,
      updatedAt: "2020-01-01T00:00:00.000Z",
      claimId: "dead",
    };
    await store.set("ledger:fake", trackingId(action.idempotencyKey), stale);
    const { operations } = remote();
    expect((await deliverOnce(ledger, action, operations)).status).toBe("created");
    const fresh: LedgerEntry = { ...stale, updatedAt: new Date().toISOString() };
    const other = makeAction({ idempotencyKey: "other" });
    await store.set("ledger:fake", trackingId("other"), { ...fresh, key: "other" });
    const error = await deliverOnce(ledger, other, operations).catch((failure: unknown) => failure);
    expect((error as Error).message).toContain("another worker");
    expect(error).toMatchObject({ safeToRetry: true, isRetryable: true });
  });

  it("renews a live claim's lease while its create is in flight, and takes a dead worker's claim over in seconds", async () => {
    const store = memoryStore();
    const action = makeAction();
    const { objects, operations } = remote();
    let release: () => void = () => {};
    const slow: DeliveryOperations = {
      ...operations,
      create: async (signal) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return operations.create(signal);
      },
    };
    const ledger = ticketLedger(store, "fake");
    await ledger.markSeeded();
    // A lease long enough that a loaded machine (a process descheduled for a few hundred ms) cannot
    // starve the renewals, which run every third of it.
    const lease = { claimTtlMs: 600 };
    const first = deliverOnce(ledger, action, slow, lease);
    await new Promise((resolve) => setTimeout(resolve, 1_900));
    // Three lease lengths later the holder is still alive: its renewed claim is not taken over.
    await expect(deliverOnce(ledger, action, operations, lease)).rejects.toThrow("another worker");
    release();
    expect((await first).status).toBe("created");
    expect(objects).toHaveLength(1);

    // A worker that died mid-create (its lease no longer renewed) is taken over once the lease and the
    // settle window have passed; the search finds its ticket.
    const dead = makeAction({ idempotencyKey: "dead-worker" });
    const deadRemote = remote();
    const now = Date.now();
    await store.set<LedgerEntry>("ledger:fake", trackingId("dead-worker"), {
      state: "pending",
      key: "dead-worker",
      claimId: "dead",
      updatedAt: new Date(now - 20_000).toISOString(),
      leaseUntil: new Date(now - 5_000).toISOString(),
      attemptedAt: new Date(now - 20_000).toISOString(),
    });
    await expect(
      deliverOnce(ledger, dead, deadRemote.operations, { settleMs: 10_000 }),
    ).rejects.toMatchObject({
      uncertain: true,
    });
    expect(deadRemote.calls).toMatchObject({ find: 1, create: 0 });
    // Its create shows up in the search: the next delivery settles the entry with it.
    deadRemote.objects.push({ id: "T-dead" });
    const settled = await deliverOnce(ledger, dead, deadRemote.operations, { settleMs: 10_000 });
    expect(settled).toMatchObject({ status: "unchanged", ref: { id: "T-dead" } });
  });

  it("without search, re-sends after an ambiguous failure (at-least-once) and says so", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const action = makeAction();
    const { objects, operations } = remote({ createFails: ["after-create"], findable: false });
    const error = await deliverOnce(ledger, action, operations).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ isRetryable: true, safeToRetry: false, uncertain: true });
    expect(await ledger.get(action.idempotencyKey)).toMatchObject({ state: "uncertain" });
    await deliverOnce(ledger, action, operations);
    expect(objects).toHaveLength(2);
  });

  it("reports `updated` once per change and puts the snapshot back when the update fails", async () => {
    const ledger = ticketLedger(memoryStore(), "fake");
    const key = "changing";
    const { calls, operations } = remote();
    await deliverOnce(
      ledger,
      makeAction({ case: makeCase({ findings: [makeFinding({ id: "a" })] }), idempotencyKey: key }),
      operations,
    );
    const changed = makeAction({
      case: makeCase({ findings: [makeFinding({ id: "a" }), makeFinding({ id: "b" })] }),
      idempotencyKey: key,
    });
    const failing = { ...operations, update: async () => Promise.reject(connectionError()) };
    await expect(deliverOnce(ledger, changed, failing)).rejects.toThrow(/updating T-1 failed/);
    expect((await deliverOnce(ledger, changed, operations)).status).toBe("updated");
    expect((await deliverOnce(ledger, changed, operations)).status).toBe("unchanged");
    expect(calls.update).toBe(1);
  });

  it("classifies ambiguous failures", () => {
    expect(isAmbiguous(connectionError())).toBe(true);
    expect(
      isAmbiguous(new UpstreamError("x", { integration: "f", status: 503, method: "POST", url: "/" })),
    ).toBe(true);
    expect(
      isAmbiguous(new UpstreamError("x", { integration: "f", status: 200, method: "POST", url: "/" })),
    ).toBe(false);
    expect(isAmbiguous(new Error("plain"))).toBe(false);
  });
});

describe("sink builders", () => {
  it("ledgerSink delivers each action once through the ledger in the given store, with the caller's signal", async () => {
    const store = memoryStore();
    const seen: { key: string; signal: AbortSignal | undefined }[] = [];
    const sink = ledgerSink("fake", store, (action) => ({
      create: async (signal) => {
        seen.push({ key: action.idempotencyKey, signal });
        return { id: `T-${seen.length}` };
      },
    }));
    const action = makeAction();
    const controller = new AbortController();
    expect(sink.name).toBe("fake");
    expect(await sink.deliver(action, { signal: controller.signal })).toMatchObject({
      status: "created",
      ref: { id: "T-1" },
    });
    expect(await sink.deliver(action)).toMatchObject({ status: "unchanged", ref: { id: "T-1" } });
    expect(seen).toEqual([{ key: action.idempotencyKey, signal: controller.signal }]);
    expect(await ticketLedger(store, "fake").get(action.idempotencyKey)).toMatchObject({ state: "done" });
    await sink.close?.();
    await sink.close?.();
  });

  it("ticketSink searches by key before creating and reads status from the ledger's reference, else a search", async () => {
    const tickets: ExternalRef[] = [];
    const calls: string[] = [];
    const operations: TicketOperations = {
      find: async (key) => {
        calls.push(`find ${key}`);
        return tickets.find((ticket) => ticket.id === `T-${key}`);
      },
      create: async (action) => {
        calls.push(`create ${action.idempotencyKey}`);
        const ref = { id: `T-${action.idempotencyKey}` };
        tickets.push(ref);
        return ref;
      },
      update: async () => {},
      status: async (id) => ({ ref: { id }, state: "in_progress", nativeStatus: "doing" }),
      listTracked: async function* () {
        for (const ref of tickets) yield { trackingId: ref.id.slice(2), ref };
      },
    };
    const store = memoryStore();
    const sink = ticketSink("fake", store, operations);
    await sink.deliver(makeAction({ idempotencyKey: "k1" }));
    // The new ledger is filled from the remote system once; a fresh claim then creates without a search.
    expect(calls).toEqual(["create k1"]);
    expect(await sink.ledger.seeded()).toBe(true);

    calls.length = 0;
    expect(await sink.readStatus("k1")).toEqual({
      key: "k1",
      ref: { id: "T-k1" },
      state: "in_progress",
      nativeStatus: "doing",
    });
    expect(calls).toEqual([]);

    // A second sink over an empty store finds the ticket by search, and nothing for an unknown key.
    const fresh = ticketSink("fake", memoryStore(), operations);
    expect(await fresh.readStatus("k1")).toMatchObject({ key: "k1", ref: { id: "T-k1" } });
    expect(await fresh.readStatus("k2")).toBeUndefined();
    expect(calls).toEqual(["find k1", "find k2"]);
    expect(await reconcile(fresh)).toMatchObject({ scanned: 1, repaired: 1 });
    expect(await fresh.ledger.get("k1")).toMatchObject({ state: "done", ref: { id: "T-k1" } });
  });
});
