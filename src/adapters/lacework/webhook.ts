import { AuthenticationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { redactUrl } from "../../core/redact.js";
import type { Secret } from "../../core/secret.js";
import { constantTimeEqual, resolveWebhookSecret, webhookPayloads } from "../shared/webhook.js";
import { normalize } from "./normalize.js";

/** Options of {@link parseWebhook}. */
export interface LaceworkWebhookOptions {
  /**
   * The secret placed in the alert channel's webhook URL (`https://hooks.example/lacework?token=<secret>`):
   * Lacework's Webhook channel sends no header and no signature, so the URL is the only place for one.
   * @default process.env.LW_WEBHOOK_SECRET
   */
  secret?: Secret;
  /** The query parameter holding the secret. @default "token" */
  parameter?: string;
  /** When the request arrived (ISO-8601): `fetchedAt`, and the time of events whose timestamp cannot be read. @default the current time */
  receivedAt?: string;
  /** Keep each payload in `finding.raw`. @default false */
  keepRaw?: boolean;
  /** The console origin for links, e.g. `https://acme.lacework.net`. */
  consoleUrl?: string;
}

/**
 * Verifies a Lacework FortiCNAPP alert-channel webhook by the secret in its URL (compared in constant time)
 * and turns its payload, or an array of them, into Findings. Both payload shapes in circulation are
 * accepted: the flat one (`event_id`, `event_severity` as a numeric string) and the upper-case Events one
 * (`EVENT_ID`, `SEVERITY`, `EVENT_DETAILS.data[].ENTITY_MAP`). The payload is a pointer: fetch the canonical
 * alert with `source.getFinding(finding.id)` when you need its resource.
 * @throws AuthenticationError when the secret is missing or does not match.
 * @throws InvalidResponseError when the body is not JSON; NormalizationError (with the path) when a payload is not a Lacework event.
 * @example
 * const findings = await parseWebhook(request, { secret: process.env.LW_WEBHOOK_SECRET });
 */
export async function parseWebhook(
  request: Request,
  options: LaceworkWebhookOptions = {},
): Promise<Finding[]> {
  const secret = await resolveWebhookSecret(options.secret, {
    env: "LW_WEBHOOK_SECRET",
    option: "secret",
    integration: "lacework",
  });
  const given = URL.canParse(request.url)
    ? (new URL(request.url).searchParams.get(options.parameter ?? "token") ?? "")
    : "";
  if (!constantTimeEqual(given, secret)) {
    throw new AuthenticationError(
      `lacework: webhook rejected: the "${options.parameter ?? "token"}" query parameter is missing or does not match the configured secret. Check the alert channel's webhook URL.`,
      {
        integration: "lacework",
        status: 401,
        method: request.method,
        url: redactUrl(request.url).split("?")[0] ?? "",
      },
    );
  }
  const payloads = await webhookPayloads(
    request,
    "lacework",
    "lacework: the webhook body is not JSON; check the alert channel.",
  );
  const fetchedAt = options.receivedAt ?? new Date().toISOString();
  const normalizeOptions = { fetchedAt, keepRaw: options.keepRaw, consoleUrl: options.consoleUrl };
  return payloads.map((payload) => normalize(payload, normalizeOptions));
}
