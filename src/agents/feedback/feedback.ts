import type { AuditAppender } from "../../core/audit.js";
import type { Case } from "../../core/case.js";
import { PolicyError } from "../../core/errors.js";
import type { Store } from "../../core/store.js";
import type { ExplanationCase } from "../evaluation/explanations.js";
import { createKnowledgeBase, defaultEntries, type KnowledgeBase } from "../knowledge/knowledge-base.js";

/** The Store namespace of analyst feedback (key: the case id; value: its feedback, oldest first). */
export const feedbackNamespace = "feedback";

/** An analyst's opinion of what cloudsteward said about a case. */
export interface AnalystFeedback {
  caseId: string;
  verdict: "helpful" | "wrong";
  /** The principal who gave it. */
  by: string;
  /** Where it was given: a Slack button, a Jira comment command, or code. */
  via: "slack" | "jira" | "api";
  at: string;
  /** Why it is wrong, or the correction (`remediation: …` corrects a knowledge-base field; "quoted" text is a fact the explanation must state). */
  comment?: string;
}

/** Options of {@link feedbackLog}. */
export interface FeedbackLogOptions {
  store: Store;
  /** Records each piece of feedback (type `analyst-feedback`). */
  audit?: AuditAppender;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Where analyst feedback is kept with its case: what the Slack handler and Jira command write to. */
export interface FeedbackLog {
  /** Stores one piece of feedback with its case, audited; the same principal's later word on a case (same channel) replaces theirs. */
  record(feedback: Omit<AnalystFeedback, "at">): Promise<AnalystFeedback>;
  /** The feedback on a case, oldest first. */
  forCase(caseId: string): Promise<AnalystFeedback[]>;
}

/**
 * The analyst feedback log in a Store, audited.
 * @example
 * const feedback = feedbackLog({ store, audit });
 * await feedback.record({ caseId: item.id, verdict: "wrong", by: "alice", via: "api", comment: "remediation: Use module acme/s3-private" });
 */
export function feedbackLog(options: FeedbackLogOptions): FeedbackLog {
  const now = options.now ?? (() => new Date());
  return {
    async record(input) {
      if (input.caseId === "" || input.by === "") {
        throw new PolicyError("feedback needs the case id and the principal who gives it");
      }
      const feedback: AnalystFeedback = {
        ...input,
        ...(input.comment !== undefined && { comment: input.comment.slice(0, 2000) }),
        at: now().toISOString(),
      };
      const earlier = (await options.store.get<AnalystFeedback[]>(feedbackNamespace, input.caseId)) ?? [];
      const kept = earlier.filter((item) => !(item.by === feedback.by && item.via === feedback.via));
      await options.store.set(feedbackNamespace, input.caseId, [...kept, feedback]);
      await options.audit?.append({
        type: "analyst-feedback",
        at: feedback.at,
        actor: feedback.by,
        caseId: feedback.caseId,
        data: {
          verdict: feedback.verdict,
          via: feedback.via,
          ...(feedback.comment !== undefined && { comment: feedback.comment }),
        },
      });
      return feedback;
    },
    async forCase(caseId) {
      return (await options.store.get<AnalystFeedback[]>(feedbackNamespace, caseId)) ?? [];
    },
  };
}

/**
 * Reads a Jira comment command: `/cloudsteward helpful` or `/cloudsteward wrong <why or correction>`
 * on a line of its own (case-insensitive); anything else is no command.
 * @example
 * feedbackCommand("/cloudsteward wrong remediation: Use module acme/s3-private"); // { verdict: "wrong", comment: "remediation: Use module acme/s3-private" }
 */
export function feedbackCommand(text: string): Pick<AnalystFeedback, "verdict" | "comment"> | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*\/cloudsteward\s+(helpful|wrong)\b\s*(.*)$/i.exec(line);
    if (!match) continue;
    const comment = match[2]!.trim();
    return {
      verdict: match[1]!.toLowerCase() as AnalystFeedback["verdict"],
      ...(comment !== "" && { comment }),
    };
  }
  return undefined;
}

/** Knowledge-base fields feedback may correct, as `<field>: <text>` in a "wrong" comment. */
const correctable = ["headline", "risk", "impact", "remediation"] as const;

/** An organization's correction of one field of one knowledge-base archetype, from analyst feedback. */
export interface KnowledgeOverride {
  archetype: string;
  field: (typeof correctable)[number];
  text: string;
  /** Who corrected it, when, on which case. */
  by: string;
  at: string;
  caseId: string;
}

/**
 * The corrections in "wrong" feedback (`remediation: …`, `risk: …`, `headline: …`, `impact: …`) for the
 * archetype each case was explained with; the latest correction of a field wins. A case without an
 * explanation archetype, or a comment naming no field, gives none.
 */
export function knowledgeOverrides(
  feedback: readonly AnalystFeedback[],
  cases: readonly Case[],
): KnowledgeOverride[] {
  const byCase = new Map(cases.map((item) => [item.id, item]));
  const latest = new Map<string, KnowledgeOverride>();
  for (const item of [...feedback].sort((a, b) => a.at.localeCompare(b.at))) {
    const archetype = byCase.get(item.caseId)?.explanation?.archetypeId;
    const match = /^\s*(headline|risk|impact|remediation)\s*:\s*(.+)$/is.exec(item.comment ?? "");
    if (item.verdict !== "wrong" || !archetype || !match) continue;
    const field = match[1]!.toLowerCase() as KnowledgeOverride["field"];
    latest.set(`${archetype}\u0000${field}`, {
      archetype,
      field,
      text: match[2]!.trim(),
      by: item.by,
      at: item.at,
      caseId: item.caseId,
    });
  }
  return [...latest.values()];
}

/**
 * A knowledge base with the organization's overrides applied over the built-in entries: the
 * corrected field replaces the entry's text (`remediation` becomes its one step). Pass it to
 * `explain({ knowledge })`.
 * @throws PolicyError for an override of an archetype the knowledge base does not have.
 */
export function withKnowledgeOverrides(overrides: readonly KnowledgeOverride[]): KnowledgeBase {
  const entries = defaultEntries().map((entry) => ({ ...entry }));
  for (const override of overrides) {
    const entry = entries.find((candidate) => candidate.id === override.archetype);
    if (!entry) throw new PolicyError(`No knowledge-base archetype ${override.archetype} to override`);
    if (override.field === "remediation") entry.remediation = [override.text];
    else entry[override.field] = override.text;
  }
  return createKnowledgeBase(entries);
}

/**
 * Explanation evaluation cases from "wrong" feedback on explained cases: the case's finding and
 * context, the archetype it was explained with, and as required facts the "quoted" phrases of the
 * comment (else the resource name), so the set keeps checking what the analyst said was missing.
 */
export function feedbackEvaluationCases(
  feedback: readonly AnalystFeedback[],
  cases: readonly Case[],
): ExplanationCase[] {
  const byCase = new Map(cases.map((item) => [item.id, item]));
  const result: ExplanationCase[] = [];
  for (const item of feedback) {
    const explained = byCase.get(item.caseId);
    const finding = explained?.findings[0];
    const archetype = explained?.explanation?.archetypeId;
    if (item.verdict !== "wrong" || !finding || !archetype) continue;
    const quoted = [...(item.comment ?? "").matchAll(/"([^"]{2,200})"/g)].map((match) => match[1]!);
    const context = explained.context;
    result.push({
      id: `feedback-${item.caseId}-${item.by}`,
      finding: {
        platform: finding.source.platform,
        title: finding.title,
        description: finding.description,
        category: finding.category,
        severity: finding.severity,
        rule: {
          id: finding.rule.id,
          name: finding.rule.name,
          ...(finding.rule.remediation && { remediation: finding.rule.remediation }),
        },
        resource: {
          type: finding.resource.type,
          name: finding.resource.name,
          cloud: finding.resource.cloud,
          accountId: finding.resource.accountId,
          ...(finding.resource.region && { region: finding.resource.region }),
          tags: finding.resource.tags,
        },
      },
      context: {
        ...(context?.owner && { owner: context.owner.value }),
        ...(context?.environment && { environment: context.environment.value }),
        ...(context?.dataClassification && { dataClassification: context.dataClassification.value }),
      },
      archetype,
      requiredFacts: quoted.length > 0 ? quoted : [finding.resource.name],
    });
  }
  return result;
}
