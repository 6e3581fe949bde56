import { resolveWebhookSecret } from "../adapters/shared/webhook.js";
import { type AnalystFeedback, feedbackCommand, feedbackLog } from "../agents/feedback/feedback.js";
import type { AuditAppender } from "../core/audit.js";
import { ticketLedger } from "../core/ledger.js";
import type { Secret } from "../core/secret.js";
import type { Store } from "../core/store.js";
import { jiraSigned, json } from "./exception-webhooks.js";

/** Options of the Jira comment-command route of `createWebhookHandler({ jiraFeedback })`. */
export interface JiraFeedbackWebhookOptions {
  /**
   * The secret the Jira admin webhook (event `comment_created`) was registered with: Jira signs the
   * raw body (`X-Hub-Signature: sha256=<hex HMAC-SHA256>`); an unsigned or wrongly signed request is refused.
   * @default process.env.JIRA_WEBHOOK_SECRET
   */
  secret?: Secret;
  /** The Store the Jira sink's ticket ledger is in (issue key → case); feedback is stored there too. */
  store: Store;
  /** Records each piece of feedback (`analyst-feedback`) and each refused command (`analyst-feedback-refused`). */
  audit?: AuditAppender;
  /**
   * Maps the comment author's Jira account id to a policy principal; return undefined to refuse them.
   * @default the account id itself
   */
  principalFor?: (accountId: string) => string | undefined | Promise<string | undefined>;
  /** The name of the Jira sink, whose ledger (`ledger:<sink>`) maps issue keys to cases. @default "jira" */
  sink?: string;
  /** Called with what became of each command comment. */
  onResult?: (result: JiraFeedbackResult) => void | Promise<void>;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/** What became of one Jira comment. */
export interface JiraFeedbackResult {
  /** `recorded`, `refused` (unknown author or issue), `duplicate` (the comment was seen before) or `ignored` (no command). */
  outcome: "recorded" | "refused" | "duplicate" | "ignored";
  issueKey?: string;
  commentId?: string;
  accountId?: string;
  /** The feedback stored, when recorded. */
  feedback?: AnalystFeedback;
  /** Why it was refused. */
  reason?: string;
}

/** The Store namespace of the Jira comments whose command was recorded (key: the comment id). */
export const jiraFeedbackCommentsNamespace = "feedback:jira-comments";

/**
 * Handles one Jira `comment_created` webhook request: verifies the signature (401 otherwise), reads
 * the comment's `/cloudsteward helpful|wrong <why>` command (`feedbackCommand`; the body as a string,
 * or as an ADF document), finds the issue's case in the Jira sink's ticket ledger (the entry whose
 * reference is the issue key), maps the author with `principalFor` and stores the feedback with
 * `feedbackLog` (`via: "jira"`), audited. A comment is recorded once, however often Jira redelivers it.
 * An unknown author or an issue cloudsteward did not create is refused and audited; a comment with no
 * command is ignored. Answers 200 with the outcome (so Jira does not retry), 400 for a body that is not JSON.
 * The ledger is scanned for the issue key, only for comments that hold a command.
 * @example
 * const response = await handleJiraFeedbackWebhook(request, { store, audit, principalFor: (id) => jiraUsers[id] });
 */
export async function handleJiraFeedbackWebhook(
  request: Request,
  options: JiraFeedbackWebhookOptions,
): Promise<Response> {
  if (request.method !== "POST") return json(405, { error: "POST to /feedback/jira." });
  const body = await request.text();
  const secret = await resolveWebhookSecret(options.secret, {
    env: "JIRA_WEBHOOK_SECRET",
    option: "jiraFeedback.secret",
    integration: "createWebhookHandler",
  });
  if (!jiraSigned(request, body, secret)) return json(401, { error: "Unauthorized." });
  let payload: CommentEvent | null;
  try {
    payload = JSON.parse(body) as CommentEvent | null;
  } catch {
    return json(400, { error: "The body is not JSON." });
  }
  const result = await applyComment(payload, options);
  await options.onResult?.(result);
  return json(200, { outcome: result.outcome });
}

// Internal helpers.

interface CommentEvent {
  webhookEvent?: unknown;
  comment?: { id?: unknown; body?: unknown; author?: { accountId?: unknown } };
  issue?: { key?: unknown };
}

async function applyComment(
  payload: CommentEvent | null,
  options: JiraFeedbackWebhookOptions,
): Promise<JiraFeedbackResult> {
  const issueKey = stringOf(payload?.issue?.key);
  const commentId = stringOf(payload?.comment?.id);
  const accountId = stringOf(payload?.comment?.author?.accountId);
  const command =
    payload?.webhookEvent === "comment_created" ? feedbackCommand(textOf(payload.comment?.body)) : undefined;
  const seen = { issueKey, commentId, accountId };
  if (!command || !issueKey || !commentId) return { outcome: "ignored", ...seen };
  const refuse = async (reason: string): Promise<JiraFeedbackResult> => {
    await options.audit?.append({
      type: "analyst-feedback-refused",
      at: (options.now ?? (() => new Date()))().toISOString(),
      actor: accountId ? `jira:${accountId}` : "jira:(unknown)",
      data: { via: "jira", issueKey, commentId, verdict: command.verdict, reason },
    });
    return { outcome: "refused", ...seen, reason };
  };
  const principal = accountId ? await (options.principalFor ?? ((id: string) => id))(accountId) : undefined;
  if (principal === undefined) {
    return refuse(`Jira account ${accountId ?? "(none)"} maps to no principal of the policy`);
  }
  const caseId = await caseOfIssue(options, issueKey);
  if (caseId === undefined) return refuse(`no case is recorded for Jira issue ${issueKey}`);
  if (!(await options.store.setIfAbsent(jiraFeedbackCommentsNamespace, commentId, { issueKey, caseId }))) {
    return { outcome: "duplicate", ...seen };
  }
  try {
    const feedback = await feedbackLog(options).record({ caseId, ...command, by: principal, via: "jira" });
    return { outcome: "recorded", ...seen, feedback };
  } catch (error) {
    // Forget the comment, so Jira's redelivery is recorded.
    await options.store.delete(jiraFeedbackCommentsNamespace, commentId);
    throw error;
  }
}

/** The case of the ledger entry whose reference is the issue key. */
async function caseOfIssue(
  options: JiraFeedbackWebhookOptions,
  issueKey: string,
): Promise<string | undefined> {
  for await (const { entry } of ticketLedger(options.store, options.sink ?? "jira").entries()) {
    if (entry.ref?.id === issueKey && entry.caseId) return entry.caseId;
  }
  return undefined;
}

/** The comment's text: a string body (admin webhooks), or the text of an ADF document, one line per block. */
function textOf(body: unknown): string {
  if (typeof body === "string") return body;
  const lines: string[] = [];
  let line = "";
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const { type, text, content } = node as { type?: unknown; text?: unknown; content?: unknown };
    if (type === "text" && typeof text === "string") line += text;
    if (type === "hardBreak") {
      lines.push(line);
      line = "";
    }
    if (Array.isArray(content)) for (const child of content) walk(child);
    if (type === "paragraph" || type === "heading") {
      lines.push(line);
      line = "";
    }
  };
  walk(body);
  lines.push(line);
  return lines.join("\n");
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value !== "" ? value : undefined;
}
