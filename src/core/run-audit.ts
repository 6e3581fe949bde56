import { type AuditAppender, type AuditEvent, appendAll } from "./audit.js";
import { canonicalJson } from "./canonical-json.js";
import type { Finding } from "./finding.js";
import { sha256Hex } from "./fingerprint.js";

/** How many findings one `ingestion` record lists at most. */
const INGESTION_BATCH = 100;

/** How many audit events may wait for the log before the sources are held back. */
const MAX_QUEUED = 1000;

/**
 * A run's audit trail over an {@link AuditAppender}, in the order things happened: findings are
 * recorded as they arrive, in `ingestion` records of up to 100 findings each (id and SHA-256 digest
 * of every finding, per platform), queued before any other record so a case's `ai-output` never
 * precedes the ingestion of its findings. Events are written in order, in batches (one `appendMany`
 * per batch: one transaction on the SQL stores), so stages do not wait a round trip per record;
 * {@link flushed} is the barrier the pipeline passes before every delivery, so nothing reaches a sink
 * before its trail is on the log. A write that fails fails the run (`onError`): a governed run does
 * not go on unaudited.
 */
export class RunAudit {
  private readonly pending = new Map<string, { ids: string[]; digests: Record<string, string> }>();
  private pendingCount = 0;
  private queue: AuditEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** True while {@link writing} is writing the queue, batch after batch. */
  private draining = false;
  private error: unknown;

  constructor(
    private readonly log: AuditAppender,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Notes a finding for the next ingestion record. Returns a promise to await when the log is behind
   * (back-pressure on the sources), else `undefined`.
   */
  ingest(finding: Finding): Promise<void> | undefined {
    const platform = finding.source.platform;
    let batch = this.pending.get(platform);
    if (!batch) {
      batch = { ids: [], digests: {} };
      this.pending.set(platform, batch);
    }
    batch.ids.push(finding.id);
    batch.digests[finding.id] = sha256Hex(canonicalJson(withoutRaw(finding)));
    if (++this.pendingCount >= INGESTION_BATCH) this.record([]);
    return this.queue.length >= MAX_QUEUED ? this.flushed() : undefined;
  }

  /** Queues `events` after any pending ingestion; they are written in this order, soon. */
  record(events: readonly AuditEvent[]): void {
    this.queue.push(...this.drainIngestion(), ...events);
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Resolves once everything recorded so far is on the log (and whatever was recorded while it was
   * being written); rejects with the first failure.
   */
  flushed(): Promise<void> {
    this.queue.push(...this.drainIngestion());
    this.flush();
    return this.writing.then(() => {
      if (this.error !== undefined) throw this.error;
    });
  }

  /** True once a write has failed (the run is ending). */
  get failed(): boolean {
    return this.error !== undefined;
  }

  /**
   * Starts writing the queue unless a write is under way: what is queued while a batch is being
   * written goes in the next batch, so a slow log gets fewer, bigger batches rather than a chain of
   * small ones (each a transaction on the SQL stores).
   */
  private flush(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = true;
    this.writing = (async () => {
      while (this.queue.length > 0 && this.error === undefined) {
        const batch = this.queue;
        this.queue = [];
        try {
          await appendAll(this.log, batch);
        } catch (error) {
          this.error = error;
          this.onError(error);
        }
      }
      this.draining = false;
    })();
  }

  private drainIngestion(): AuditEvent[] {
    if (this.pendingCount === 0) return [];
    const events: AuditEvent[] = [];
    for (const [platform, batch] of this.pending) {
      events.push({
        type: "ingestion",
        actor: `cloudsteward/source:${platform}`,
        findingIds: batch.ids,
        data: { platform, count: batch.ids.length, digests: batch.digests },
      });
    }
    this.pending.clear();
    this.pendingCount = 0;
    return events;
  }
}

function withoutRaw(finding: Finding): Finding {
  if (finding.raw === undefined) return finding;
  const { raw: _raw, ...rest } = finding;
  return rest;
}
