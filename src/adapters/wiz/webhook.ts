import { AuthenticationError, ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { redactUrl } from "../../core/redact.js";
import type { Secret } from "../../core/secret.js";
import { constantTimeEqual, resolveWebhookSecret, webhookPayloads } from "../shared/webhook.js";
import { normalize } from "./normalize.js";

/** Options of {@link parseWebhook}. */
export interface WizWebhookOptions {
  /**
   * How the Wiz Automation Action authenticates: `bearer` (its `auth_token`), `basic` (`auth_username` /
   * `auth_password`), or `none` when a proxy in front already verified a client certificate (mTLS).
   * Wiz does not sign webhook bodies, so there is no HMAC mode.
   * @default "bearer"
   */
  auth?: "bearer" | "basic" | "none";
  /** The bearer token, or the basic-auth password. @default process.env.WIZ_WEBHOOK_SECRET */
  secret?: Secret;
  /** The basic-auth user name (required with `auth: "basic"`). */
  username?: string;
  /** When the request arrived (ISO-8601), used as `fetchedAt`. @default the current time */
  receivedAt?: string;
  /** Keep each payload in `finding.raw`. @default false */
  keepRaw?: boolean;
  /** The Wiz portal for console links (gov tenants use their own host). @default "https://app.wiz.io" */
  portalUrl?: string;
}

/**
 * Verifies a Wiz Automation Rule webhook and turns its payload (or an array of them) into Findings: an
 * issue (trigger source `ISSUES`/`ISSUE`) or a Wiz Defend detection (`DETECTIONS`, a `threat` finding
 * linked to its threat issue). The body is user-templatable in Wiz, so treat the result as a
 * notification: re-fetch an issue with `source.getFinding(finding.id)` when you need the canonical record.
 * @throws AuthenticationError when the Authorization header does not match (compared in constant time).
 * @throws InvalidResponseError when the body is not JSON; NormalizationError (with the path) when a payload is not a Wiz issue or detection.
 * @example
 * const findings = await parseWebhook(request, { secret: process.env.WIZ_WEBHOOK_TOKEN });
 */
export async function parseWebhook(request: Request, options: WizWebhookOptions = {}): Promise<Finding[]> {
  const auth = options.auth ?? "bearer";
  if (auth !== "none") {
    const secret = await resolveWebhookSecret(options.secret, {
      env: "WIZ_WEBHOOK_SECRET",
      option: "secret",
      integration: "wiz",
    });
    let expected: string;
    if (auth === "basic") {
      if (!options.username) {
        throw new ConfigurationError('wiz: parseWebhook with auth: "basic" needs `username`.', {
          option: "username",
        });
      }
      expected = `Basic ${Buffer.from(`${options.username}:${secret}`).toString("base64")}`;
    } else {
      expected = `Bearer ${secret}`;
    }
    const given = request.headers.get("authorization") ?? "";
    if (!constantTimeEqual(given.trim(), expected)) {
      throw new AuthenticationError(
        `wiz: webhook rejected: the Authorization header is missing or does not match the configured ${auth} credentials. Check the Automation Action's authentication in Wiz.`,
        { integration: "wiz", status: 401, method: request.method, url: redactUrl(request.url) },
      );
    }
  }
  const payloads = await webhookPayloads(
    request,
    "wiz",
    "wiz: the webhook body is not JSON; check the Automation Action's body template.",
  );
  const fetchedAt = options.receivedAt ?? new Date().toISOString();
  const { keepRaw, portalUrl } = options;
  return payloads.map((payload) => normalize(payload, { fetchedAt, keepRaw, portalUrl }));
}
