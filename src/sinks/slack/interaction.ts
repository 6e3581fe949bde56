import { createHmac, timingSafeEqual } from "node:crypto";
import { isCloudstewardError } from "../../core/errors.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import { slackActionIds as actionIds } from "../render/slack.js";

/**
 * What the handler applies button presses to: an `ApprovalQueue` from `cloudsteward` fits, and so
 * does any object with these three methods (a queue behind your own service, a test double).
 */
export interface ApprovalDecisions<Approval = unknown> {
  approve(id: string, options: { principal: string }): Promise<Approval>;
  reject(id: string, options: { principal: string }): Promise<Approval>;
  acknowledge(id: string, options: { principal: string }): Promise<unknown>;
}

/**
 * Where the "Helpful" / "Wrong" buttons' presses go: a `feedbackLog` from `cloudsteward/feedback` fits.
 */
export interface FeedbackRecorder {
  record(feedback: {
    caseId: string;
    verdict: "helpful" | "wrong";
    by: string;
    via: "slack";
  }): Promise<unknown>;
}

/** What one button press led to, for {@link SlackInteractionOptions.onResult}. */
export interface SlackInteractionResult<Approval = unknown> {
  /** `approve`, `reject` or `ack`; `helpful` or `wrong` for the feedback buttons. */
  decision: "approve" | "reject" | "ack" | "helpful" | "wrong";
  /** The approval id; the case id for the feedback buttons. */
  approvalId: string;
  slackUserId: string;
  /** The principal the Slack user maps to; undefined when `principalFor` knows no one. */
  principal?: string;
  /** The request after the decision, when it succeeded. */
  approval?: Approval;
  /** Why the decision was refused (unknown user, missing scope, own request, already decided…). */
  error?: Error;
  /** Slack's `response_url`, to update the message. */
  responseUrl?: string;
  channelId?: string;
  messageTs?: string;
}

/** Options of {@link slackInteractionHandler}. */
export interface SlackInteractionOptions<Approval = unknown> {
  /** The Slack app's signing secret. @default process.env.SLACK_SIGNING_SECRET */
  signingSecret?: Secret;
  /** The queue decisions are applied to. */
  approvals: ApprovalDecisions<Approval>;
  /** Stores the "Helpful" / "Wrong" presses with their case; without it those buttons are ignored. */
  feedback?: FeedbackRecorder;
  /**
   * Maps a Slack user id to a policy principal id; return undefined to refuse the user. Slack lets
   * anyone in the channel press a button, so the policy's scopes decide who may approve.
   * @default the Slack user id itself
   */
  principalFor?: (slackUserId: string) => string | undefined | Promise<string | undefined>;
  /**
   * Called after each button press, e.g. to update the message through `responseUrl`. It is awaited
   * before the 200, and Slack gives up after 3 seconds: start slow work without awaiting it.
   */
  onResult?: (result: SlackInteractionResult<Approval>) => void | Promise<void>;
  /** How old a request's timestamp may be, in seconds. @default 300 */
  toleranceSeconds?: number;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/**
 * A Fetch-style handler for Slack's interactivity requests (the Approve, Reject and Acknowledge
 * buttons the Slack sink renders, and its Helpful / Wrong feedback buttons, stored through `feedback`
 * by the pressing user's principal). It verifies the `v0` signature (HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}` with the signing secret, compared in constant time) and the 5-minute
 * replay window, answering 401 otherwise; parses the `payload` form field; applies each decision
 * through the approval queue (which enforces scopes and approver ≠ requester and decides once, so a
 * Slack retry is harmless); and answers 200. A refused decision still answers 200 (Slack shows
 * errors to nobody); it reaches `onResult` and the audit log.
 * @example
 * const handler = slackInteractionHandler({ approvals, principalFor: (id) => slackUsers[id] });
 * export default { fetch: handler }; // or app.post("/slack/interactions", (c) => handler(c.req.raw))
 */
export function slackInteractionHandler<Approval = unknown>(
  options: SlackInteractionOptions<Approval>,
): (request: Request) => Promise<Response> {
  const tolerance = options.toleranceSeconds ?? 300;
  const clock = options.now ?? (() => new Date());
  return async function handleSlackInteraction(request: Request): Promise<Response> {
    if (request.method !== "POST") return text(405, "Slack interactions arrive as POST.");
    const body = await request.text();
    const signingSecret = await resolveSecret(options.signingSecret, {
      env: "SLACK_SIGNING_SECRET",
      option: "signingSecret",
      integration: "slackInteractionHandler",
    });
    const timestamp = request.headers.get("x-slack-request-timestamp") ?? "";
    const signature = request.headers.get("x-slack-signature") ?? "";
    const seconds = Number(timestamp);
    if (!/^\d+$/.test(timestamp) || Math.abs(clock().getTime() / 1000 - seconds) > tolerance) {
      return text(401, "Stale or missing X-Slack-Request-Timestamp.");
    }
    if (!verifySlackSignature(signingSecret, timestamp, body, signature)) {
      return text(401, "Invalid X-Slack-Signature.");
    }
    const form = new URLSearchParams(body);
    if (form.get("ssl_check") === "1") return text(200, "");
    const payload = parsePayload(form.get("payload"));
    if (payload === undefined) return text(400, "Expected a form field `payload` holding JSON.");
    if (payload.type !== "block_actions") return text(200, "");

    const slackUserId = payload.user?.id ?? "";
    const principal =
      slackUserId === "" ? undefined : await (options.principalFor ?? ((id: string) => id))(slackUserId);
    for (const action of payload.actions ?? []) {
      const decision = decisionOf(action.action_id);
      if (decision === undefined || typeof action.value !== "string") continue;
      const result: SlackInteractionResult<Approval> = {
        decision,
        approvalId: action.value,
        slackUserId,
        ...(principal === undefined ? {} : { principal }),
        ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
        ...(payload.channel?.id ? { channelId: payload.channel.id } : {}),
        ...(payload.container?.message_ts ? { messageTs: payload.container.message_ts } : {}),
      };
      try {
        if (principal === undefined) {
          throw new Error(`Slack user ${slackUserId || "(unknown)"} maps to no principal of the policy.`);
        }
        if (decision === "helpful" || decision === "wrong") {
          if (!options.feedback) continue;
          await options.feedback.record({
            caseId: action.value,
            verdict: decision,
            by: principal,
            via: "slack",
          });
        } else if (decision === "ack") await options.approvals.acknowledge(action.value, { principal });
        else if (decision === "approve")
          result.approval = await options.approvals.approve(action.value, { principal });
        else result.approval = await options.approvals.reject(action.value, { principal });
      } catch (error) {
        if (!(isCloudstewardError(error) || error instanceof Error)) throw error;
        result.error = error;
      }
      await options.onResult?.(result);
    }
    return text(200, "");
  };
}

/**
 * True when `signature` is `v0=` + the hex HMAC-SHA256 of `v0:{timestamp}:{body}` under
 * `signingSecret`, compared in constant time.
 */
export function verifySlackSignature(
  signingSecret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(
    `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
    "utf8",
  );
  const given = Buffer.from(signature, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// Internal helpers.

interface BlockActionsPayload {
  type?: string;
  user?: { id?: string };
  response_url?: string;
  channel?: { id?: string };
  container?: { message_ts?: string };
  actions?: { action_id?: string; value?: unknown }[];
}

function parsePayload(raw: string | null): BlockActionsPayload | undefined {
  if (raw === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null ? (parsed as BlockActionsPayload) : undefined;
  } catch {
    return undefined;
  }
}

function decisionOf(actionId: string | undefined): SlackInteractionResult["decision"] | undefined {
  if (actionId === actionIds.approve) return "approve";
  if (actionId === actionIds.reject) return "reject";
  if (actionId === actionIds.ack) return "ack";
  if (actionId === actionIds.helpful) return "helpful";
  if (actionId === actionIds.wrong) return "wrong";
  return undefined;
}

function text(status: number, body: string): Response {
  return new Response(body === "" ? null : body, { status, headers: { "content-type": "text/plain" } });
}
