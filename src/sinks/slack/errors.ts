import {
  type ApiErrorDetails,
  AuthenticationError,
  BadRequestError,
  type CloudstewardError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UpstreamError,
} from "../../core/errors.js";

const authErrors = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
]);
const permissionErrors = new Set([
  "missing_scope",
  "not_in_channel",
  "restricted_action",
  "is_archived",
  "channel_is_archived",
]);
const notFoundErrors = new Set(["channel_not_found", "users_not_found", "user_not_found"]);
const upstreamErrors = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

const hints: Record<string, string> = {
  invalid_auth: "check SLACK_BOT_TOKEN",
  not_authed: "check SLACK_BOT_TOKEN",
  token_revoked: "the token was revoked; reinstall the app",
  missing_scope: "add the scope named in `needed` to the app",
  not_in_channel: "invite the bot to the channel or add the chat:write.public scope",
  channel_not_found: "check the channel id and that the bot can see it",
  users_not_found: "no Slack user has that email; check the owner's address",
  ratelimited: "slow down; Slack allows about one message per second per channel",
  invalid_blocks: "a block broke a Block Kit limit",
  msg_too_long: "the message is longer than Slack accepts",
};

/**
 * Maps a Slack Web API `ok: false` answer (which arrives with HTTP 200) to the error class for it:
 * auth errors → `AuthenticationError`, scope/channel membership → `PermissionDeniedError`, unknown
 * channel or user → `NotFoundError`, `ratelimited` → `RateLimitError`, Slack-side failures →
 * `UpstreamError`, anything else → `BadRequestError`.
 */
export function slackApiError(
  method: string,
  body: { error?: string; needed?: string },
  details: Omit<ApiErrorDetails, "integration">,
): CloudstewardError {
  const code = body.error ?? "unknown_error";
  const hint = hints[code] ?? hints[code.replace("rate_limited", "ratelimited")];
  const needed = body.needed ? ` (needed: ${body.needed})` : "";
  const message = `slack: ${method} failed with ${code}${needed}${hint ? ` — ${hint}` : ""}`;
  const full: ApiErrorDetails = { integration: "slack", ...details };
  if (authErrors.has(code)) return new AuthenticationError(message, full);
  if (permissionErrors.has(code)) return new PermissionDeniedError(message, full);
  if (notFoundErrors.has(code)) return new NotFoundError(message, full);
  if (code === "ratelimited" || code === "rate_limited") return new RateLimitError(message, full);
  if (upstreamErrors.has(code)) return new UpstreamError(message, { ...full, isRetryable: true });
  return new BadRequestError(message, full);
}
