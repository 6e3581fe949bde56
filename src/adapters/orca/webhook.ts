import { AuthenticationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Secret } from "../../core/secret.js";
import { constantTimeEqual, resolveWebhookSecret, webhookPayloads } from "../shared/webhook.js";
import { normalize } from "./normalize.js";

/** Options of {@link parseWebhook}. */
export interface OrcaWebhookOptions {
  /**
   * The request header carrying the shared secret: one of the `custom_headers` of the Orca webhook
   * integration (`POST /api/external_service/config`). Orca does not document which header carries the
   * integration's own `api_key`, and signs nothing, so a custom header you control is what is verified.
   * `"none"` skips verification (only behind a proxy that already authenticated the request).
   * @default "x-cloudsteward-token"
   */
  header?: string | "none";
  /** The expected header value. @default process.env.ORCA_WEBHOOK_SECRET */
  secret?: Secret;
  /** When the request arrived (ISO-8601), used as `fetchedAt`. @default the current time */
  receivedAt?: string;
  /** Keep each payload in `finding.raw`. @default false */
  keepRaw?: boolean;
  /** The Orca console for alert links (regional tenants use their own host). @default "https://app.orcasecurity.io" */
  consoleUrl?: string;
}

/**
 * Verifies an Orca webhook (an automation's webhook action) and turns its body into Findings. The default
 * body is the legacy alert object (`state.alert_id`, `state.risk_level`…); whether Orca sends one alert or
 * an array per request is not documented, so both are accepted. A body limited by `body_fields` may lack
 * what a Finding needs: re-fetch with `source.getFinding(finding.id)` when you need the canonical record.
 * @throws AuthenticationError when the secret header is missing or differs (compared in constant time).
 * @throws InvalidResponseError when the body is not JSON; NormalizationError (with the path) when an alert is incomplete.
 * @example
 * const findings = await parseWebhook(request, { secret: process.env.ORCA_WEBHOOK_SECRET });
 */
export async function parseWebhook(request: Request, options: OrcaWebhookOptions = {}): Promise<Finding[]> {
  const header = options.header ?? "x-cloudsteward-token";
  if (header !== "none") {
    const secret = await resolveWebhookSecret(options.secret, {
      env: "ORCA_WEBHOOK_SECRET",
      option: "secret",
      integration: "orca",
    });
    const given = request.headers.get(header) ?? "";
    if (!constantTimeEqual(given.trim(), secret)) {
      throw new AuthenticationError(
        `orca: webhook rejected: the ${header} header is missing or does not match the configured secret. Check the custom header of the Orca webhook integration.`,
        { integration: "orca", status: 401, method: request.method, url: request.url },
      );
    }
  }
  const alerts = await webhookPayloads(
    request,
    "orca",
    "orca: the webhook body is not JSON; check the webhook template's body.",
  );
  const fetchedAt = options.receivedAt ?? new Date().toISOString();
  const { keepRaw, consoleUrl } = options;
  return alerts.map((alert) => normalize(alert, { fetchedAt, keepRaw, consoleUrl }));
}
