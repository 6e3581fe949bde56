import type { Case, Snippet } from "../../core/case.js";
import type { Finding, Severity } from "../../core/finding.js";

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
}

/**
 * Builds the renderer-neutral view of a case. Without an explanation it falls back to the first
 * finding's description and the rule's remediation text.
 * @example
 * const view = caseView(action.case, { dueDate: action.dueDate });
 */
export function caseView(item: Case, options: RenderOptions = {}): CaseView {
  const first = item.findings[0]!;
  const explanation = item.explanation;
  const maxResources = options.maxResources ?? 50;
  const rows = uniqueResources(item.findings);
  const headline = explanation?.headline ?? first.title;
  const count = rows.length > 1 ? ` (${rows.length} resources)` : "";
  return {
    title: truncate(`[${item.severity.toUpperCase()}] ${headline}${count}`, 250),
    headline,
    severity: item.severity,
    risk: explanation?.risk ?? (first.description || first.title),
    whyItMatters: explanation?.whyItMatters,
    likelyIntent: explanation?.likelyIntent,
    remediationSteps:
      explanation?.remediationSteps ?? (first.rule.remediation ? [first.rule.remediation] : []),
    snippets: explanation?.snippets ?? [],
    controls: (explanation?.controls ?? first.rule.controls).map((c) => `${c.framework} ${c.control}`),
    resources: rows.slice(0, maxResources),
    moreResources: Math.max(0, rows.length - maxResources),
    consoleUrl: explanation?.consoleUrl ?? first.source.url,
    owner: item.context?.owner?.value,
    dueDate: options.dueDate,
    caseId: item.id,
  };
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
