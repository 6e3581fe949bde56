import { type AuditAppender, type AuditEvent, appendAll } from "./audit.js";
import { canonicalJson } from "./canonical-json.js";
import type { Finding } from "./finding.js";
import { sha256Hex } from "./fingerprint.js";

/** How many findings one `ingestion` record lists at most. */
const INGESTION_BATCH = 100;

/**
 * A run's audit trail over an {@link AuditAppender}, in the order things happened: findings are
 * recorded as they arrive, in `ingestion` records of up to 100 findings each (id and SHA-256 digest
 * of every finding, per platform), flushed before any other record so a case's `ai-output` never
 * precedes the ingestion of its findings. A write that fails fails the run (`failure`): a governed run
 * does not go on unaudited.
 */
export class RunAudit {
  private readonly pending = new Map<string, { ids: string[]; digests: Record<string, string> }>();
  private pendingCount = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private error: unknown;

  constructor(
    private readonly log: AuditAppender,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Notes a finding for the next ingestion record; returns the write to await when a batch is full. */
  ingest(finding: Finding): Promise<void> | undefined {
    const platform = finding.source.platform;
    let batch = this.pending.get(platform);
    if (!batch) {
      batch = { ids: [], digests: {} };
      this.pending.set(platform, batch);
    }
    batch.ids.push(finding.id);
    batch.digests[finding.id] = sha256Hex(canonicalJson(withoutRaw(finding)));
    if (++this.pendingCount >= INGESTION_BATCH) return this.write([]);
    return undefined;
  }

  /** Writes `events` after any pending ingestion, resolving once they are on the log. */
  write(events: AuditEvent[]): Promise<void> {
    const all = [...this.drainIngestion(), ...events];
    if (all.length === 0) return Promise.resolve();
    const written = appendAll(this.log, all).catch((error: unknown) => {
      this.error ??= error;
      this.onError(error);
      throw error;
    });
    this.track(written);
    return written;
  }

  /** True once a write has failed (the run is ending). */
  get failed(): boolean {
    return this.error !== undefined;
  }

  /** Flushes pending ingestion and waits for every write; rejects with the first failure. */
  async close(): Promise<void> {
    this.write([]).catch(() => {});
    await Promise.allSettled(this.inFlight);
    if (this.error !== undefined) throw this.error;
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

  private track(write: Promise<unknown>): void {
    const settled: Promise<unknown> = write.then(
      () => this.inFlight.delete(settled),
      () => this.inFlight.delete(settled),
    );
    this.inFlight.add(settled);
  }
}

function withoutRaw(finding: Finding): Finding {
  if (finding.raw === undefined) return finding;
  const { raw: _raw, ...rest } = finding;
  return rest;
}
