import { createHmac } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { AuditEvent, AuditEventType } from "../core/audit.js";
import { canonicalJson } from "../core/canonical-json.js";
import { ConfigurationError } from "../core/errors.js";
import { sha256Hex } from "../core/fingerprint.js";
import { redact } from "../core/redact.js";
import { resolveSecret, type Secret } from "../core/secret.js";
import type { Store } from "../core/store.js";

export type { AuditEvent, AuditEventType } from "../core/audit.js";

/** The kinds of step the audit log records; other strings are allowed for your own steps. */
/** One stored, hash-chained record. */
export interface AuditRecord {
  /** Position in the log, from 1, without gaps. */
  seq: number;
  /** When the record was written (ISO-8601). */
  at: string;
  /** `hash` of the previous record; 64 zeros for the first. */
  prevHash: string;
  /** SHA-256 (or HMAC-SHA-256) in hex of `canonicalJson({ seq, at, prevHash, event })`. */
  hash: string;
  event: AuditEvent;
}

/** Options of {@link auditLog}. */
export interface AuditLogOptions {
  /** The name of the log inside the store, so several audit logs can share one store. @default "audit" */
  log?: string;
  /**
   * A key for HMAC-SHA-256 hashes, kept outside the store: without it anyone who can write the store
   * can recompute a consistent chain; with it they cannot. Verify with the same key.
   */
  hmacKey?: Secret;
  /** Mask secrets in the event (`actor`, `caseId`, `findingIds` and `data`) with `redact` before storing. @default true */
  redact?: boolean;
  /** The clock for record times; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/** Which records {@link AuditLog.query} returns; all conditions must hold. */
export interface AuditQuery {
  type?: AuditEventType | AuditEventType[];
  caseId?: string;
  /** Records whose `findingIds` contain this id. */
  findingId?: string;
  actor?: string;
  /** Records that happened at or after this time (the event's `at`, else the record's). */
  since?: string | Date;
  /** Records that happened before this time (the event's `at`, else the record's). */
  until?: string | Date;
}

/** Why {@link AuditLog.verify} rejected a log. */
export type AuditTamperReason = "edited" | "deleted" | "inserted" | "reordered" | "broken-link";

/** The outcome of {@link AuditLog.verify}. */
export type AuditVerification =
  | {
      ok: true;
      /** Records checked. */
      count: number;
      /** Hash of the last record (keep it elsewhere as an anchor); absent for an empty log. */
      lastHash?: string;
    }
  | {
      ok: false;
      count: number;
      /** The position of the first record that is not what an untouched log would hold there. */
      firstBadSeq: number;
      reason: AuditTamperReason;
      /** What was found, in one sentence. */
      message: string;
    };

/** Options of {@link AuditLog.verify}. */
export interface AuditVerifyOptions {
  /**
   * A `{ seq, hash }` pair kept outside the store (from an earlier `verify` or `append`): detects a
   * log cut short after that record, or rewritten up to it, which no chain can show by itself.
   */
  anchor?: { seq: number; hash: string };
}

/** What {@link AuditLog.export} wrote. */
export interface AuditExport {
  /** Paths of the files written, `audit.jsonl` and `index.md` first. */
  files: string[];
  records: number;
  cases: number;
  verification: AuditVerification;
}

/** The tamper-evident audit log: append, query, verify and export evidence. */
export interface AuditLog {
  /** Records one event and returns its stored record; concurrent appends still form one chain. */
  append(event: AuditEvent): Promise<AuditRecord>;
  /**
   * Records several events in this order, in as few store transactions as the store allows; if one
   * is invalid, none is written.
   */
  appendMany(events: AuditEvent[]): Promise<AuditRecord[]>;
  /** Records matching `filter`, in log order. */
  query(filter?: AuditQuery): AsyncIterable<AuditRecord>;
  /** Re-computes every hash and link and names the first record that was edited, deleted, inserted or moved. */
  verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
  /**
   * Writes an evidence bundle to `directory`: `audit.jsonl` (every record), `index.md` (the
   * verification result and the cases) and `cases/<caseId>.md`, one timeline per case from
   * detection to explanation, decision, approval and delivery.
   */
  export(directory: string): Promise<AuditExport>;
}

/** `prevHash` of the first record. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * A hash-chained, append-only audit log on any {@link Store}: every record carries the hash of the
 * previous one, so `verify()` finds any edit, deletion, insertion or reordering and names the first
 * bad record. Hashes are SHA-256 of canonical JSON, or HMAC-SHA-256 with `hmacKey`.
 * @example
 * const audit = auditLog(sqliteStore({ path: "audit.db" }), { hmacKey: () => process.env.AUDIT_KEY! });
 * await audit.append({ type: "decision", actor: "cloudsteward/decide", caseId: "case-1", data: { action: "ticket" } });
 * const result = await audit.verify(); // { ok: true, count: 1, lastHash: "…" }
 */
export function auditLog(store: Store, options: AuditLogOptions = {}): AuditLog {
  const log = options.log ?? "audit";
  const now = options.now ?? (() => new Date());
  const hasher = async () => {
    if (options.hmacKey === undefined) return sha256Hex;
    const key = await resolveSecret(options.hmacKey, { option: "hmacKey", integration: "auditLog" });
    return (text: string) => createHmac("sha256", key).update(text).digest("hex");
  };

  const toStored = (input: AuditEvent) => toStoredEvent(input, options.redact ?? true);
  const write = async (event: AuditEvent, hash: (text: string) => string): Promise<AuditRecord> => {
    const entry = await store.append<AuditRecord>(log, (previous) => {
      const body = {
        seq: (previous?.seq ?? 0) + 1,
        at: now().toISOString(),
        prevHash: previous?.value.hash ?? GENESIS_HASH,
        event,
      };
      return { ...body, hash: hash(canonicalJson(body)) };
    });
    return entry.value;
  };

  const query = async function* (filter: AuditQuery = {}) {
    const matches = recordFilter(filter);
    for await (const entry of store.read<AuditRecord>(log)) {
      if (matches(entry.value)) yield entry.value;
    }
  };

  const verify = async (verifyOptions: AuditVerifyOptions = {}) => {
    const hash = await hasher();
    const links: Link[] = [];
    for await (const entry of store.read<unknown>(log)) links.push(toLink(entry.value, hash));
    return judge(links, verifyOptions.anchor);
  };

  return {
    append: async (event) => write(toStored(event), await hasher()),
    appendMany: async (events) => {
      // Validate every event first, so an invalid one means none is written.
      const stored = events.map(toStored);
      const hash = await hasher();
      return Promise.all(stored.map((event) => write(event, hash)));
    },
    query,
    verify,
    async export(directory) {
      const verification = await verify();
      const records: AuditRecord[] = [];
      for await (const record of query()) records.push(record);
      await mkdir(join(directory, "cases"), { recursive: true });
      const files = [join(directory, "audit.jsonl"), join(directory, "index.md")];
      await writeFile(files[0]!, records.map((record) => `${canonicalJson(record)}\n`).join(""));
      const byCase = new Map<string, AuditRecord[]>();
      for (const record of records) {
        if (record.event?.caseId === undefined) continue;
        byCase.set(record.event.caseId, [...(byCase.get(record.event.caseId) ?? []), record]);
      }
      const caseFiles = new Map<string, string>();
      for (const [caseId, caseRecords] of byCase) {
        const file = join("cases", `${fileNameFor(caseId)}.md`);
        caseFiles.set(caseId, file);
        files.push(join(directory, file));
        await writeFile(join(directory, file), caseMarkdown(caseId, caseRecords));
      }
      await writeFile(files[1]!, indexMarkdown(log, verification, records, byCase, caseFiles));
      return { files, records: records.length, cases: byCase.size, verification };
    },
  };
}

/** What `verify` keeps of each record: enough to judge the chain without holding every event. */
interface Link {
  seq: number | undefined;
  hash: string | undefined;
  prevHash: string | undefined;
  /** The stored hash matches the recomputed one. */
  valid: boolean;
}

const auditEventSchema = z.object({
  type: z.string().min(1),
  at: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1),
  caseId: z.string().min(1).optional(),
  findingIds: z.array(z.string()).optional(),
  data: z.record(z.string(), z.unknown()),
});

function toStoredEvent(input: AuditEvent, shouldRedact: boolean): AuditEvent {
  const parsed = auditEventSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "event"}: ${issue.message}`);
    throw new ConfigurationError(`auditLog: the event is invalid (${issues.join("; ")}).`);
  }
  // `undefined` members need no removal here: the hash (canonical JSON) and the stores (JSON) drop them alike.
  const event = parsed.data as AuditEvent;
  if (!shouldRedact) return event;
  // Every free-text member is masked, not only `data`: an actor, case id or finding id can carry a secret too.
  const { type, at, ...rest } = event;
  return { type, ...(at === undefined ? {} : { at }), ...redact(rest) };
}

function toLink(value: unknown, hash: (text: string) => string): Link {
  const record = (typeof value === "object" && value !== null ? value : {}) as Partial<AuditRecord>;
  const { hash: stored, ...body } = record;
  let valid = false;
  try {
    valid = typeof stored === "string" && hash(canonicalJson(body)) === stored;
  } catch {
    // A value canonical JSON refuses cannot have been written by `append`: not valid.
  }
  return {
    seq: typeof record.seq === "number" ? record.seq : undefined,
    hash: typeof stored === "string" ? stored : undefined,
    prevHash: typeof record.prevHash === "string" ? record.prevHash : undefined,
    valid,
  };
}

/**
 * Finds the first position where the log differs from an untouched one and says why, using the
 * positions, the `seq` each record claims, its own hash and its link to the previous record.
 */
function judge(links: Link[], anchor: AuditVerifyOptions["anchor"]): AuditVerification {
  const count = links.length;
  const fail = (firstBadSeq: number, reason: AuditTamperReason, message: string): AuditVerification => ({
    ok: false,
    count,
    firstBadSeq,
    reason,
    message,
  });
  const hashAt = (position: number) => (position === 0 ? GENESIS_HASH : links[position - 1]?.hash);
  const positionsOf = (seq: number) => links.flatMap((link, index) => (link.seq === seq ? [index + 1] : []));

  for (const [index, link] of links.entries()) {
    const position = index + 1;
    if (link.seq === position && link.valid && link.prevHash === hashAt(position - 1)) continue;
    if (!link.valid) {
      if (link.seq !== undefined && positionsOf(link.seq).length > 1) {
        return fail(
          position,
          "inserted",
          `Record ${position} is not one the log wrote: its seq ${link.seq} appears twice and its hash does not match.`,
        );
      }
      return fail(
        position,
        "edited",
        `Record ${position} was changed after it was written: its hash does not match its content.`,
      );
    }
    const seq = link.seq ?? position;
    if (seq > position) {
      const moved = positionsOf(position).find((found) => found > position);
      if (moved !== undefined) {
        return fail(
          position,
          "reordered",
          `Record ${position} is at position ${moved}; position ${position} holds record ${seq}.`,
        );
      }
      return fail(
        position,
        "deleted",
        `Records ${position} to ${seq - 1} are missing: record ${seq} follows record ${position - 1}.`,
      );
    }
    if (seq < position) {
      if (link.hash === hashAt(seq)) {
        return fail(position, "inserted", `Record ${position} is a copy of record ${seq}.`);
      }
      if (link.prevHash === hashAt(seq - 1)) {
        return fail(
          seq,
          "inserted",
          `Records at positions ${seq} to ${position - 1} were inserted: the record written as ${seq} is at position ${position}.`,
        );
      }
      return fail(
        position,
        "reordered",
        `Record ${seq} is at position ${position}, after record ${position - 1}.`,
      );
    }
    return fail(
      position,
      "broken-link",
      `Record ${position} does not link to record ${position - 1}: its prevHash differs from that record's hash.`,
    );
  }

  if (anchor) {
    if (count < anchor.seq) {
      return fail(
        count + 1,
        "deleted",
        `The log ends at record ${count}, but the anchor names record ${anchor.seq}.`,
      );
    }
    if (hashAt(anchor.seq) !== anchor.hash) {
      return fail(
        anchor.seq,
        "edited",
        `Record ${anchor.seq} differs from the anchor: the chain was rewritten up to it.`,
      );
    }
  }
  return count === 0 ? { ok: true, count } : { ok: true, count, lastHash: hashAt(count) };
}

function recordFilter(filter: AuditQuery): (record: AuditRecord) => boolean {
  const types = filter.type === undefined ? undefined : new Set([filter.type].flat());
  const since = filter.since === undefined ? undefined : new Date(filter.since).getTime();
  const until = filter.until === undefined ? undefined : new Date(filter.until).getTime();
  for (const [name, time] of [
    ["since", since],
    ["until", until],
  ] as const) {
    if (time !== undefined && Number.isNaN(time)) {
      throw new ConfigurationError(
        `auditLog: query.${name} is not a date; pass an ISO-8601 string or a Date.`,
        { option: name },
      );
    }
  }
  return (record) => {
    const event = record?.event;
    if (typeof event !== "object" || event === null) return false;
    if (types && !types.has(event.type)) return false;
    if (filter.caseId !== undefined && event.caseId !== filter.caseId) return false;
    if (filter.findingId !== undefined && !event.findingIds?.includes(filter.findingId)) return false;
    if (filter.actor !== undefined && event.actor !== filter.actor) return false;
    const time = new Date(event.at ?? record.at).getTime();
    if (since !== undefined && time < since) return false;
    if (until !== undefined && time >= until) return false;
    return true;
  };
}

/** The steps every case summary lists, in the order a case goes through them. */
const lifecycle = ["ingestion", "ai-output", "decision", "approval", "delivery"];

const stageNames: Record<string, string> = {
  ingestion: "Detection",
  "ai-output": "Explanation (AI output)",
  decision: "Decision",
  gate: "Gate",
  approval: "Approval",
  delivery: "Delivery",
  exception: "Exception",
  suppression: "Suppression",
};

function caseMarkdown(caseId: string, records: AuditRecord[]): string {
  const findings = [...new Set(records.flatMap((record) => record.event.findingIds ?? []))];
  const lines = [
    `# Case ${escapeMarkdown(caseId)}`,
    "",
    `Findings: ${findings.length > 0 ? findings.map((id) => `\`${id.replaceAll("`", "'")}\``).join(", ") : "none recorded"}`,
    "",
    "## From detection to delivery",
    "",
    ...lifecycle.map((type) => {
      const first = records.find((record) => record.event.type === type);
      const name = stageNames[type] ?? type;
      return first
        ? `- **${name}**: ${first.event.at ?? first.at} by ${escapeMarkdown(first.event.actor)} (record ${first.seq})`
        : `- **${name}**: not recorded`;
    }),
    "",
    "## Timeline",
    "",
    "| seq | when | step | actor | details |",
    "| --- | --- | --- | --- | --- |",
    ...records.map((record) =>
      [
        String(record.seq),
        record.event.at ?? record.at,
        stageNames[record.event.type] ?? record.event.type,
        record.event.actor,
        summarize(record.event.data),
      ]
        .map(escapeCell)
        .join(" | ")
        .replace(/^/, "| ")
        .concat(" |"),
    ),
    "",
    `Hashes: first ${records[0]?.hash ?? "-"}, last ${records.at(-1)?.hash ?? "-"} (see audit.jsonl).`,
    "",
  ];
  return lines.join("\n");
}

function indexMarkdown(
  log: string,
  verification: AuditVerification,
  records: AuditRecord[],
  byCase: Map<string, AuditRecord[]>,
  caseFiles: Map<string, string>,
): string {
  const status = verification.ok
    ? `Verified: ${verification.count} records, hash chain intact. Last hash: \`${verification.lastHash ?? "-"}\`.`
    : `**Verification FAILED** at record ${verification.firstBadSeq} (${verification.reason}): ${verification.message}`;
  return [
    `# Audit evidence: ${escapeMarkdown(log)}`,
    "",
    status,
    "",
    `Records: ${records.length}, from ${records[0]?.at ?? "-"} to ${records.at(-1)?.at ?? "-"}. Every record is in \`audit.jsonl\`, one canonical JSON object per line; \`hash\` is the SHA-256 (or HMAC-SHA-256) of \`{ seq, at, prevHash, event }\` in canonical JSON.`,
    "",
    "## Cases",
    "",
    "| case | records | steps | timeline |",
    "| --- | --- | --- | --- |",
    ...[...byCase].map(
      ([caseId, caseRecords]) =>
        `| ${escapeCell(caseId)} | ${caseRecords.length} | ${escapeCell([...new Set(caseRecords.map((record) => record.event.type))].join(", "))} | [${escapeCell(caseId)}](${caseFiles.get(caseId)}) |`,
    ),
    "",
  ].join("\n");
}

function summarize(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : canonicalJson(value ?? null)}`)
    .join("; ")
    .slice(0, 500);
}

function escapeCell(text: string): string {
  return escapeMarkdown(text).replaceAll("|", "\\|").replace(/\r?\n/g, " ");
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (character) => (character === "<" ? "&lt;" : "&gt;"));
}

function fileNameFor(caseId: string): string {
  const safe = caseId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80);
  return safe === caseId ? safe : `${safe}-${sha256Hex(caseId).slice(0, 8)}`;
}
