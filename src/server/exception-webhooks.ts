import { createHmac } from "node:crypto";
import { constantTimeEqual, resolveWebhookSecret } from "../adapters/shared/webhook.js";
import {
  applyItsmDecision,
  type ItsmDecisionOptions,
  type ItsmDecisionResult,
} from "../agents/exceptions/routing.js";
import type { Secret } from "../core/secret.js";

/** Options of the exception routes of `createWebhookHandler({ exceptions })`. */
export interface ExceptionWebhookOptions extends ItsmDecisionOptions {
  /**
   * Serves `POST /exceptions/jira` for a Jira admin webhook on `jira:issue_updated`, registered with
   * a secret: Jira signs the raw body (`X-Hub-Signature: sha256=<hex HMAC-SHA256>`).
   * `secret` @default process.env.JIRA_WEBHOOK_SECRET
   */
  jira?: { secret?: Secret };
  /**
   * Serves `POST /exceptions/servicenow` for an outbound REST message from a business rule on the
   * exception table, sent with `Authorization: Bearer <secret>` and the JSON body
   * `{ "correlation_id", "state", "sys_updated_by" }` of the record (docs/sinks.md).
   * `secret` @default process.env.SERVICENOW_WEBHOOK_SECRET
   */
  servicenow?: { secret?: Secret };
  /** Also apply Slack's Approve/Reject buttons on exception ids (`exc_…`) at `/slack/interactions`; needs `slackSigningSecret`. @default false */
  slack?: boolean;
  /** Called with what became of each decision received (applied, refused, ignored). */
  onDecision?: (result: ItsmDecisionResult) => void | Promise<void>;
}

/** The ITSMs whose webhooks carry exception decisions. */
export type ExceptionWebhookSystem = "jira" | "servicenow";

/** Where each system's webhook secret comes from. */
export const exceptionWebhookSecrets: Record<ExceptionWebhookSystem, string> = {
  jira: "JIRA_WEBHOOK_SECRET",
  servicenow: "SERVICENOW_WEBHOOK_SECRET",
};

/**
 * Handles one ITSM webhook request about an exception: verifies it (Jira's HMAC signature,
 * ServiceNow's bearer secret; 401 otherwise), reads the exception id from the record's `cs-exc_…`
 * marker (Jira label, ServiceNow `correlation_id`), its status and who set it, and applies it with
 * `applyItsmDecision` — so an unknown approver or the requester is refused and audited. Answers 200
 * with the outcome (also for updates that are no decision, so the ITSM does not retry them), 400 for
 * a body that is not JSON.
 * @example
 * const response = await handleExceptionWebhook(request, "jira", { store, policy, audit, principalFor });
 */
export async function handleExceptionWebhook(
  request: Request,
  system: ExceptionWebhookSystem,
  options: ExceptionWebhookOptions,
): Promise<Response> {
  if (request.method !== "POST") return json(405, { error: `POST to /exceptions/${system}.` });
  const body = await request.text();
  const secret = await resolveWebhookSecret(options[system]?.secret, {
    env: exceptionWebhookSecrets[system],
    option: `exceptions.${system}.secret`,
    integration: "createWebhookHandler",
  });
  if (!(system === "jira" ? jiraSigned(request, body, secret) : bearerMatches(request, secret))) {
    return json(401, { error: "Unauthorized." });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return json(400, { error: "The body is not JSON." });
  }
  const event = system === "jira" ? jiraDecision(payload) : serviceNowDecision(payload);
  if (!event) return json(200, { outcome: "ignored" });
  const result = await applyItsmDecision({ ...event, sink: system }, options);
  await options.onDecision?.(result);
  return json(200, { outcome: result.outcome });
}

// Internal helpers.

interface DecisionEvent {
  exceptionId: string;
  status: string;
  actor?: string;
}

const marker = /^cs-(exc_[A-Za-z0-9-]{1,60})$/;

/** True when the request carries Jira's `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` under `secret`. */
export function jiraSigned(request: Request, body: string, secret: string): boolean {
  const given = request.headers.get("x-hub-signature") ?? "";
  return constantTimeEqual(given, `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
}

function bearerMatches(request: Request, secret: string): boolean {
  return constantTimeEqual(request.headers.get("authorization") ?? "", `Bearer ${secret}`);
}

/** A `jira:issue_updated` event that changed the status of an issue carrying an exception label. */
function jiraDecision(payload: unknown): DecisionEvent | undefined {
  const event = payload as {
    webhookEvent?: unknown;
    user?: { accountId?: unknown };
    issue?: { fields?: { labels?: unknown; status?: { name?: unknown } } };
    changelog?: { items?: { field?: unknown }[] };
  } | null;
  if (event?.webhookEvent !== "jira:issue_updated") return undefined;
  if (!event.changelog?.items?.some((item) => item.field === "status")) return undefined;
  const labels = Array.isArray(event.issue?.fields?.labels) ? event.issue.fields.labels : [];
  const exceptionId = labels.map((label) => marker.exec(String(label))?.[1]).find(Boolean);
  const status = event.issue?.fields?.status?.name;
  if (!exceptionId || typeof status !== "string") return undefined;
  const actor = event.user?.accountId;
  return { exceptionId, status, ...(typeof actor === "string" && actor ? { actor } : {}) };
}

/** A ServiceNow record update whose `correlation_id` names an exception. */
function serviceNowDecision(payload: unknown): DecisionEvent | undefined {
  const record = payload as { correlation_id?: unknown; state?: unknown; sys_updated_by?: unknown } | null;
  const exceptionId = marker.exec(String(record?.correlation_id ?? ""))?.[1];
  const status = record?.state;
  if (!exceptionId || (typeof status !== "string" && typeof status !== "number")) return undefined;
  const actor = record?.sys_updated_by;
  return { exceptionId, status: String(status), ...(typeof actor === "string" && actor ? { actor } : {}) };
}

/** A JSON response (the ITSM routes' answers). */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
