import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { AuditAppender } from "../../core/audit.js";
import { ConfigurationError, type ErrorIssue, toErrorIssues } from "../../core/errors.js";
import { severitySchema } from "../../core/finding.js";
import type { Store } from "../../core/store.js";
import { definePolicy } from "../policy/define.js";
import { parseLocatedYaml } from "../policy/load.js";
import type { Policy, PolicyInput } from "../policy/schema.js";
import { scheduleException } from "./due.js";
import { ExceptionError } from "./errors.js";
import {
  auditOf,
  type ExceptionRecord,
  type ExceptionTarget,
  exceptionNamespace,
  exceptionPolicyOf,
  listed,
} from "./exceptions.js";
import { compensatingControlSchema } from "./schema.js";

const dateSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** One exception as declared in `exceptions.yaml`: what it covers, who asked, who approved it in review, until when. */
export const exceptionsFileEntrySchema = z
  .strictObject({
    /** Stable and unique in the file (lower case, digits, `-`): the exception's name across edits. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
    kind: z.enum(["exception", "risk-acceptance"]).default("exception"),
    /** The rule it bypasses. */
    rule: z.string().min(1),
    /** Exactly one of `resources`, `accounts` or `tag`: what the rule is bypassed on. */
    resources: z.array(z.string().min(1)).min(1).optional(),
    accounts: z.array(z.string().min(1)).min(1).optional(),
    tag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }).optional(),
    /** The highest severity it covers: bounds its duration (`maxDays`) and its quorum. */
    severity: severitySchema,
    /** A principal declared in the policy. */
    requester: z.string().min(1),
    /** The approvers who reviewed the pull request: principals the policy lets approve. */
    approvedBy: z.array(z.string().min(1)).min(1),
    justification: z.string().trim(),
    /** When it takes effect (`YYYY-MM-DD` is midnight UTC). @default when it is first synced */
    from: dateSchema.optional(),
    /** When it expires (`YYYY-MM-DD` is midnight UTC). */
    until: dateSchema,
    compensatingControls: z.array(compensatingControlSchema).default([]),
    residualRisk: z.enum(["critical", "high", "medium", "low"]).optional(),
  })
  .refine(
    (entry) =>
      [entry.resources, entry.accounts, entry.tag].filter((scope) => scope !== undefined).length === 1,
    { message: "give exactly one of resources, accounts or tag", path: ["rule"] },
  );
/** An `exceptions.yaml` entry as validated. */
export type ExceptionsFileEntry = z.output<typeof exceptionsFileEntrySchema>;

/** The shape of `exceptions.yaml`: `exceptions:` and a list of entries. */
export const exceptionsFileSchema = z.strictObject({
  exceptions: z.array(exceptionsFileEntrySchema).default([]),
});

/** An issue of `exceptions.yaml`, with where it is. */
export interface ExceptionsFileIssue extends ErrorIssue {
  /** 1-based line (of the field, or of its nearest parent when it is missing). */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** `filename:line:column`. */
  location?: string;
  /** `warning`: valid but probably a mistake (already expired). @default "error" */
  level?: "error" | "warning";
}

/** Options of {@link lintExceptionsFile} and {@link loadExceptionsFile}. */
export interface ExceptionsFileOptions {
  /** Checks principals, approvers, scopes, durations, quorum and justifications (`policy.exceptions`). */
  policy: Policy | PolicyInput;
  /** Named in issues (`exceptions.yaml:12:5`). @default "exceptions.yaml" */
  filename?: string;
  /** The commit that carries the file (e.g. `$GITHUB_SHA`), recorded with each exception. */
  commit?: string;
  /** The clock: `from` defaults to it, and an entry past its `until` is a warning. @default () => new Date() */
  now?: () => Date;
}

/** What {@link lintExceptionsFile} found: the exceptions when valid, and every issue with its position. */
export interface ExceptionsFileLint {
  /** The exceptions the file declares, as records to sync; empty when there are errors. */
  records: ExceptionRecord[];
  /** Errors and warnings, in file order. */
  issues: ExceptionsFileIssue[];
}

const dayMs = 86_400_000;

/**
 * Validates the text of `exceptions.yaml` against its schema and the policy, never throwing on its
 * content: each issue names its field and `file:line:column`. Beyond the shape: ids are unique, the
 * requester and every approver are principals the policy declares, approvers may approve exceptions and
 * are not the requester, a critical entry has the policy's quorum, the scope is allowed, the
 * justification long enough, a risk acceptance has a residual-risk rating, `until` is after `from` and
 * within `maxDays` of it for the severity. An entry already past its `until` is a warning.
 * @example
 * const { issues } = lintExceptionsFile(await readFile("exceptions.yaml", "utf8"), { policy });
 * for (const issue of issues) console.log(`${issue.location} ${issue.path.join(".")}: ${issue.message}`);
 */
export function lintExceptionsFile(text: string, options: ExceptionsFileOptions): ExceptionsFileLint {
  const filename = options.filename ?? "exceptions.yaml";
  const yaml = parseLocatedYaml(text, filename);
  if (yaml.syntaxIssues.length > 0) return { records: [], issues: yaml.syntaxIssues };
  const located = (issue: ExceptionsFileIssue): ExceptionsFileIssue => ({ ...issue, ...yaml.at(issue.path) });
  const parsed = exceptionsFileSchema.safeParse(yaml.value ?? {});
  if (!parsed.success) return { records: [], issues: toErrorIssues(parsed.error.issues).map(located) };

  const policy = definePolicy(options.policy);
  const rules = exceptionPolicyOf(policy);
  const now = (options.now ?? (() => new Date()))();
  const issues: ExceptionsFileIssue[] = [];
  const records: ExceptionRecord[] = [];
  const seen = new Set<string>();
  parsed.data.exceptions.forEach((entry, index) => {
    const path = ["exceptions", index];
    const problem = (field: string | (string | number)[], message: string, level?: "warning") =>
      issues.push(located({ path: [...path, ...[field].flat()], message, ...(level ? { level } : {}) }));
    const before = issues.length;
    if (seen.has(entry.id)) problem("id", `"${entry.id}" is declared twice`);
    seen.add(entry.id);
    const principal = (id: string) => policy.principals.find((candidate) => candidate.id === id);
    const requester = principal(entry.requester);
    if (!requester) problem("requester", `"${entry.requester}" is not a principal declared in the policy`);
    else if (rules.requesters.length > 0 && !listed(rules.requesters, requester)) {
      problem(
        "requester",
        `"${entry.requester}" may not request exceptions (requesters: ${rules.requesters.join(", ")})`,
      );
    }
    const approvers = new Set<string>();
    entry.approvedBy.forEach((id, position) => {
      const approver = principal(id);
      const at = ["approvedBy", position];
      if (!approver) problem(at, `"${id}" is not a principal declared in the policy`);
      else if (!listed(rules.approvers, approver)) {
        problem(at, `"${id}" may not approve exceptions (approvers: ${rules.approvers.join(", ")})`);
      } else if (id === entry.requester) problem(at, `"${id}" is the requester and may not approve`);
      else approvers.add(id);
    });
    const required = entry.severity === "critical" ? rules.criticalQuorum : 1;
    if (required > 1 && approvers.size < required) {
      problem("approvedBy", `a critical exception needs ${required} distinct approvers`);
    }
    const scope = entry.resources ? "resource" : entry.accounts ? "rule-on-account" : "tag";
    if (!rules.scopes.includes(scope)) {
      problem(
        scope === "resource" ? "resources" : scope === "tag" ? "tag" : "accounts",
        `the policy does not allow the scope "${scope}"`,
      );
    }
    if (entry.justification.length < rules.minJustificationLength) {
      problem(
        "justification",
        `a business justification of at least ${rules.minJustificationLength} characters is required`,
      );
    }
    if (entry.kind === "risk-acceptance" && entry.residualRisk === undefined) {
      problem(
        "residualRisk",
        "a risk acceptance needs a residual-risk rating (critical, high, medium or low)",
      );
    }
    const from = entry.from === undefined ? now.getTime() : Date.parse(entry.from);
    const until = Date.parse(entry.until);
    const maxDays = rules.maxDays[entry.severity];
    if (entry.from !== undefined && until <= from) problem("until", "until must be after from");
    else if (until - from > maxDays * dayMs) {
      problem(
        "until",
        `a ${entry.severity} exception may last at most ${maxDays} days (this one ${Math.ceil((until - from) / dayMs)})`,
      );
    }
    if (until <= now.getTime())
      problem("until", `expired on ${entry.until}: remove the entry or renew it`, "warning");
    if (issues.slice(before).some((issue) => issue.level !== "warning")) return;
    records.push(
      recordOf(entry, { filename, line: yaml.at(path).line, commit: options.commit, now, required }),
    );
  });
  return { records: issues.some((issue) => issue.level !== "warning") ? [] : records, issues };
}

/**
 * Reads and validates `exceptions.yaml` ({@link lintExceptionsFile}) and returns its exceptions.
 * @throws ConfigurationError when the file cannot be read; ExceptionError listing every error as
 * `exceptions.yaml:12:5 exceptions.0.until: …` (its `issues` carry `line` and `column`).
 * @example
 * const records = await loadExceptionsFile("exceptions.yaml", { policy, commit: process.env.GITHUB_SHA });
 */
export async function loadExceptionsFile(
  path: string,
  options: Omit<ExceptionsFileOptions, "filename">,
): Promise<ExceptionRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new ConfigurationError(`loadExceptionsFile: cannot read ${path} (${code}).`, {
      option: "path",
      cause: error,
    });
  }
  const { records, issues } = lintExceptionsFile(text, { ...options, filename: path });
  const errors = issues.filter((issue) => issue.level !== "warning");
  if (errors.length === 0) return records;
  const lines = errors.map(
    (issue) => `  ${issue.location ?? path} ${issue.path.join(".") || "(root)"}: ${issue.message}`,
  );
  throw new ExceptionError(
    `${path}: ${errors.length} invalid exception entr${errors.length === 1 ? "y" : "ies"}:\n${lines.join("\n")}`,
    { field: errors[0]?.path.join(".") || "file", issues: errors },
  );
}

/** Options of {@link syncExceptionsFile}. */
export interface SyncExceptionsFileOptions {
  store: Store;
  policy: Policy | PolicyInput;
  /** Records each addition, change and removal (type `exception`, steps `file-added`, `file-revoked`). */
  audit?: AuditAppender;
  /** @default () => new Date() */
  now?: () => Date;
}

/** What {@link syncExceptionsFile} changed in the Store. */
export interface SyncExceptionsFileResult {
  /** Exceptions new to the Store (a new entry, or a changed one: a new version). */
  added: string[];
  /** Open exceptions the file no longer declares (removed or replaced by a new version), now `revoked`. */
  revoked: string[];
  /** Entries already in the Store as they are. */
  unchanged: string[];
}

/**
 * Loads the file's exceptions alongside the Store's, so `applyExceptions`, the expiry sweep, the CLI
 * and the history see them like any other. Each version of an entry is its own exception
 * (`exc_file_<entry id>_<digest>`): an edited entry (a longer `until`) is a new exception that
 * `renews` the previous one, which is revoked; an entry deleted from the file is revoked at once.
 * Expiry is left to `sweepExceptions`, which reminds and resurfaces file exceptions like the others.
 * Run it after the file's pull request merges (CI), with the commit. Idempotent.
 * @example
 * const records = await loadExceptionsFile("exceptions.yaml", { policy, commit: process.env.GITHUB_SHA });
 * await syncExceptionsFile(records, { store, policy, audit });
 */
export async function syncExceptionsFile(
  records: readonly ExceptionRecord[],
  options: SyncExceptionsFileOptions,
): Promise<SyncExceptionsFileResult> {
  const rules = exceptionPolicyOf(definePolicy(options.policy));
  const now = (options.now ?? (() => new Date()))();
  const { store } = options;
  const result: SyncExceptionsFileResult = { added: [], revoked: [], unchanged: [] };
  const wanted = new Set(records.map((record) => record.id));
  const previous = new Map<string, ExceptionRecord[]>(); // entry id → its stored versions
  for await (const { value } of store.list<ExceptionRecord>(exceptionNamespace, { prefix: filePrefix })) {
    if (!value.origin) continue;
    previous.set(value.origin.entryId, [...(previous.get(value.origin.entryId) ?? []), value]);
  }
  for (const record of records) {
    const entryId = record.origin?.entryId ?? record.id;
    const versions = previous.get(entryId) ?? [];
    if (versions.some((version) => version.id === record.id)) {
      result.unchanged.push(record.id);
      continue;
    }
    const latest = versions.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).at(-1);
    const next = latest ? { ...record, renews: latest.id } : record;
    if (!(await store.setIfAbsent(exceptionNamespace, next.id, next))) continue;
    await scheduleException(store, next, rules);
    await options.audit?.append(auditOf(next, next.requester, now, "file-added"));
    result.added.push(next.id);
  }
  for (const versions of previous.values()) {
    for (const version of versions) {
      if (wanted.has(version.id) || !["requested", "approved", "active"].includes(version.state)) continue;
      const ended: ExceptionRecord = {
        ...version,
        state: "revoked",
        endedBy: version.origin?.file ?? "exceptions.yaml",
        endedAt: now.toISOString(),
        comment: `no longer declared in ${version.origin?.file ?? "exceptions.yaml"} as it was`,
      };
      if (await store.compareAndSet(exceptionNamespace, version.id, version, ended)) {
        await options.audit?.append(auditOf(ended, ended.endedBy as string, now, "file-revoked"));
        result.revoked.push(version.id);
      }
    }
  }
  return result;
}

// Internal helpers.

const filePrefix = "exc_file_";

function recordOf(
  entry: ExceptionsFileEntry,
  context: {
    filename: string;
    line: number | undefined;
    commit: string | undefined;
    now: Date;
    required: number;
  },
): ExceptionRecord {
  const { filename, line, commit, now, required } = context;
  // The id changes with any field of the entry, so an edit is a new version and the unchanged file syncs to nothing.
  const digest = createHash("sha256").update(JSON.stringify(entry)).digest("hex").slice(0, 12);
  const targets: ExceptionTarget[] = entry.resources
    ? entry.resources.map((resourceId) => ({ ruleId: entry.rule, resourceId }))
    : entry.accounts
      ? entry.accounts.map((accountId) => ({ ruleId: entry.rule, accountId }))
      : [{ ruleId: entry.rule, tag: entry.tag as { key: string; value: string } }];
  const startsAt = entry.from === undefined ? now : new Date(entry.from);
  const at = now.toISOString();
  const review = `approved in review of ${filename}${commit ? ` at commit ${commit}` : ""}`;
  return {
    id: `${filePrefix}${entry.id}_${digest}`,
    kind: entry.kind,
    state: startsAt.getTime() > now.getTime() ? "approved" : "active",
    scope: entry.resources
      ? "resource"
      : entry.accounts
        ? "rule-on-account"
        : { tag: entry.tag as { key: string; value: string } },
    targets,
    findingIds: [],
    severity: entry.severity,
    requester: entry.requester,
    justification: entry.justification,
    compensatingControls: entry.compensatingControls,
    ...(entry.residualRisk === undefined ? {} : { residualRisk: entry.residualRisk }),
    requestedAt: at,
    startsAt: startsAt.toISOString(),
    expiresAt: new Date(entry.until).toISOString(),
    requiredApprovals: required,
    approvals: [...new Set(entry.approvedBy)].map((principal) => ({ principal, at, comment: review })),
    origin: {
      file: filename,
      entryId: entry.id,
      ...(line === undefined ? {} : { line }),
      ...(commit === undefined ? {} : { commit }),
    },
  };
}
