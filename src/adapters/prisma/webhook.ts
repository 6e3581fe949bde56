import { AuthenticationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Secret } from "../../core/secret.js";
import { constantTimeEqual, resolveWebhookSecret, webhookPayloads } from "../shared/webhook.js";
import { normalize } from "./normalize.js";

/** Options of {@link parseWebhook}. */
export interface PrismaWebhookOptions {
  /**
   * `token` checks the shared secret in {@link PrismaWebhookOptions.header}; `none` when a proxy in front
   * already authenticated the request. Prisma Cloud does not sign webhook bodies, so there is no HMAC mode.
   * @default "token"
   */
  auth?: "token" | "none";
  /**
   * The header that carries the secret: a custom header added to the webhook integration
   * (e.g. `x-cloudsteward-token`), or `authorization` (its value may be `Bearer <secret>` or the bare secret).
   * @default "authorization"
   */
  header?: string;
  /** The shared secret. @default process.env.PRISMA_WEBHOOK_SECRET */
  secret?: Secret;
  /** When the request arrived (ISO-8601), used as `fetchedAt`. @default the current time */
  receivedAt?: string;
  /** Keep each alert in `finding.raw`. @default false */
  keepRaw?: boolean;
}

/**
 * Verifies a Prisma Cloud webhook integration's request and turns its body (a JSON array of alerts, or
 * one alert) into Findings, linked to the console through each alert's `callbackUrl`. Treat the result as
 * a notification: re-fetch with `source.getFinding(finding.id)` when you need the full alert.
 * @throws AuthenticationError when the secret header is missing or does not match (compared in constant time).
 * @throws InvalidResponseError when the body is not JSON; NormalizationError (with the path) when an alert is not one.
 * @example
 * const findings = await parseWebhook(request, { header: "x-cloudsteward-token", secret: process.env.PRISMA_WEBHOOK_SECRET });
 */
export async function parseWebhook(request: Request, options: PrismaWebhookOptions = {}): Promise<Finding[]> {
  if ((options.auth ?? "token") === "token") {
    const secret = await resolveWebhookSecret(options.secret, {
      env: "PRISMA_WEBHOOK_SECRET",
      option: "secret",
      integration: "prisma",
    });
    const header = (options.header ?? "authorization").toLowerCase();
    const given = (request.headers.get(header) ?? "").trim();
    const bare = header === "authorization" ? given.replace(/^Bearer\s+/i, "") : given;
    if (!constantTimeEqual(bare, secret)) {
      throw new AuthenticationError(
        `prisma: webhook rejected: the ${header} header is missing or does not match the configured secret. Check the webhook integration's headers in Prisma Cloud.`,
        { integration: "prisma", status: 401, method: request.method, url: request.url },
      );
    }
  }
  const alerts = await webhookPayloads(
    request,
    "prisma",
    "prisma: the webhook body is not JSON; check the integration's custom payload.",
  );
  const fetchedAt = options.receivedAt ?? new Date().toISOString();
  return alerts.map((alert) => normalize(alert, { fetchedAt, keepRaw: options.keepRaw }));
}
