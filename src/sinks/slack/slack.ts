import type { Action } from "../../core/action.js";
import { type CaseChange, describeChange } from "../../core/case-change.js";
import { ConfigurationError } from "../../core/errors.js";
import { createHttpClient } from "../../core/http.js";
import { type ExternalRef, type LedgerSink, ledgerSink } from "../../core/ledger.js";
import { sleep } from "../../core/rate-limiter.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { Announcement, AnnouncingSink, HttpSinkOptions } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { escapeSlack, renderSlack, type SlackMessage, slackLink } from "../render/slack.js";
import { emailAddress, truncate } from "../render/view.js";
import { slackApiError } from "./errors.js";

/** Options of {@link slack}. */
export interface SlackOptions extends HttpSinkOptions {
  /** Bot token (`xoxb-…`, scope `chat:write`; `users:read.email` and `im:write` to message owners by email). @default process.env.SLACK_BOT_TOKEN */
  token?: Secret;
  /** An incoming-webhook URL, used when no token is set (one fixed channel, no threads, no owner DMs). @default process.env.SLACK_WEBHOOK_URL */
  webhookUrl?: Secret;
  /** The channel when the action names none and the owner cannot be messaged, e.g. `C0123ABCD`. */
  channel?: string;
  /** The Web API base URL. @default "https://slack.com/api" */
  apiUrl?: string;
  /** Message the case owner directly when their email is known (`action.params.email` or an email owner). @default true */
  messageOwners?: boolean;
  /** Messages per second per channel (Slack allows about one). @default 1 */
  messagesPerSecond?: number;
  /** Where the delivery ledger lives (Slack has no search: the ledger alone prevents duplicates). @default memoryStore() */
  store?: Store;
  /** Post finding text without masking secrets (it is still escaped). @default false */
  raw?: boolean;
  /**
   * Add "Helpful" and "Wrong" buttons to each case message; `createWebhookHandler({ feedback })` (or
   * `slackInteractionHandler({ feedback })`) stores the presses with the case. @default false
   */
  feedback?: boolean;
}

/** The Slack sink. */
export interface SlackSink extends LedgerSink, AnnouncingSink {}

/**
 * Post Block Kit messages to channels and to owners by email, paced per channel, once per
 * idempotency key; changes to the case are posted as a thread reply. Actions that need approval get
 * Approve/Reject buttons (`cloudsteward:approve` / `cloudsteward:reject`), others an Acknowledge
 * button (`cloudsteward:ack`); each button's `value` is `action.params.approvalId` or the
 * idempotency key.
 * @example
 * const sink = slack({ token: process.env.SLACK_BOT_TOKEN, channel: "C0123ABCD" });
 * await sink.deliver(action); // { status: "created", ref: { id: "C0123ABCD/1724142000.123456" } }
 */
export function slack(options: SlackOptions = {}): SlackSink {
  const apiUrl = (options.apiUrl ?? "https://slack.com/api").replace(/\/+$/, "");
  const spacingMs = 1000 / (options.messagesPerSecond ?? 1);
  const nextSlot = new Map<string, number>();
  const userChannels = new Map<string, string>();
  const secrets: (string | undefined)[] = [];
  const useWebhook = () => options.token === undefined && !process.env.SLACK_BOT_TOKEN;

  const http = createHttpClient({
    integration: "slack",
    fetch: options.fetch,
    headers: async (): Promise<Record<string, string>> => {
      if (useWebhook()) return {};
      const token = await resolveSecret(options.token, {
        env: "SLACK_BOT_TOKEN",
        option: "token",
        integration: "slack",
      });
      secrets[0] = token;
      return { authorization: `Bearer ${token}` };
    },
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => secrets,
    authHint: "check SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL",
  });

  async function call<T>(method: string, body: Record<string, unknown>, signal?: AbortSignal, read = false) {
    const url = `${apiUrl}/${method}`;
    const response = await http.request<T & { ok: boolean; error?: string; needed?: string }>(
      read ? "GET" : "POST",
      url,
      {
        ...(read
          ? { searchParams: body as Record<string, string> }
          : { json: body, headers: { "content-type": "application/json; charset=utf-8" } }),
        signal,
      },
    );
    if (!response.data?.ok) {
      // Slack reports failures as `ok: false` in a 200: the error carries no status.
      throw slackApiError(method, response.data ?? {}, {
        method: read ? "GET" : "POST",
        url,
        requestId: response.requestId,
        body: JSON.stringify(response.data ?? {}),
        secrets,
      });
    }
    return response.data;
  }

  /** Waits for the channel's next slot: about one message per second per channel. */
  async function pace(channel: string, signal?: AbortSignal) {
    const now = Date.now();
    const slot = Math.max(now, nextSlot.get(channel) ?? 0);
    nextSlot.set(channel, slot + spacingMs);
    await sleep(slot - now, signal);
  }

  async function channelFor(action: Action, signal?: AbortSignal): Promise<string> {
    const explicit = action.params.channel;
    if (typeof explicit === "string" && explicit) return explicit;
    const email = ownerEmail(action);
    if ((options.messageOwners ?? true) && email) {
      const cached = userChannels.get(email);
      if (cached) return cached;
      try {
        const { user } = await call<{ user: { id: string } }>("users.lookupByEmail", { email }, signal, true);
        const { channel } = await call<{ channel: { id: string } }>(
          "conversations.open",
          { users: user.id },
          signal,
        );
        userChannels.set(email, channel.id);
        return channel.id;
      } catch (error) {
        // An owner without a Slack account falls back to the default channel.
        if (!(options.channel && (error as { code?: string }).code === "NOT_FOUND")) throw error;
      }
    }
    if (options.channel) return options.channel;
    throw new ConfigurationError(
      "slack: no channel for this action. Pass `channel` to slack(), or set `action.params.channel` or an owner email.",
      { option: "channel" },
    );
  }

  async function post(
    channel: string | undefined,
    message: SlackMessage & { thread_ts?: string },
    signal?: AbortSignal,
  ) {
    if (channel === undefined) {
      const webhookUrl = await resolveSecret(options.webhookUrl, {
        env: "SLACK_WEBHOOK_URL",
        option: "webhookUrl",
        integration: "slack",
      });
      secrets[1] = webhookUrl;
      await pace(webhookUrl, signal);
      // Incoming webhooks answer the plain text `ok`, and give no message id.
      await http.request("POST", webhookUrl, { json: message, responseType: "text", signal });
      return undefined;
    }
    await pace(channel, signal);
    return call<{ channel: string; ts: string }>(
      "chat.postMessage",
      { channel, unfurl_links: false, ...message },
      signal,
    );
  }

  function messageFor(action: Action): SlackMessage {
    const approvalId =
      typeof action.params.approvalId === "string" ? action.params.approvalId : action.idempotencyKey;
    return renderSlack(action.case, {
      dueDate: action.dueDate,
      raw: options.raw,
      feedback: options.feedback,
      ...(action.requiresApproval ? { approvalId } : { ackId: approvalId }),
    });
  }

  async function update(action: Action, ref: ExternalRef, change: CaseChange, signal?: AbortSignal) {
    const text = describeChange(change, action.case, { raw: options.raw }).map(escapeSlack).join("\n");
    const [channel, ts] = ref.id.split("/");
    if (useWebhook() || !channel || !ts) {
      await post(undefined, { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] }, signal);
      return;
    }
    await post(
      channel,
      { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }], thread_ts: ts },
      signal,
    );
  }

  async function announce(message: Announcement, signal?: AbortSignal) {
    const text = truncate(
      [
        `*${escapeSlack(message.title)}*`,
        escapeSlack(message.text),
        ...(message.link ? [slackLink(message.link, "Open the full report")] : []),
      ].join("\n\n"),
      3000,
    );
    const posted = { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
    if (useWebhook()) await post(undefined, posted, signal);
    else if (options.channel) await post(options.channel, posted, signal);
    else
      throw new ConfigurationError(
        "slack: no channel to announce in. Pass `channel` to slack() (sinks.slack.channel).",
        {
          option: "channel",
        },
      );
  }

  return {
    ...ledgerSink("slack", options.store, (action) => ({
      create: async (signal) => {
        const message = messageFor(action);
        if (useWebhook()) {
          await post(undefined, message, signal);
          return { id: `webhook/${action.idempotencyKey}` };
        }
        const posted = await post(await channelFor(action, signal), message, signal);
        return { id: `${posted!.channel}/${posted!.ts}` };
      },
      update: (ref, change, signal) => update(action, ref, change, signal),
    })),
    announce: (message, callOptions) => announce(message, callOptions?.signal),
  };
}

/** The owner's address, only when the value is exactly one well-formed address. */
function ownerEmail(action: Action): string | undefined {
  return emailAddress(action.params.email) ?? emailAddress(action.case.context?.owner?.value);
}
