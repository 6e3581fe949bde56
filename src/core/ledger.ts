/**
 * The ticket ledger: idempotency key → external reference, kept in the Store so that two workers
 * never both create, plus the claim → search → create → record protocol every sink shares and the
 * sink builders on it ({@link ledgerSink}, {@link ticketSink}).
 */
import type { Action } from "./action.js";
import { type CaseChange, type CaseSnapshot, diffCase, snapshotCase } from "./case-change.js";
import { DeliveryError, isAbortError, isCloudstewardError } from "./errors.js";
import type { Delivery } from "./events.js";
import { stableHash } from "./fingerprint.js";
import { memoryStore } from "./memory-store.js";
import type { Sink } from "./sink.js";
import type { Store } from "./store.js";

/** A reference to the object a sink created: a Jira issue key, a ServiceNow sys_id, a Slack message. */
export interface ExternalRef {
  id: string;
  url?: string;
}

/**
 * One ledger entry. `pending` is a claim held under a lease by a live worker; `uncertain` means a
 * create may have gone through without anyone knowing (a lost response, a 5xx, an abort, a worker
 * that died mid-create) and waits to be settled by a search after `settleAt`; `done` holds the reference.
 */
export interface LedgerEntry {
  state: "pending" | "uncertain" | "done";
  /** The idempotency key the entry is for. */
  key: string;
  ref?: ExternalRef;
  /**
   * The case the action was for, written when a delivery creates, finds or updates the object; absent
   * on entries filled from the remote system only (reconciliation), until the action is delivered again.
   */
  caseId?: string;
  /** When the entry was last written (ISO-8601); for a `pending` claim, its last lease renewal. */
  updatedAt: string;
  /** A random id of the claim's holder. */
  claimId?: string;
  /** `pending`: the claim may be taken over after this moment unless its holder renews it. */
  leaseUntil?: string;
  /** `pending`: when the holder sent (or was about to send) its create; absent while it only searches. */
  attemptedAt?: string;
  /**
   * An earlier create may have gone through: only a search made after this moment can say it did not.
   * Until then nothing is created again.
   */
  settleAt?: string;
  /** Why the entry is uncertain (the error of the ambiguous create). */
  reason?: string;
  /** Written by versions before leases: read as `uncertain` with `settleAt` = `updatedAt`. */
  interrupted?: boolean;
  /** What the case looked like when last delivered, to tell what changed. */
  snapshot?: CaseSnapshot;
}

/** The ledger of one sink, in the Store namespace `ledger:<sink>`. */
export interface TicketLedger {
  readonly sink: string;
  readonly store: Store;
  /** The entry for an idempotency key. */
  get(key: string): Promise<LedgerEntry | undefined>;
  /** Records a reference (used by reconciliation and by sinks after a create). */
  record(key: string, ref: ExternalRef, snapshot?: CaseSnapshot): Promise<void>;
  /** Every entry, in tracking-id order. */
  entries(): AsyncIterable<{ trackingId: string; entry: LedgerEntry }>;
  /**
   * True once the ledger was filled from the remote system ({@link reconcile}, or a ticket sink's first
   * delivery), so a key it has no entry for had no earlier attempt and is created without a search.
   */
  seeded(): Promise<boolean>;
  /** Marks the ledger as filled from the remote system (namespace `ledger-seeded`, key = the sink). */
  markSeeded(): Promise<void>;
}

/** Options of {@link deliverOnce} (and of the sinks built on it). */
export interface TicketLedgerOptions {
  /**
   * The lease of a claim: a live worker renews it (every third of it) while its search and create are
   * in flight; a claim not renewed for this long belongs to a dead worker and is taken over. @default 15_000
   */
  claimTtlMs?: number;
  /**
   * How long a search can lag behind a create (Jira Cloud: "a few seconds to minutes"). After an
   * ambiguous create nothing is created again until a search made this long afterwards finds nothing;
   * until then the entry stays `uncertain` and deliveries fail with a retryable, `safeToRetry` error.
   * @default 120_000
   */
  settleMs?: number;
  /**
   * Search before every create, even when the ledger proves there was no earlier attempt (one more
   * request per new ticket). For a store restored from a backup, or shared by unseeded writers.
   * @default false
   */
  searchBeforeCreate?: boolean;
  /** The clock, in milliseconds since the epoch; tests pass a controllable one. @default Date.now */
  now?: () => number;
}

/** The namespace of the "seeded" markers, one per sink. */
const seededNamespace = "ledger-seeded";

/**
 * Opens the ledger of one sink over a Store.
 * @example
 * const ledger = ticketLedger(store, "jira");
 * const entry = await ledger.get(action.idempotencyKey);
 */
export function ticketLedger(store: Store, sink: string): TicketLedger {
  const namespace = `ledger:${sink}`;
  let seeded = false;
  return {
    sink,
    store,
    get: (key) => store.get<LedgerEntry>(namespace, trackingId(key)),
    record: (key, ref, snapshot) =>
      store.set<LedgerEntry>(namespace, trackingId(key), {
        state: "done",
        key,
        ref,
        snapshot,
        updatedAt: new Date().toISOString(),
      }),
    async *entries() {
      for await (const { key, value } of store.list<LedgerEntry>(namespace))
        yield { trackingId: key, entry: value };
    },
    async seeded() {
      seeded ||= (await store.get<{ at: string }>(seededNamespace, sink)) !== undefined;
      return seeded;
    },
    async markSeeded() {
      await store.set(seededNamespace, sink, { at: new Date().toISOString() });
      seeded = true;
    },
  };
}

/**
 * The id a sink writes into the remote system (a Jira label `cs-<id>`, a ServiceNow `correlation_id`):
 * the idempotency key itself when it is short and uses only letters, digits, `.`, `_` and `-`,
 * otherwise a stable hash of it, so it never needs quoting and fits every field.
 */
export function trackingId(key: string): string {
  return /^[A-Za-z0-9._-]{1,64}$/.test(key) ? key : stableHash(key);
}

/** What a sink does for {@link deliverOnce}; all calls receive the delivery's signal. */
export interface DeliveryOperations {
  /** Finds the object a previous delivery created (search-before-create); omit when the system has no search. */
  find?(signal: AbortSignal | undefined): Promise<ExternalRef | undefined>;
  /** Creates the object. */
  create(signal: AbortSignal | undefined): Promise<ExternalRef>;
  /** Applies a change of the case to the object (a comment, a transition); omit to report `unchanged`. */
  update?(ref: ExternalRef, change: CaseChange, signal: AbortSignal | undefined): Promise<void>;
}

/**
 * Delivers an action exactly once per idempotency key (docs/sinks.md, ADR 0006):
 *
 * - a **fresh claim** (`setIfAbsent`, no entry before, ledger seeded) creates at once, without a search;
 * - a claim taken over from a dead worker (its lease ran out) or from an `uncertain` entry searches
 *   first, and creates only when a search made after the entry's settle window finds nothing;
 * - an ambiguous create (timeout, connection error, 5xx, abort) leaves the entry `uncertain`: the
 *   next delivery after `settleMs` settles it. A create is never retried blindly.
 *
 * The holder renews its claim's lease while its requests are in flight.
 * @throws DeliveryError with the cause; `isRetryable` when trying later may succeed, `safeToRetry`
 * when trying again cannot make a second object, `retryAfterMs` when it is worth waiting.
 */
export async function deliverOnce(
  ledger: TicketLedger,
  action: Action,
  operations: DeliveryOperations,
  options: TicketLedgerOptions & { signal?: AbortSignal } = {},
): Promise<Delivery> {
  const { signal } = options;
  const key = action.idempotencyKey;
  const namespace = `ledger:${ledger.sink}`;
  const id = trackingId(key);
  const clock = options.now ?? Date.now;
  const ttl = options.claimTtlMs ?? 15_000;
  const settleMs = options.settleMs ?? 120_000;
  const searchable = operations.find !== undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  const fail = (
    message: string,
    cause: unknown,
    details: { isRetryable?: boolean; safeToRetry: boolean; retryAfterMs?: number; uncertain?: boolean },
  ) =>
    new DeliveryError(`${ledger.sink}: ${message} (key ${key})`, {
      sink: ledger.sink,
      key,
      cause,
      isRetryable: details.isRetryable ?? (isCloudstewardError(cause) ? cause.isRetryable : false),
      safeToRetry: details.safeToRetry,
      retryAfterMs: details.retryAfterMs,
      uncertain: details.uncertain,
    });

  for (let round = 0; round < 3; round++) {
    signal?.throwIfAborted();
    const entry = await ledger.store.get<LedgerEntry>(namespace, id);
    if (entry?.state === "done" && entry.ref) return applyChange(entry, entry.ref);
    const at = clock();
    const claimFields = { key, claimId: crypto.randomUUID(), leaseUntil: iso(at + ttl), updatedAt: iso(at) };

    if (entry === undefined) {
      // No earlier attempt, as far as a seeded ledger can tell: create without searching.
      const direct = !searchable || (!options.searchBeforeCreate && (await ledger.seeded()));
      const claim: LedgerEntry = {
        state: "pending",
        ...claimFields,
        ...(direct ? { attemptedAt: iso(at) } : {}),
      };
      if (!(await ledger.store.setIfAbsent(namespace, id, claim))) continue;
      return holdClaim(claim, { search: !direct });
    }

    // Someone else's claim or an uncertain entry.
    const leaseEnd = entry.state === "pending" ? leaseEndOf(entry, ttl) : 0;
    if (entry.state === "pending" && !entry.interrupted && leaseEnd > at) {
      throw fail(
        `another worker is delivering this action (its lease runs until ${iso(leaseEnd)}); retry later`,
        undefined,
        { isRetryable: true, safeToRetry: true, retryAfterMs: leaseEnd - at },
      );
    }
    // When a search can first be trusted to show whatever an earlier holder may have created.
    const settleAt = settleAtOf(entry, leaseEnd, settleMs);
    const claim: LedgerEntry = {
      state: "pending",
      ...claimFields,
      ...(settleAt > 0 ? { settleAt: iso(settleAt) } : {}),
      ...(entry.reason ? { reason: entry.reason } : {}),
    };
    if (!(await ledger.store.compareAndSet(namespace, id, entry, claim))) continue;
    return holdClaim(claim, { search: searchable });
  }
  throw fail("the ledger entry kept changing under concurrent deliveries; retry later", undefined, {
    isRetryable: true,
    safeToRetry: true,
  });

  /** Works under a claim we hold: search when needed, create, record; renews the lease meanwhile. */
  async function holdClaim(initial: LedgerEntry, plan: { search: boolean }): Promise<Delivery> {
    let current = initial;
    let lost = false;
    let writing: Promise<unknown> = Promise.resolve();
    /** Replaces our claim with `next` (serialized with the lease renewals); false when it was taken over. */
    const write = (build: (entry: LedgerEntry) => LedgerEntry | undefined): Promise<boolean> => {
      const result = writing.then(async () => {
        if (lost) return false;
        const next = build(current);
        const ok =
          next === undefined
            ? (await ledger.store.get<LedgerEntry>(namespace, id))?.claimId === current.claimId &&
              (await ledger.store.delete(namespace, id))
            : await ledger.store.compareAndSet(namespace, id, current, next);
        if (!ok) lost = true;
        else if (next) current = next;
        return ok;
      });
      writing = result.catch(() => undefined);
      return result;
    };
    const renew = () =>
      write((entry) => ({ ...entry, leaseUntil: iso(clock() + ttl), updatedAt: iso(clock()) }));
    const timer = setInterval(() => void renew().catch(() => undefined), Math.max(1, ttl / 3));
    timer.unref?.();
    const stop = async () => {
      clearInterval(timer);
      await writing;
    };

    const finish = async (ref: ExternalRef, status: Delivery["status"]): Promise<Delivery> => {
      await stop();
      const done: LedgerEntry = {
        state: "done",
        key,
        ref,
        caseId: action.case.id,
        snapshot: snapshotCase(action.case),
        updatedAt: iso(clock()),
      };
      if (await write(() => done)) return { key, status, ref, safeToRetry: true };
      // Our lease ran out and another delivery holds the entry now: settle it with what we know.
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = await ledger.store.get<LedgerEntry>(namespace, id);
        if (now?.state === "done" && now.ref)
          return { key, status: "unchanged", ref: now.ref, safeToRetry: true };
        if (await ledger.store.compareAndSet(namespace, id, now, done))
          return { key, status, ref, safeToRetry: true };
      }
      return { key, status, ref, safeToRetry: true };
    };
    /** Leaves the entry `uncertain` (nobody holds it); a later delivery settles it after `settleAt`. */
    const leaveUncertain = async (settleAt: number, reason: string) => {
      await stop();
      await write((entry) => ({
        state: "uncertain",
        key,
        updatedAt: iso(clock()),
        settleAt: iso(settleAt),
        reason,
        ...(entry.snapshot ? { snapshot: entry.snapshot } : {}),
      }));
    };

    // Errors thrown on purpose, after the entry was left as it should be.
    const final = new WeakSet<object>();
    const finalError = (error: DeliveryError) => {
      final.add(error);
      return error;
    };
    // The settle deadline of an earlier create nobody could settle yet.
    let inherited = current.settleAt ? Date.parse(current.settleAt) : undefined;
    let search = plan.search;
    let ambiguous = false;
    let recreates = 1;
    try {
      for (;;) {
        if (search && operations.find) {
          const found = await operations.find(signal);
          if (found) return await finish(found, ambiguous ? "created" : "unchanged");
          if (inherited !== undefined && clock() < inherited) {
            await leaveUncertain(inherited, current.reason ?? "an earlier create may have gone through");
            throw finalError(
              fail(
                `an earlier create may have gone through and the search may lag behind it; nothing is created before ${iso(inherited)}, when a later delivery settles it`,
                undefined,
                { isRetryable: true, safeToRetry: true, retryAfterMs: inherited - clock(), uncertain: true },
              ),
            );
          }
        }
        // Nothing can have been created so far, or the search after the settle window found nothing.
        if (current.attemptedAt === undefined || inherited !== undefined) {
          const stamped = await write((entry) => ({
            ...omit(entry, "settleAt", "reason"),
            attemptedAt: iso(clock()),
          }));
          if (!stamped) {
            throw finalError(
              fail("another delivery took this action over; retry later", undefined, {
                isRetryable: true,
                safeToRetry: true,
              }),
            );
          }
          inherited = undefined;
        }
        try {
          return await finish(await operations.create(signal), "created");
        } catch (error) {
          const aborted = isAbortError(error) || signal?.aborted === true;
          if (!aborted && !isAmbiguous(error)) throw error;
          // The create may have gone through: only a search `settleMs` from now can say it did not.
          const settleAt = clock() + settleMs;
          const reason = errorSummary(error);
          if (aborted) {
            await leaveUncertain(settleAt, reason).catch(() => undefined);
            if (typeof error === "object" && error !== null) final.add(error);
            throw error;
          }
          if (!operations.find) {
            await leaveUncertain(clock(), reason);
            throw finalError(
              fail(
                `${reason}; the create may have gone through and this sink cannot search, so the next delivery sends again (at least once)`,
                error,
                { isRetryable: true, safeToRetry: false, uncertain: true },
              ),
            );
          }
          ambiguous = true;
          inherited = settleAt;
          await write((entry) => ({ ...entry, settleAt: iso(settleAt), reason }));
          search = true;
          // With no settle window (a consistent search) look and try once more at once.
          if (settleMs <= 0 && recreates-- > 0) continue;
          const found = await operations.find(signal);
          if (found) return await finish(found, "created");
          await leaveUncertain(settleAt, reason);
          throw finalError(
            fail(
              `${reason}; the create may have gone through, so nothing is created again before ${iso(settleAt)}, when a later delivery settles it by a search`,
              error,
              {
                isRetryable: true,
                safeToRetry: true,
                retryAfterMs: Math.max(0, settleAt - clock()),
                uncertain: true,
              },
            ),
          );
        }
      }
    } catch (error) {
      if (final.has(error as object)) throw error;
      await stop();
      if (inherited !== undefined) {
        // An earlier create is still unsettled: keep the entry uncertain rather than release it.
        await leaveUncertain(inherited, current.reason ?? errorSummary(error)).catch(() => undefined);
      } else if (!lost) {
        // Nothing was created (a 400, a 401, a failed search…): release our claim.
        await write(() => undefined).catch(() => undefined);
      }
      if (isAbortError(error) || signal?.aborted) throw error;
      throw fail(errorSummary(error), error, {
        safeToRetry: true,
        ...(inherited !== undefined ? { uncertain: true } : {}),
      });
    } finally {
      clearInterval(timer);
    }
  }

  async function applyChange(entry: LedgerEntry, ref: ExternalRef): Promise<Delivery> {
    const change = entry.snapshot ? diffCase(entry.snapshot, action.case) : undefined;
    const caseId = action.case.id;
    if (!change || !operations.update) {
      if (!entry.snapshot || entry.caseId !== caseId) {
        const snapshot = entry.snapshot ?? snapshotCase(action.case);
        await ledger.store.compareAndSet(namespace, id, entry, {
          ...entry,
          snapshot,
          caseId,
          updatedAt: now(),
        });
      }
      return { key, status: "unchanged", ref, safeToRetry: true };
    }
    // Claim the change first, so two workers never both comment; put it back if the update fails.
    const next: LedgerEntry = { ...entry, caseId, snapshot: snapshotCase(action.case), updatedAt: now() };
    if (!(await ledger.store.compareAndSet(namespace, id, entry, next)))
      return { key, status: "unchanged", ref, safeToRetry: true };
    try {
      await operations.update(ref, change, signal);
    } catch (error) {
      await ledger.store.compareAndSet(namespace, id, next, entry);
      if (isAbortError(error) || signal?.aborted) throw error;
      // A comment whose answer was lost may have been posted: a retry may post it twice.
      throw fail(`updating ${ref.id} failed: ${errorSummary(error)}`, error, {
        safeToRetry: !isAmbiguous(error),
      });
    }
    return { key, status: "updated", ref, safeToRetry: true };
  }
}

/** A sink that delivers through a {@link TicketLedger}, which it exposes for reading and repair. */
export interface LedgerSink extends Sink {
  readonly ledger: TicketLedger;
}

/**
 * Builds a sink that delivers every action through {@link deliverOnce}, with the operations
 * `operationsFor` returns for that action, and keeps its ledger in `store`.
 * @example
 * const sink = ledgerSink("teams", options.store, (action) => ({ create: (signal) => post(action, signal) }));
 */
export function ledgerSink(
  name: string,
  store: Store | undefined,
  operationsFor: (action: Action) => DeliveryOperations,
  options: TicketLedgerOptions = {},
): LedgerSink {
  const ledger = ticketLedger(store ?? memoryStore(), name);
  return {
    specificationVersion: "v1",
    name,
    ledger,
    deliver: (action, { signal } = {}) =>
      deliverOnce(ledger, action, operationsFor(action), { ...options, signal }),
    async close() {},
  };
}

/** A ticket's status in its own system, for two-way sync into the case. */
export interface TicketStatus {
  /** The idempotency key. */
  key: string;
  ref: ExternalRef;
  /** `done` when Jira's `statusCategory` is done or the ServiceNow state is resolved/closed/canceled. */
  state: "open" | "in_progress" | "done";
  /** The system's own status name or state value. */
  nativeStatus: string;
  /** Jira resolution or ServiceNow close code, when set. */
  resolution?: string;
  updatedAt?: string;
  /**
   * Who made the last status change, as the system names them: the Jira account id of the author of
   * the latest status change, the ServiceNow user name in the sink's `decidedBy` column. Absent when
   * the system does not say.
   */
  changedBy?: string;
}

/** A sink whose remote system can list what it created, so {@link reconcile} can repair its ledger. */
export interface ReconcilableSink extends LedgerSink {
  /** Every object this sink created, as `cs-<tracking id>` markers map back to ledger entries. */
  listTracked(options?: { signal?: AbortSignal }): AsyncIterable<{ trackingId: string; ref: ExternalRef }>;
}

/** A ticketing sink that reads its ticket's status back, for two-way sync into the case (Jira, ServiceNow). */
export interface SyncableSink extends ReconcilableSink {
  /** The ticket's status for an idempotency key, or `undefined` when no ticket exists. */
  readStatus(key: string, options?: { signal?: AbortSignal }): Promise<TicketStatus | undefined>;
}

/** What a ticketing system does for {@link ticketSink}; every call receives the caller's signal. */
export interface TicketOperations {
  /** Finds the ticket created for an idempotency key (by its `cs-<tracking id>` marker). */
  find(key: string, signal?: AbortSignal): Promise<ExternalRef | undefined>;
  /** Creates the ticket of an action. */
  create(action: Action, signal?: AbortSignal): Promise<ExternalRef>;
  /** Applies a change of the case to its ticket (a comment, a field update, a transition). */
  update(action: Action, ref: ExternalRef, change: CaseChange, signal?: AbortSignal): Promise<void>;
  /** Reads the status of the ticket with this id. */
  status(id: string, signal?: AbortSignal): Promise<Omit<TicketStatus, "key">>;
  /** Every ticket this sink created, see {@link ReconcilableSink.listTracked}. */
  listTracked: ReconcilableSink["listTracked"];
}

/**
 * The ledger options out of a ticket sink's options (store, claim lease, settle window, search mode,
 * clock), with the sink's own default settle window — how long its remote search may lag.
 * @example
 * ticketSink("jira", ledgerOptionsOf(options, 120_000), tickets);
 */
export function ledgerOptionsOf(
  options: TicketLedgerOptions & { store?: Store },
  defaultSettleMs: number,
): TicketLedgerOptions & { store?: Store } {
  return {
    settleMs: options.settleMs ?? defaultSettleMs,
    ...(options.store ? { store: options.store } : {}),
    ...(options.claimTtlMs !== undefined ? { claimTtlMs: options.claimTtlMs } : {}),
    ...(options.searchBeforeCreate !== undefined ? { searchBeforeCreate: options.searchBeforeCreate } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}

/**
 * Builds a ticketing sink (Jira, ServiceNow): exactly-once delivery through {@link deliverOnce}, and
 * status read back through the ledger's reference, else a search. Before its first delivery over a
 * ledger never filled from the remote system, it lists what the sink created there (`listTracked`)
 * into the ledger, once per store; from then on a new ticket costs one request (the create), and a
 * search is made only after an ambiguous failure or when taking over another worker's claim.
 * @example
 * const sink = ticketSink("jira", { store, settleMs: 120_000 }, { find, create, update, status, listTracked });
 */
export function ticketSink(
  name: string,
  storeOrOptions: Store | (TicketLedgerOptions & { store?: Store }) | undefined,
  tickets: TicketOperations,
): SyncableSink {
  const { store, ...options } =
    storeOrOptions === undefined || "specificationVersion" in storeOrOptions
      ? { store: storeOrOptions as Store | undefined }
      : storeOrOptions;
  const sink = ledgerSink(
    name,
    store,
    (action) => ({
      find: (signal) => tickets.find(action.idempotencyKey, signal),
      create: (signal) => tickets.create(action, signal),
      update: (ref, change, signal) => tickets.update(action, ref, change, signal),
    }),
    options,
  );
  let seeding: Promise<void> | undefined;
  const seed = async (signal?: AbortSignal) => {
    if (options.searchBeforeCreate || (await sink.ledger.seeded())) return;
    seeding ??= seedLedger(sink.ledger, tickets.listTracked, signal).finally(() => {
      seeding = undefined;
    });
    await seeding;
  };
  return {
    ...sink,
    async deliver(action, call = {}) {
      await seed(call.signal).catch((error: unknown) => {
        if (isAbortError(error) || call.signal?.aborted) throw error;
        throw new DeliveryError(
          `${name}: listing what the sink created, to fill a new ledger, failed: ${errorSummary(error)} (key ${action.idempotencyKey})`,
          {
            sink: name,
            key: action.idempotencyKey,
            cause: error,
            safeToRetry: true,
            isRetryable: isCloudstewardError(error) && error.isRetryable,
          },
        );
      });
      return sink.deliver(action, call);
    },
    async readStatus(key, { signal } = {}) {
      const id = (await sink.ledger.get(key))?.ref?.id ?? (await tickets.find(key, signal))?.id;
      return id ? { key, ...(await tickets.status(id, signal)) } : undefined;
    },
    listTracked: tickets.listTracked,
  };
}

/** What {@link reconcile} found and repaired. */
export interface ReconcileReport {
  /** Remote objects seen. */
  scanned: number;
  /** Ledger entries written because they were missing, pending or uncertain. */
  repaired: number;
  /** Tracking ids with more than one remote object (duplicates made before the ledger existed). */
  duplicates: { trackingId: string; refs: ExternalRef[] }[];
  /** Ledger entries whose remote object no longer exists. */
  missing: { trackingId: string; ref: ExternalRef }[];
  /**
   * Entries still `uncertain` (or pending under a lapsed lease) that no listed object settles: the
   * next delivery of each searches, and creates once its settle window has passed.
   */
  uncertain: { trackingId: string; key: string; settleAt?: string }[];
}

/**
 * Repairs a sink's ledger from the remote system: records objects the ledger lost, settles
 * uncertain claims whose object exists, reports duplicates, deleted objects and the claims still
 * uncertain, and marks the ledger seeded.
 * @example
 * const report = await reconcile(jira({ projectKey: "SEC", store }));
 */
export async function reconcile(
  sink: ReconcilableSink,
  options: { signal?: AbortSignal } = {},
): Promise<ReconcileReport> {
  const { seen, repaired } = await absorb(sink.ledger, sink.listTracked, options.signal, true);
  const missing: ReconcileReport["missing"] = [];
  const uncertain: ReconcileReport["uncertain"] = [];
  for await (const { trackingId: id, entry } of sink.ledger.entries()) {
    if (entry.state === "done" && entry.ref && !seen.has(id))
      missing.push({ trackingId: id, ref: entry.ref });
    if (entry.state !== "done" && !seen.has(id))
      uncertain.push({
        trackingId: id,
        key: entry.key,
        ...(entry.settleAt ? { settleAt: entry.settleAt } : {}),
      });
  }
  await sink.ledger.markSeeded();
  const duplicates = [...seen]
    .filter(([, refs]) => refs.length > 1)
    .map(([id, refs]) => ({ trackingId: id, refs }));
  return {
    scanned: [...seen.values()].reduce((sum, refs) => sum + refs.length, 0),
    repaired,
    duplicates,
    missing,
    uncertain,
  };
}

/** Fills a ledger from the remote system before its first delivery, then marks it seeded. */
async function seedLedger(
  ledger: TicketLedger,
  listTracked: ReconcilableSink["listTracked"],
  signal: AbortSignal | undefined,
): Promise<void> {
  await absorb(ledger, listTracked, signal, false);
  await ledger.markSeeded();
}

/**
 * Records every listed object the ledger lacks. With `settle`, also settles entries that are not
 * `done` (the object exists, whatever its claim says); without, it never touches an existing entry.
 */
async function absorb(
  ledger: TicketLedger,
  listTracked: ReconcilableSink["listTracked"],
  signal: AbortSignal | undefined,
  settle: boolean,
): Promise<{ seen: Map<string, ExternalRef[]>; repaired: number }> {
  const namespace = `ledger:${ledger.sink}`;
  const seen = new Map<string, ExternalRef[]>();
  let repaired = 0;
  for await (const { trackingId: id, ref } of listTracked({ signal })) {
    const refs = seen.get(id) ?? [];
    refs.push(ref);
    seen.set(id, refs);
    if (refs.length > 1) continue;
    const entry = await ledger.store.get<LedgerEntry>(namespace, id);
    if (entry?.state === "done") continue;
    const done: LedgerEntry = { state: "done", key: entry?.key ?? id, ref, updatedAt: now() };
    const written =
      entry === undefined
        ? await ledger.store.setIfAbsent(namespace, id, done)
        : settle && (await ledger.store.compareAndSet(namespace, id, entry, done));
    if (written) repaired++;
  }
  return { seen, repaired };
}

/** True for failures after which a create may or may not have happened. */
export function isAmbiguous(error: unknown): boolean {
  if (!isCloudstewardError(error)) return false;
  if (error.code === "TIMEOUT" || error.code === "CONNECTION") return true;
  const status = (error as { status?: unknown }).status;
  return error.code === "UPSTREAM" && typeof status === "number" && status >= 500;
}

function errorSummary(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function now(): string {
  return new Date().toISOString();
}

/** When the lease of a `pending` claim runs out (claims written before leases: `updatedAt` + the TTL). */
function leaseEndOf(entry: LedgerEntry, ttl: number): number {
  return entry.leaseUntil ? Date.parse(entry.leaseUntil) : Date.parse(entry.updatedAt) + ttl;
}

/**
 * When a search can first be trusted to show what the holder of `entry` may have created: its own
 * `settleAt`; for a dead worker's claim that had sent a create, the end of its lease plus the window.
 */
function settleAtOf(entry: LedgerEntry, leaseEnd: number, settleMs: number): number {
  const own = entry.settleAt ? Date.parse(entry.settleAt) : 0;
  if (entry.state === "uncertain") return own || Date.parse(entry.updatedAt) + settleMs;
  if (entry.interrupted) return Math.max(own, Date.parse(entry.updatedAt) + settleMs);
  // A claim from before leases may have been creating; a leased one only when it says so.
  const created = entry.attemptedAt !== undefined || entry.leaseUntil === undefined;
  return Math.max(own, created ? leaseEnd + settleMs : 0);
}

function omit<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}
