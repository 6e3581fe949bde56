import { randomUUID } from "node:crypto";
import type { Action } from "../../core/action.js";
import { describeChange } from "../../core/case-change.js";
import {
  AuthenticationError,
  BadRequestError,
  type CloudstewardError,
  ConfigurationError,
  ConnectionError,
  RateLimitError,
  TimeoutError,
  UpstreamError,
} from "../../core/errors.js";
import { type LedgerSink, ledgerSink, trackingId } from "../../core/ledger.js";
import { sleep } from "../../core/rate-limiter.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { AnnouncingSink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { escapeHtml, renderHtml, renderText } from "../render/html.js";
import { caseView, emailAddress } from "../render/view.js";

/** One message, in the shape nodemailer's `sendMail` takes (the fields cloudsteward sets). */
export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  headers: Record<string, string>;
}

/** Anything with nodemailer's `sendMail`: a nodemailer transporter, or a stand-in in tests. */
export interface EmailTransport {
  sendMail(message: EmailMessage): Promise<unknown>;
  close?(): void;
}

/** SMTP settings for a nodemailer transport created on first use. */
export interface SmtpOptions {
  host: string;
  /** 587 with STARTTLS (`secure: false`) or 465 with implicit TLS (`secure: true`). @default 587 */
  port?: number;
  /** @default false */
  secure?: boolean;
  auth?: { user: string; pass: Secret };
}

/** Options of {@link email}. */
export interface EmailOptions {
  /** A transport with `sendMail` (a nodemailer transporter); otherwise `smtp` is used. */
  transport?: EmailTransport;
  /** SMTP settings; needs the optional peer dependency `nodemailer`. */
  smtp?: SmtpOptions;
  /** The sender, e.g. `"Cloud Security" <cloudsec@example.com>`. */
  from: string;
  /** Recipients when the action names none (`action.params.email`) and the owner is not an email. */
  to?: string | string[];
  /** The domain of the deterministic Message-ID, so mail clients thread follow-ups. @default "cloudsteward.local" */
  messageIdDomain?: string;
  /** Where the sent-log lives (SMTP has no idempotency of its own). @default memoryStore() */
  store?: Store;
  /** Send finding text without masking secrets (it is still escaped). @default false */
  raw?: boolean;
}

/** The email sink. */
export interface EmailSink extends LedgerSink, AnnouncingSink {
  /** Closes the SMTP transport the sink opened (never a caller's `transport`). Safe to call twice. */
  close(): Promise<void>;
}

const temporaryRetries = 3;

/**
 * Send each action as an email with HTML and text parts, once per idempotency key; a change of the
 * case is sent as a reply in the same thread. SMTP goes through nodemailer, an optional peer
 * dependency loaded on first send. Temporary SMTP answers (4xx) are retried with backoff.
 * @example
 * const sink = email({ smtp: { host: "smtp.example.com", port: 587, auth: { user, pass } }, from: "cloudsec@example.com" });
 */
export function email(options: EmailOptions): EmailSink {
  const domain = options.messageIdDomain ?? "cloudsteward.local";
  let transport: Promise<EmailTransport> | undefined = options.transport
    ? Promise.resolve(options.transport)
    : undefined;
  let password: string | undefined;
  let closed = false;

  const connect = () => {
    transport ??= createSmtpTransport(options.smtp, (value) => {
      password = value;
    });
    return transport;
  };

  async function send(message: EmailMessage, signal?: AbortSignal): Promise<void> {
    const sender = await connect();
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        await sender.sendMail(message);
        return;
      } catch (error) {
        const mapped = toEmailError(error, options.smtp, password);
        if (mapped.code !== "RATE_LIMITED" || attempt >= temporaryRetries) throw mapped;
        await sleep(250 * 2 ** attempt, signal);
      }
    }
  }

  function recipients(action: Action): string[] {
    // An owner value is an address only when it is exactly one well-formed address (no lists, no display names).
    const address = emailAddress(action.params.email) ?? emailAddress(action.case.context?.owner?.value);
    if (address) return [address];
    const fallback = typeof options.to === "string" ? [options.to] : (options.to ?? []);
    if (fallback.length > 0) return fallback;
    throw new ConfigurationError(
      "email: no recipient for this action. Pass `to` to email(), or set `action.params.email`.",
      {
        option: "to",
      },
    );
  }

  const messageId = (action: Action) => `<cs-${trackingId(action.idempotencyKey)}@${domain}>`;

  return {
    ...ledgerSink("email", options.store, (action) => ({
      create: async (signal) => {
        const id = messageId(action);
        await send(
          {
            from: options.from,
            to: recipients(action),
            subject: caseView(action.case, { raw: options.raw }).title,
            text: renderText(action.case, { dueDate: action.dueDate, raw: options.raw }),
            html: renderHtml(action.case, { dueDate: action.dueDate, raw: options.raw }),
            messageId: id,
            headers: { "X-Cloudsteward-Key": trackingId(action.idempotencyKey) },
          },
          signal,
        );
        return { id };
      },
      update: async (ref, change, signal) => {
        const lines = describeChange(change, action.case, { raw: options.raw });
        await send(
          {
            from: options.from,
            to: recipients(action),
            subject: `Re: ${caseView(action.case, { raw: options.raw }).title}`,
            text: lines.join("\n"),
            html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("\n"),
            messageId: `<cs-${trackingId(action.idempotencyKey)}-${Date.now()}@${domain}>`,
            inReplyTo: ref.id,
            references: ref.id,
            headers: { "X-Cloudsteward-Key": trackingId(action.idempotencyKey) },
          },
          signal,
        );
      },
    })),
    async announce(message, callOptions) {
      const to = typeof options.to === "string" ? [options.to] : (options.to ?? []);
      if (to.length === 0)
        throw new ConfigurationError(
          "email: no recipient to announce to. Pass `to` to email() (sinks.email.to).",
          {
            option: "to",
          },
        );
      const paragraphs = message.text.split(/\n{2,}/);
      const link = message.link;
      await send(
        {
          from: options.from,
          to,
          subject: message.title,
          text: `${message.text}${link ? `\n\nFull report: ${link}` : ""}\n`,
          html: [
            `<h1>${escapeHtml(message.title)}</h1>`,
            ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
            ...(link ? [`<p><a href="${escapeHtml(link)}">Open the full report</a></p>`] : []),
          ].join("\n"),
          messageId: `<cs-announce-${Date.now()}-${randomUUID()}@${domain}>`,
          headers: {},
        },
        callOptions?.signal,
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      // Only close what we opened: a caller's transport is theirs to close.
      if (!options.transport && transport) (await transport.catch(() => undefined))?.close?.();
    },
  };
}

async function createSmtpTransport(
  smtp: SmtpOptions | undefined,
  onPassword: (value: string) => void,
): Promise<EmailTransport> {
  if (!smtp) {
    throw new ConfigurationError(
      "email: pass `transport` or `smtp: { host, port, secure, auth }` to email().",
      { option: "smtp" },
    );
  }
  let nodemailer: { createTransport(options: unknown): EmailTransport };
  try {
    const module = (await import("nodemailer")) as unknown as {
      default?: typeof nodemailer;
    } & typeof nodemailer;
    nodemailer = module.default ?? module;
  } catch (error) {
    throw new ConfigurationError(
      "email: the SMTP transport needs the optional dependency nodemailer. Install it with `npm install nodemailer`, or pass `transport`.",
      { option: "smtp", cause: error },
    );
  }
  const pass = smtp.auth
    ? await resolveSecret(smtp.auth.pass, { option: "smtp.auth.pass", integration: "email" })
    : undefined;
  if (pass) onPassword(pass);
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? 587,
    secure: smtp.secure ?? false,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

/** Maps a nodemailer error (with `code` and, for SMTP replies, `responseCode`) to a typed error. */
function toEmailError(
  error: unknown,
  smtp: SmtpOptions | undefined,
  password: string | undefined,
): CloudstewardError {
  const { code, responseCode, response } = (error ?? {}) as {
    code?: string;
    responseCode?: number;
    response?: string;
  };
  // The error constructors mask the password wherever the server's reply or the cause echoes it.
  const secrets = [password];
  const server = smtp ? `smtp://${smtp.host}:${smtp.port ?? 587}` : "transport";
  const reply = String(response ?? (error as Error)?.message ?? "").slice(0, 300);
  const details = {
    integration: "email",
    // The SMTP reply code, when the server answered.
    status: responseCode,
    method: "SMTP",
    url: server,
    body: reply,
    cause: error,
    secrets,
  };
  const message = (what: string) =>
    `email: sending through ${server} failed: ${what}${reply ? ` (${reply})` : ""}`;
  if (code === "EAUTH" || code === "ENOAUTH")
    return new AuthenticationError(message("authentication refused — check smtp.auth"), details);
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    return new RateLimitError(message(`temporary failure ${responseCode}; try again later`), details);
  }
  if (responseCode !== undefined && responseCode >= 500)
    return new BadRequestError(message(`refused with ${responseCode}`), details);
  if (code === "ETIMEDOUT")
    return new TimeoutError(message("timed out"), { integration: "email", cause: error, secrets });
  if (code === "ECONNECTION" || code === "ESOCKET" || code === "EDNS" || code === "ETLS") {
    return new ConnectionError(message(`connection failed (${code})`), {
      integration: "email",
      cause: error,
      secrets,
    });
  }
  if (code === "EENVELOPE" || code === "EMESSAGE")
    return new BadRequestError(message(`invalid message (${code})`), details);
  return new UpstreamError(message(code ?? "unknown error"), { ...details, isRetryable: false });
}
