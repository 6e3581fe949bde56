import type { Finding } from "../../core/finding.js";
import type { Stage } from "../../core/stage.js";
import type { Store } from "../../core/store.js";
import { withholdFinding } from "../../core/withheld.js";
import { type ExceptionRecord, listExceptions } from "./exceptions.js";

/** The finding facts matching reads: rule, resource, account and tags. */
export type MatchableFinding = {
  rule: Pick<Finding["rule"], "id">;
  resource: Pick<Finding["resource"], "id" | "accountId" | "tags">;
};

/**
 * Active exceptions by what they cover, for constant-time lookups: a finding is matched by its rule
 * with its resource, its account, or any of its tags — never by scanning the exceptions.
 */
export interface ExceptionIndex {
  /** How many exceptions it holds. */
  readonly size: number;
  /**
   * The exception covering `finding` at `at`: one approved by its quorum (`approved` or `active`)
   * with `startsAt <= at < expiresAt`. One past its expiry matches nothing, even before the expiry
   * sweep has marked it, so a lapse never hides a finding.
   */
  match(finding: MatchableFinding, at: Date): ExceptionRecord | undefined;
}

interface Entry {
  record: ExceptionRecord;
  startsAt: number;
  expiresAt: number;
}

/**
 * Builds an {@link ExceptionIndex} from records; records neither `approved` nor `active` are left out.
 * @example
 * const records = [];
 * for await (const record of listExceptions({ store }, ["active"])) records.push(record);
 * const index = exceptionIndex(records);
 * index.match(finding, new Date())?.id; // "exc_…" or undefined
 */
export function exceptionIndex(records: Iterable<ExceptionRecord>): ExceptionIndex {
  const byResource = new Map<string, Entry[]>();
  const byAccount = new Map<string, Entry[]>();
  const byTag = new Map<string, Entry[]>();
  /** Rules with at least one tag exception: only their findings' tags are looked up. */
  const tagRules = new Set<string>();
  let size = 0;
  for (const record of records) {
    if (record.state !== "approved" && record.state !== "active") continue;
    size++;
    const entry = { record, startsAt: Date.parse(record.startsAt), expiresAt: Date.parse(record.expiresAt) };
    for (const target of record.targets) {
      if (target.resourceId !== undefined) add(byResource, key(target.ruleId, target.resourceId), entry);
      else if (target.accountId !== undefined) add(byAccount, key(target.ruleId, target.accountId), entry);
      else if (target.tag !== undefined) {
        tagRules.add(target.ruleId);
        add(byTag, key(target.ruleId, target.tag.key, target.tag.value), entry);
      }
    }
  }
  return {
    size,
    match(finding, at) {
      const time = at.getTime();
      const ruleId = finding.rule.id;
      const found =
        live(byResource.get(key(ruleId, finding.resource.id)), time) ??
        live(byAccount.get(key(ruleId, finding.resource.accountId)), time);
      if (found || !tagRules.has(ruleId)) return found;
      for (const [name, value] of Object.entries(finding.resource.tags)) {
        const tagged = live(byTag.get(key(ruleId, name, value)), time);
        if (tagged) return tagged;
      }
      return undefined;
    },
  };
}

/** Options of {@link applyExceptions}. */
export interface ApplyExceptionsOptions {
  /** Where the exceptions are kept. @default the pipeline's store (`context.store`) */
  store?: Store;
}

/**
 * A stage to put before `triage`: it withholds every finding an approved, unexpired exception
 * covers (read from the Store when the run starts) and passes the others on unchanged. Nothing is
 * dropped silently: at the end, each exception that matched gets a `suppression` audit record with
 * its id and the finding ids, and the run report a warning (`feature: "exceptions.suppressed"`)
 * with the counts per exception; `triage` names the exception in the case of each withheld finding's
 * group (`Case.exceptions`), when that case has findings left.
 * @example
 * await pipeline({ source, stages: [applyExceptions(), triage(), enrich(), decide({ policy })], store }).start();
 */
export function applyExceptions(options: ApplyExceptionsOptions = {}): Stage<Finding, Finding> {
  return {
    name: "exceptions",
    async *run(input, context) {
      const store = options.store ?? context.store;
      const records: ExceptionRecord[] = [];
      for await (const record of listExceptions({ store }, ["approved", "active"])) records.push(record);
      const index = exceptionIndex(records);
      const suppressed = new Map<string, { record: ExceptionRecord; findingIds: string[] }>();
      for await (const finding of input) {
        const record = index.size === 0 ? undefined : index.match(finding, context.now());
        if (!record) {
          yield finding;
          continue;
        }
        withholdFinding(context.report, finding, {
          id: record.id,
          kind: record.kind,
          expiresAt: record.expiresAt,
        });
        const hits = suppressed.get(record.id);
        if (hits) hits.findingIds.push(finding.id);
        else suppressed.set(record.id, { record, findingIds: [finding.id] });
      }
      if (suppressed.size === 0) return;
      const at = context.now().toISOString();
      await context.audit(
        ...[...suppressed.values()].map(({ record, findingIds }) => ({
          type: "suppression",
          at,
          actor: "cloudsteward/exceptions",
          findingIds,
          data: { exceptionId: record.id, kind: record.kind, expiresAt: record.expiresAt },
        })),
      );
      const byException = Object.fromEntries(
        [...suppressed].map(([id, hits]) => [id, hits.findingIds.length]),
      );
      const total = Object.values(byException).reduce((sum, count) => sum + count, 0);
      context.warn({
        type: "other",
        level: "info",
        source: "exceptions",
        feature: "exceptions.suppressed",
        message: `exceptions: ${total} finding${total === 1 ? "" : "s"} withheld by ${suppressed.size} exception${suppressed.size === 1 ? "" : "s"}.`,
        details: { total, byException },
      });
    },
  };
}

// Internal helpers.

function key(...parts: string[]): string {
  return parts.join("\u0000");
}

function add(map: Map<string, Entry[]>, name: string, entry: Entry): void {
  const entries = map.get(name);
  if (entries) entries.push(entry);
  else map.set(name, [entry]);
}

function live(entries: Entry[] | undefined, time: number): ExceptionRecord | undefined {
  if (!entries) return undefined;
  for (const entry of entries) if (entry.startsAt <= time && time < entry.expiresAt) return entry.record;
  return undefined;
}
