import type { Case, Snippet } from "../../core/case.js";
import type { Finding, Severity } from "../../core/finding.js";
import { redact } from "../../core/redact.js";

/** One resource row of a rendered case. */
export interface ResourceRow {
  name: string;
  type: string;
  account: string;
  region: string;
  status: Finding["status"];
}

/** Everything a renderer shows, drawn from a case and its explanation (or the findings alone). */
export interface CaseView {
  /** One-line title, e.g. `[HIGH] Public S3 bucket acme-logs (3 resources)`. */
  title: string;
  headline: string;
  severity: Severity;
  risk: string;
  whyItMatters?: string;
  likelyIntent?: string;
  remediationSteps: string[];
  snippets: Snippet[];
  controls: string[];
  /** The organization's runbook passages the explanation cites, as `path § heading`. */
  references: string[];
  resources: ResourceRow[];
  /** Resources not listed because of `maxResources`. */
  moreResources: number;
  consoleUrl?: string;
  owner?: string;
  dueDate?: string;
  caseId: string;
}

/** Options every renderer accepts. */
export interface RenderOptions {
  /** The due date to show (the action's SLA date). */
  dueDate?: string;
  /** Resources listed before "and N more". @default 50 */
  maxResources?: number;
  /**
   * Show finding text as it is, without masking secrets (`redact`). Line breaks and control
   * characters are still removed from one-line fields. @default false
   */
  raw?: boolean;
}

/**
 * Builds the renderer-neutral view of a case. Without an explanation it falls back to the first
 * finding's description and the rule's remediation text. Every string is safe to render: secrets
 * are masked with `redact` (unless `raw`), every field but a snippet's code is one line without
 * control or invisible characters, and `consoleUrl` is kept only when it is an absolute http(s) URL.
 * Each renderer still escapes for its own markup.
 * @example
 * const view = caseView(action.case, { dueDate: action.dueDate });
 */
export function caseView(item: Case, options: RenderOptions = {}): CaseView {
  const first = item.findings[0]!;
  const explanation = item.explanation;
  const maxResources = options.maxResources ?? 50;
  const rows = uniqueResources(item.findings);
  // A big case carries a sample of its findings; its resource count covers all of them.
  const resourceCount = Math.max(item.resourceCount ?? 0, rows.length);
  const view: CaseView = {
    title: "",
    headline: explanation?.headline ?? first.title,
    severity: item.severity,
    risk: explanation?.risk ?? (first.description || first.title),
    whyItMatters: explanation?.whyItMatters,
    likelyIntent: explanation?.likelyIntent,
    remediationSteps:
      explanation?.remediationSteps ?? (first.rule.remediation ? [first.rule.remediation] : []),
    snippets: explanation?.snippets ?? [],
    controls: (explanation?.controls ?? first.rule.controls).map((c) => `${c.framework} ${c.control}`),
    references: (explanation?.references ?? []).map(
      (reference) => `${reference.path} § ${reference.heading}`,
    ),
    resources: rows.slice(0, maxResources),
    moreResources: Math.max(0, resourceCount - Math.min(rows.length, maxResources)),
    consoleUrl: explanation?.consoleUrl ?? first.source.url,
    owner: item.context?.owner?.value,
    dueDate: options.dueDate,
    caseId: item.id,
  };
  // Finding text is untrusted: secrets are masked (unless `raw`) and every field but a snippet's
  // code becomes one line, so `nobody\nSeverity: LOW` cannot forge a field of the message.
  const safe = sanitizeView(options.raw === true ? view : redact(view));
  const count = resourceCount > 1 ? ` (${resourceCount} resources)` : "";
  safe.title = truncate(`[${item.severity.toUpperCase()}] ${safe.headline}${count}`, 250);
  return safe;
}

/**
 * Makes untrusted text one line: control characters, invisible and bidi characters become nothing,
 * line breaks and tabs a space, and runs of spaces one space.
 * @example
 * singleLine("nobody\nSeverity: LOW"); // "nobody Severity: LOW"
 */
export function singleLine(value: string): string {
  return stripInvisible(value)
    .replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, " ")
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, "")
    .replace(/ {2,}/g, " ")
    .trim();
}

/**
 * Removes control, invisible and bidi characters from multi-line text (code), keeping line breaks and tabs.
 * @example
 * multiLine("aws s3 ls\u202E"); // "aws s3 ls"
 */
export function multiLine(value: string): string {
  return stripInvisible(value)
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, "\n")
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "");
}

/**
 * The owner value as an e-mail address, only when it is exactly one well-formed address: not a
 * list (`a@b.com, evil@x.com`), a display name (`"x" <evil@x.com>`) or anything with spaces,
 * quotes, angle brackets or control characters.
 * @example
 * emailAddress("alice@example.com"); // "alice@example.com"
 * emailAddress("a@b.com, evil@x.com"); // undefined
 */
export function emailAddress(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 254) return undefined;
  const match = emailPattern.exec(value);
  if (match === null) return undefined;
  const [, local = "", domain = ""] = match;
  if (local.length > 64 || local.startsWith(".") || local.endsWith(".") || local.includes(".."))
    return undefined;
  if (domain.split(".").some((label) => label.length > 63)) return undefined;
  return value;
}

/** Shortens `text` to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function uniqueResources(findings: readonly Finding[]): ResourceRow[] {
  const rows = new Map<string, ResourceRow>();
  for (const finding of findings) {
    const { resource } = finding;
    const previous = rows.get(resource.id);
    // A resource stays open in the table while any of its findings is open.
    if (previous && previous.status !== "resolved") continue;
    rows.set(resource.id, {
      name: resource.name || resource.id,
      type: resource.type,
      account: resource.accountName ? `${resource.accountName} (${resource.accountId})` : resource.accountId,
      region: resource.region ?? "-",
      status: finding.status,
    });
  }
  return [...rows.values()];
}

/** One address: a dot-atom local part (no quotes), `@`, and a host name with an alphabetic top-level label. */
const emailPattern =
  /^([A-Za-z0-9!#$%&'*+/=?^_`{}~.-]+)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/;

/** Zero-width, joiner, soft-hyphen, word-joiner, BOM, bidi-control and Unicode tag characters. */
const invisible =
  /\u034F|[\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\u{E0000}-\u{E007F}]/gu;

function stripInvisible(value: string): string {
  return value.replace(invisible, "");
}

function sanitizeView(view: CaseView): CaseView {
  const line = (value: string | undefined) => (value === undefined ? undefined : singleLine(value));
  return {
    ...view,
    headline: singleLine(view.headline),
    risk: singleLine(view.risk),
    whyItMatters: line(view.whyItMatters),
    likelyIntent: line(view.likelyIntent),
    remediationSteps: view.remediationSteps.map(singleLine),
    snippets: view.snippets.map((snippet) => ({
      language: singleLine(snippet.language).replace(/[^\w+#.-]/g, ""),
      label: singleLine(snippet.label),
      code: multiLine(snippet.code),
    })),
    controls: view.controls.map(singleLine),
    references: view.references.map(singleLine),
    resources: view.resources.map((row) => ({
      name: singleLine(row.name),
      type: singleLine(row.type),
      account: singleLine(row.account),
      region: singleLine(row.region),
      status: row.status,
    })),
    consoleUrl: safeUrl(view.consoleUrl),
    owner: line(view.owner),
    dueDate: line(view.dueDate),
  };
}

/** Only an absolute http(s) URL without spaces or control characters is linked. */
function safeUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = value.trim();
  return /^https?:\/\/[^\s<>"'`\\|{}^\u0000-\u001F\u007F-\u009F]+$/i.test(url) ? url : undefined;
}
