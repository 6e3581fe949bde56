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

/** One ledger entry. `pending` is a claim taken before a create; `done` holds the reference. */
export interface LedgerEntry {
  state: "pending" | "done";
  /** The idempotency key the entry is for. */
  key: string;
  ref?: ExternalRef;
  /** When the claim was taken or the entry last written (ISO-8601). */
  updatedAt: string;
  /** A random id of the claim's holder. */
  claimId?: string;
  /** The claim's holder stopped without knowing whether its create went through (abort, timeout). */
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
}

/** Options of {@link ticketLedger}. */
export interface TicketLedgerOptions {
  /** A `pending` claim older than this is taken over by the next delivery. @default 600_000 */
  claimTtlMs?: number;
}

/**
 * Opens the ledger of one sink over a Store.
 * @example
 * const ledger = ticketLedger(store, "jira");
 * const entry = await ledger.get(action.idempotencyKey);
 */
export function ticketLedger(store: Store, sink: string): TicketLedger {
  const namespace = `ledger:${sink}`;
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
 * Delivers an action exactly once per idempotency key: claims the key in the ledger with
 * `setIfAbsent`, searches the remote system, creates only when nothing is found, and records the
 * reference. An ambiguous create failure (timeout, connection error, 5xx) is followed by a search
 * before one more attempt; an abort marks the claim interrupted so the next run searches first.
 * @throws DeliveryError with the cause; `isRetryable` when trying later may succeed.
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
  const fail = (message: string, cause?: unknown, isRetryable?: boolean) =>
    new DeliveryError(`${ledger.sink}: ${message} (key ${key})`, {
      sink: ledger.sink,
      key,
      cause,
      isRetryable: isRetryable ?? (isCloudstewardError(cause) ? cause.isRetryable : false),
    });

  for (let round = 0; round < 3; round++) {
    signal?.throwIfAborted();
    const entry = await ledger.store.get<LedgerEntry>(namespace, id);
    if (entry?.state === "done" && entry.ref) return applyChange(entry, entry.ref);

    const claim: LedgerEntry = {
      state: "pending",
      key,
      updatedAt: new Date().toISOString(),
      claimId: crypto.randomUUID(),
    };
    if (entry === undefined) {
      if (!(await ledger.store.setIfAbsent(namespace, id, claim))) continue;
    } else {
      const age = Date.now() - Date.parse(entry.updatedAt);
      if (!entry.interrupted && age < (options.claimTtlMs ?? 600_000)) {
        throw fail(
          `another worker is delivering this action since ${entry.updatedAt}; retry later`,
          undefined,
          true,
        );
      }
      if (!(await ledger.store.compareAndSet(namespace, id, entry, claim))) continue;
    }
    return createClaimed(claim);
  }
  throw fail("the ledger entry kept changing under concurrent deliveries; retry later", undefined, true);

  async function createClaimed(claim: LedgerEntry): Promise<Delivery> {
    const finish = async (ref: ExternalRef, status: Delivery["status"]): Promise<Delivery> => {
      const done: LedgerEntry = {
        state: "done",
        key,
        ref,
        snapshot: snapshotCase(action.case),
        updatedAt: now(),
      };
      await ledger.store.set(namespace, id, done);
      return { key, status, ref };
    };
    // Whether a create may have gone through without our knowing (sent, then an abort or an ambiguous failure).
    let uncertain = false;
    const create = async () => {
      try {
        return await operations.create(signal);
      } catch (error) {
        if (isAbortError(error) || signal?.aborted || isAmbiguous(error)) uncertain = true;
        throw error;
      }
    };
    try {
      const found = await operations.find?.(signal);
      if (found) return await finish(found, "unchanged");
      try {
        return await finish(await create(), "created");
      } catch (error) {
        if (!isAmbiguous(error) || !operations.find) throw error;
        // The create may have gone through: look before trying once more (never retry a create blindly).
        const after = await operations.find(signal);
        if (after) return await finish(after, "created");
        uncertain = false;
        return await finish(await create(), "created");
      }
    } catch (error) {
      if (uncertain || isAbortError(error) || signal?.aborted) {
        // We do not know whether the create went through: the next delivery searches before creating.
        await ledger.store.compareAndSet(namespace, id, claim, {
          ...claim,
          interrupted: true,
          updatedAt: now(),
        });
        if (isAbortError(error) || signal?.aborted) throw error;
        throw fail(
          `${errorSummary(error)}; the create may have gone through, so the next delivery searches before creating again`,
          error,
          true,
        );
      }
      // Nothing was created (a 400, a 401, a failed search…): release our claim.
      const current = await ledger.store.get<LedgerEntry>(namespace, id);
      if (current?.claimId === claim.claimId) await ledger.store.delete(namespace, id);
      throw fail(errorSummary(error), error);
    }
  }

  async function applyChange(entry: LedgerEntry, ref: ExternalRef): Promise<Delivery> {
    const change = entry.snapshot ? diffCase(entry.snapshot, action.case) : undefined;
    if (!change || !operations.update) {
      if (!entry.snapshot) await ledger.record(key, ref, snapshotCase(action.case));
      return { key, status: "unchanged", ref };
    }
    // Claim the change first, so two workers never both comment; put it back if the update fails.
    const next: LedgerEntry = { ...entry, snapshot: snapshotCase(action.case), updatedAt: now() };
    if (!(await ledger.store.compareAndSet(namespace, id, entry, next)))
      return { key, status: "unchanged", ref };
    try {
      await operations.update(ref, change, signal);
    } catch (error) {
      await ledger.store.compareAndSet(namespace, id, next, entry);
      if (isAbortError(error) || signal?.aborted) throw error;
      throw fail(`updating ${ref.id} failed: ${errorSummary(error)}`, error);
    }
    return { key, status: "updated", ref };
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
): LedgerSink {
  const ledger = ticketLedger(store ?? memoryStore(), name);
  return {
    specificationVersion: "v1",
    name,
    ledger,
    deliver: (action, { signal } = {}) => deliverOnce(ledger, action, operationsFor(action), { signal }),
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
 * Builds a ticketing sink (Jira, ServiceNow): exactly-once delivery through {@link deliverOnce} with
 * search-before-create, and status read back through the ledger's reference, else a search.
 * @example
 * const sink = ticketSink("jira", options.store, { find, create, update, status, listTracked });
 */
export function ticketSink(name: string, store: Store | undefined, tickets: TicketOperations): SyncableSink {
  const sink = ledgerSink(name, store, (action) => ({
    find: (signal) => tickets.find(action.idempotencyKey, signal),
    create: (signal) => tickets.create(action, signal),
    update: (ref, change, signal) => tickets.update(action, ref, change, signal),
  }));
  return {
    ...sink,
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
  /** Ledger entries written because they were missing, pending or interrupted. */
  repaired: number;
  /** Tracking ids with more than one remote object (duplicates made before the ledger existed). */
  duplicates: { trackingId: string; refs: ExternalRef[] }[];
  /** Ledger entries whose remote object no longer exists. */
  missing: { trackingId: string; ref: ExternalRef }[];
}

/**
 * Repairs a sink's ledger from the remote system: records objects the ledger lost, settles
 * interrupted claims, and reports duplicates and deleted objects.
 * @example
 * const report = await reconcile(jira({ projectKey: "SEC", store }));
 */
export async function reconcile(
  sink: ReconcilableSink,
  options: { signal?: AbortSignal } = {},
): Promise<ReconcileReport> {
  const namespace = `ledger:${sink.ledger.sink}`;
  const seen = new Map<string, ExternalRef[]>();
  let repaired = 0;
  for await (const { trackingId: id, ref } of sink.listTracked(options)) {
    const refs = seen.get(id) ?? [];
    refs.push(ref);
    seen.set(id, refs);
    if (refs.length > 1) continue;
    const entry = await sink.ledger.store.get<LedgerEntry>(namespace, id);
    if (entry?.state === "done") continue;
    await sink.ledger.store.set<LedgerEntry>(namespace, id, {
      state: "done",
      key: entry?.key ?? id,
      ref,
      updatedAt: now(),
    });
    repaired++;
  }
  const missing: ReconcileReport["missing"] = [];
  for await (const { trackingId: id, entry } of sink.ledger.entries()) {
    if (entry.state === "done" && entry.ref && !seen.has(id))
      missing.push({ trackingId: id, ref: entry.ref });
  }
  const duplicates = [...seen]
    .filter(([, refs]) => refs.length > 1)
    .map(([id, refs]) => ({ trackingId: id, refs }));
  return {
    scanned: [...seen.values()].reduce((sum, refs) => sum + refs.length, 0),
    repaired,
    duplicates,
    missing,
  };
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
