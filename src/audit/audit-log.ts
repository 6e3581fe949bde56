import { createHmac } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type AuditEvent, type AuditEventType, appendDiscarding } from "../core/audit.js";
import { canonicalJson } from "../core/canonical-json.js";
import { ConfigurationError, isCloudstewardError } from "../core/errors.js";
import { sha256Hex } from "../core/fingerprint.js";
import { redact } from "../core/redact.js";
import { redactIds } from "../core/redacted-ids.js";
import { resolveSecret, type Secret } from "../core/secret.js";
import type { LogEntry, Store } from "../core/store.js";

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

/**
 * Why {@link AuditLog.verify} rejected a log: a record was `edited` (its content no longer matches
 * its hash, or its hash was recomputed and the next record still links to the original), `deleted`
 * (records are missing, at the end too when an anchor says so), `inserted`, `reordered`, a
 * `broken-link` (a record re-hashed to point elsewhere), or is `corrupt` (the store cannot read it).
 */
export type AuditTamperReason = "edited" | "deleted" | "inserted" | "reordered" | "broken-link" | "corrupt";

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
      /**
       * Set when the first bad record cannot be pinned down: a plain SHA-256 chain recomputed from
       * some record up to an anchor is consistent again, so the anchor shows that a record from
       * `suspectFrom` to `firstBadSeq` changed, not which. An HMAC key, or an anchor per record (an
       * earlier export's `audit.jsonl`), names it.
       */
      suspectFrom?: number;
      reason: AuditTamperReason;
      /** What was found, in one sentence. */
      message: string;
    };

/**
 * A record's position and hash kept outside the store (from `verify`'s `lastHash`, or every record
 * of an earlier export). Without `seq`, the record holding `hash` is looked for.
 */
export interface AuditAnchor {
  seq?: number;
  hash: string;
}

/** Options of {@link AuditLog.verify}. */
export interface AuditVerifyOptions {
  /**
   * A `{ seq, hash }` pair kept outside the store (from an earlier `verify` or `append`): detects a
   * log cut short after that record, or rewritten up to it, which no chain can show by itself.
   */
  anchor?: AuditAnchor | readonly AuditAnchor[];
}

/** What {@link AuditLog.export} wrote. */
export interface AuditExport {
  /** Paths of the files written, `audit.jsonl` and `index.md` first. */
  files: string[];
  records: number;
  cases: number;
  verification: AuditVerification;
  /** Records the store could not read, by position, with why; they are listed in `unreadable.md`. */
  unreadable: { seq: number; message: string }[];
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
  /**
   * Re-computes every hash and link and names the first record that was edited, deleted, inserted,
   * moved or cannot be read. A corrupt record is a failed verification, not a throw.
   */
  verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
  /**
   * Writes an evidence bundle to `directory`: `audit.jsonl` (every readable record), `index.md`
   * (the verification result and the cases), `cases/<caseId>.md`, one timeline per case from
   * detection to explanation, decision, approval and delivery, and `unreadable.md` when the store
   * holds records it cannot read (each by position, with why).
   */
  export(directory: string, options?: AuditVerifyOptions): Promise<AuditExport>;
}

/**
 * Reads anchors from text: a hash, `seq:hash`, the JSON `audit verify --json` printed
 * (`{ count, lastHash }`) or `{ seq, hash }`, or JSON Lines of records (an earlier export's
 * `audit.jsonl`: every record becomes an anchor, so a rewritten record is named exactly).
 * @throws ConfigurationError when the text holds none of these.
 * @example
 * const verification = await audit.verify({ anchor: parseAuditAnchors(await readFile("anchor.txt", "utf8")) });
 */
export function parseAuditAnchors(text: string): AuditAnchor[] {
  const trimmed = text.trim();
  const plain = /^(?:(\d+)\s*[:@]\s*)?([0-9a-fA-F]{64})$/.exec(trimmed);
  if (plain)
    return [plain[1] === undefined ? { hash: plain[2]! } : { seq: Number(plain[1]), hash: plain[2]! }];
  const anchors: AuditAnchor[] = [];
  const values: unknown[] = [];
  try {
    const whole = JSON.parse(trimmed) as unknown;
    values.push(...(Array.isArray(whole) ? whole : [whole]));
  } catch {
    try {
      for (const line of trimmed.split("\n")) if (line.trim().length > 0) values.push(JSON.parse(line));
    } catch {
      values.length = 0;
    }
  }
  for (const value of values) {
    const item = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const isHash = (hash: unknown): hash is string =>
      typeof hash === "string" && /^[0-9a-fA-F]{64}$/.test(hash);
    const isSeq = (seq: unknown): seq is number =>
      typeof seq === "number" && Number.isInteger(seq) && seq > 0;
    if (isHash(item.hash))
      anchors.push(isSeq(item.seq) ? { seq: item.seq, hash: item.hash } : { hash: item.hash });
    else if (isHash(item.lastHash) && isSeq(item.count))
      anchors.push({ seq: item.count, hash: item.lastHash });
  }
  if (anchors.length === 0) {
    throw new ConfigurationError(
      "auditLog: the anchor holds no hash. Give a 64-hex-digit hash, seq:hash, the JSON `audit verify --json` printed, or an earlier export's audit.jsonl.",
      { option: "anchor" },
    );
  }
  return anchors;
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

  const toStored = (input: AuditEvent) => toStoredEvent(input, options.redact !== false);
  const write = async (event: AuditEvent, hash: (text: string) => string): Promise<LogEntry<AuditRecord>> =>
    store.append<AuditRecord>(log, (previous) => {
      const body = {
        seq: (previous?.seq ?? 0) + 1,
        at: now().toISOString(),
        prevHash: previous?.value.hash ?? GENESIS_HASH,
        event,
      };
      return { ...body, hash: hash(canonicalJson(body)) };
    });
  // Validate every event first, so an invalid one means none is written.
  const writeAll = async (events: AuditEvent[]) => {
    const stored = events.map(toStored);
    const hash = await hasher();
    return Promise.all(stored.map((event) => write(event, hash)));
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
    for await (const entry of readTolerant(store, log)) {
      links.push(
        "corrupt" in entry
          ? { seq: entry.seq, hash: undefined, prevHash: undefined, valid: false, corrupt: entry.corrupt }
          : toLink(entry.value, hash),
      );
    }
    return judge(links, verifyOptions.anchor);
  };

  const audit: AuditLog = {
    append: async (event) => (await write(toStored(event), await hasher())).value,
    appendMany: async (events) => (await writeAll(events)).map((entry) => entry.value),
    query,
    verify,
    async export(directory, exportOptions = {}) {
      const verification = await verify(exportOptions);
      const records: AuditRecord[] = [];
      const unreadable: AuditExport["unreadable"] = [];
      for await (const entry of readTolerant(store, log)) {
        if ("corrupt" in entry) unreadable.push({ seq: entry.seq, message: entry.corrupt });
        else if (isRecord(entry.value)) records.push(entry.value);
        else unreadable.push({ seq: entry.seq, message: "the stored value is not an audit record" });
      }
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
      if (unreadable.length > 0) {
        files.push(join(directory, "unreadable.md"));
        await writeFile(join(directory, "unreadable.md"), unreadableMarkdown(log, unreadable));
      }
      await writeFile(
        files[1]!,
        indexMarkdown(log, verification, records, byCase, caseFiles, unreadable.length),
      );
      return { files, records: records.length, cases: byCase.size, verification, unreadable };
    },
  };
  // The pipeline discards the records: a store that reads them back lazily (the SQL stores) then
  // never parses what it just wrote.
  return Object.assign(audit, {
    [appendDiscarding]: async (events: AuditEvent[]) => {
      await writeAll(events);
    },
  });
}

/** What `verify` keeps of each record: enough to judge the chain without holding every event. */
interface Link {
  seq: number | undefined;
  hash: string | undefined;
  prevHash: string | undefined;
  /** The stored hash matches the recomputed one. */
  valid: boolean;
  /** Why the store could not read the record, when it could not. */
  corrupt?: string;
}

/**
 * Reads a log, turning each record the store cannot read (a `CorruptRecordError` naming its seq)
 * into an entry that says so and going on from the next one.
 */
async function* readTolerant(
  store: Store,
  log: string,
): AsyncGenerator<{ seq: number; value: unknown } | { seq: number; corrupt: string }> {
  let next = 1;
  for (;;) {
    try {
      for await (const entry of store.read<unknown>(log, { fromSeq: next })) {
        next = entry.seq + 1;
        yield entry;
      }
      return;
    } catch (error) {
      const seq = (error as { seq?: unknown }).seq;
      if (!isCloudstewardError(error, "CORRUPT_RECORD") || typeof seq !== "number" || seq < next) throw error;
      yield { seq, corrupt: error.message };
      next = seq + 1;
    }
  }
}

function isRecord(value: unknown): value is AuditRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<AuditRecord>;
  return (
    typeof record.seq === "number" &&
    typeof record.event === "object" &&
    record.event !== null &&
    typeof record.event.type === "string"
  );
}

const auditEventSchema = z.object({
  type: z.string().min(1),
  at: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1),
  caseId: z.string().min(1).optional(),
  findingIds: z.array(z.string()).optional(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * {@link auditEventSchema} with `findingIds` taken as it is: for events whose ids {@link isStringList}
 * has already checked, so a case's thousands of ids are not copied one by one through `z.string()`.
 */
const checkedIdsEventSchema = auditEventSchema.extend({ findingIds: z.unknown().optional() });

function toStoredEvent(input: AuditEvent, masked: boolean): AuditEvent {
  // Invalid ids (or no object at all) go through the whole schema, for its messages.
  const ids: unknown = typeof input === "object" && input !== null ? input.findingIds : undefined;
  const parsed = (
    ids === undefined || isStringList(ids) ? checkedIdsEventSchema : auditEventSchema
  ).safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "event"}: ${issue.message}`);
    throw new ConfigurationError(`auditLog: the event is invalid (${issues.join("; ")}).`);
  }
  // `undefined` members need no removal here: the hash (canonical JSON) and the stores (JSON) drop them alike.
  const event = parsed.data as AuditEvent;
  if (!masked)
    return event.findingIds === undefined ? event : { ...event, findingIds: event.findingIds.slice() };
  // Every free-text member is masked, not only `data`: an actor, case id or finding id can carry a secret too.
  const { type, at, findingIds, ...rest } = event;
  const { data, ...head } = redact(rest);
  return {
    type,
    ...(at === undefined ? {} : { at }),
    ...head,
    ...(findingIds === undefined ? {} : { findingIds: redactIds(findingIds) }),
    data,
  };
}

/** True for an array of strings only, without holes: what `z.array(z.string())` accepts. */
function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) if (typeof value[index] !== "string") return false;
  return true;
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
 * positions, the `seq` each record claims, its own hash and its link to the previous record, then
 * the anchors kept outside the store; the earlier of the two findings wins.
 */
function judge(links: Link[], anchor: AuditVerifyOptions["anchor"]): AuditVerification {
  const count = links.length;
  const hashAt = (position: number) => (position === 0 ? GENESIS_HASH : links[position - 1]?.hash);
  const chain = judgeChain(links, hashAt);
  const anchored = anchor === undefined ? undefined : judgeAnchors(links, [anchor].flat(), hashAt);
  const failure =
    chain && anchored ? (anchored.firstBadSeq < chain.firstBadSeq ? anchored : chain) : (chain ?? anchored);
  if (failure) return { ok: false, count, ...failure };
  return count === 0 ? { ok: true, count } : { ok: true, count, lastHash: hashAt(count) };
}

type Failure = Omit<Extract<AuditVerification, { ok: false }>, "ok" | "count">;

function judgeChain(links: Link[], hashAt: (position: number) => string | undefined): Failure | undefined {
  const fail = (firstBadSeq: number, reason: AuditTamperReason, message: string): Failure => ({
    firstBadSeq,
    reason,
    message,
  });
  const positionsOf = (seq: number) => links.flatMap((link, index) => (link.seq === seq ? [index + 1] : []));
  const linksWell = (position: number) => {
    const link = links[position - 1];
    return link?.valid === true && link.seq === position && link.prevHash === hashAt(position - 1);
  };

  for (const [index, link] of links.entries()) {
    const position = index + 1;
    if (link.corrupt !== undefined) {
      return fail(position, "corrupt", `Record ${position} cannot be read: ${link.corrupt}`);
    }
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
    // Only the link to the previous record is broken. If this record's own hash is sound and the
    // record after it links to it, this record was re-hashed to point elsewhere. If nothing after it
    // breaks, the previous record was edited and its hash recomputed: this record's prevHash still
    // holds the hash the previous record was written with.
    const next = links[index + 1];
    const rehashedHere =
      next !== undefined && !(next.valid && next.seq === position + 1 && next.prevHash === link.hash);
    if (position > 1 && !rehashedHere && linksWell(position - 1)) {
      return fail(
        position - 1,
        "edited",
        `Record ${position - 1} was changed after it was written and its hash recomputed: record ${position} still links to the hash it was written with.`,
      );
    }
    return fail(
      position,
      "broken-link",
      `Record ${position} does not link to record ${position - 1}: its prevHash differs from that record's hash.`,
    );
  }
  return undefined;
}

function judgeAnchors(
  links: Link[],
  anchors: readonly AuditAnchor[],
  hashAt: (position: number) => string | undefined,
): Failure | undefined {
  const count = links.length;
  const located = anchors.map((anchor) => {
    if (anchor.seq !== undefined) return { seq: anchor.seq, hash: anchor.hash.toLowerCase() };
    const found = links.findIndex((link) => link.hash === anchor.hash.toLowerCase());
    return { seq: found === -1 ? undefined : found + 1, hash: anchor.hash.toLowerCase() };
  });
  const unknown = located.find((anchor) => anchor.seq === undefined);
  let lastGood = 0;
  for (const anchor of located
    .filter((item): item is { seq: number; hash: string } => item.seq !== undefined)
    .sort((a, b) => a.seq - b.seq)) {
    if (anchor.seq > count) {
      return {
        firstBadSeq: count + 1,
        reason: "deleted",
        message:
          count === 0
            ? `The log is empty, but the anchor names record ${anchor.seq}: it was wiped.`
            : `The log ends at record ${count}, but the anchor names record ${anchor.seq}: records ${count + 1} to ${anchor.seq} were removed.`,
      };
    }
    if (hashAt(anchor.seq) === anchor.hash) {
      lastGood = anchor.seq;
      continue;
    }
    const exact = lastGood === anchor.seq - 1;
    return {
      firstBadSeq: anchor.seq,
      ...(exact ? {} : { suspectFrom: lastGood + 1 }),
      reason: "edited",
      message: exact
        ? `Record ${anchor.seq} differs from its anchor: it was rewritten and the chain recomputed after it.`
        : `Record ${anchor.seq} differs from its anchor: a record from ${lastGood + 1} to ${anchor.seq} was rewritten and the chain recomputed; an HMAC key or an anchor per record names which.`,
    };
  }
  if (unknown) {
    return {
      firstBadSeq: lastGood + 1,
      suspectFrom: lastGood + 1,
      reason: "edited",
      message: `No record has the anchor's hash ${unknown.hash.slice(0, 12)}…: the log was rewritten or cut at or before that record. Give the anchor as seq:hash to locate it.`,
    };
  }
  return undefined;
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
  unreadable: number,
): string {
  const status = verification.ok
    ? `Verified: ${verification.count} records, hash chain intact. Last hash: \`${verification.lastHash ?? "-"}\`.`
    : `**Verification FAILED** at record ${verification.firstBadSeq} (${verification.reason}): ${escapeMarkdown(verification.message)}`;
  const missing =
    unreadable > 0
      ? [
          `**${unreadable} record(s) could not be read** and are not in \`audit.jsonl\`: see [unreadable.md](unreadable.md).`,
          "",
        ]
      : [];
  return [
    `# Audit evidence: ${escapeMarkdown(log)}`,
    "",
    status,
    "",
    ...missing,
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

function unreadableMarkdown(log: string, unreadable: AuditExport["unreadable"]): string {
  return [
    `# Unreadable records: ${escapeMarkdown(log)}`,
    "",
    "The store holds these records but cannot read them; every other record is in `audit.jsonl`.",
    "Restore the store from a backup to recover them.",
    "",
    "| seq | why |",
    "| --- | --- |",
    ...unreadable.map((item) => `| ${item.seq} | ${escapeCell(item.message)} |`),
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
