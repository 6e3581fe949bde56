import { describeChange } from "../../core/case-change.js";
import { createHttpClient } from "../../core/http.js";
import { type LedgerSink, ledgerSink, trackingId } from "../../core/ledger.js";
import { createRateLimiter } from "../../core/rate-limiter.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { Announcement, AnnouncingSink, HttpSinkOptions } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { type AdaptiveCard, escapeCardText, renderAdaptiveCard } from "../render/adaptive-card.js";

/** Options of {@link teams}. */
export interface TeamsOptions extends HttpSinkOptions {
  /**
   * The URL of a Teams Workflows flow "Post to a channel when a webhook request is received"
   * (classic Office 365 connector URLs are retired). The URL carries its own signature: treat it as a secret.
   * @default process.env.TEAMS_WEBHOOK_URL
   */
  webhookUrl?: Secret;
  /** Messages per second to the flow. @default 1 */
  messagesPerSecond?: number;
  /** Where the delivery ledger lives (Teams has no search: the ledger alone prevents duplicates). @default memoryStore() */
  store?: Store;
  /** Post finding text without masking secrets (it is still escaped). @default false */
  raw?: boolean;
}

/** The Teams sink. */
export interface TeamsSink extends LedgerSink, AnnouncingSink {}

/**
 * Post Adaptive Cards (version 1.4) to a Microsoft Teams channel through a Workflows webhook, once per
 * idempotency key; a change of the case is posted as a short follow-up card. Workflows answer
 * 202 Accepted: a 202 means the flow started, not that the card rendered.
 * @example
 * const sink = teams({ webhookUrl: process.env.TEAMS_WEBHOOK_URL });
 * await sink.deliver(action);
 */
export function teams(options: TeamsOptions = {}): TeamsSink {
  const pacing = createRateLimiter({ requestsPerSecond: options.messagesPerSecond ?? 1, burst: 1 });
  let url: string | undefined;
  const http = createHttpClient({
    integration: "teams",
    fetch: options.fetch,
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => [url, url ? new URL(url).search : undefined],
    authHint: "the Workflows URL is wrong or its flow was turned off; copy the URL from the flow again",
  });

  async function post(card: AdaptiveCard, signal?: AbortSignal) {
    url = await resolveSecret(options.webhookUrl, {
      env: "TEAMS_WEBHOOK_URL",
      option: "webhookUrl",
      integration: "teams",
    });
    await pacing.take(signal);
    await http.request("POST", url, {
      json: {
        type: "message",
        attachments: [
          { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
        ],
      },
      responseType: "none",
      signal,
    });
  }

  /** An announcement as a card: the title, each paragraph escaped on its own, and a link button. */
  function announcementCard(message: Announcement): AdaptiveCard {
    return {
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      body: [
        {
          type: "TextBlock",
          size: "Large",
          weight: "Bolder",
          wrap: true,
          text: escapeCardText(message.title),
        },
        ...message.text
          .split(/\n{2,}/)
          .map((paragraph) => ({ type: "TextBlock", wrap: true, text: escapeCardText(paragraph) })),
      ],
      actions: message.link
        ? [{ type: "Action.OpenUrl", title: "Open the full report", url: message.link }]
        : [],
      msteams: { width: "Full" },
    };
  }

  return {
    ...ledgerSink("teams", options.store, (action) => ({
      create: async (signal) => {
        await post(renderAdaptiveCard(action.case, { dueDate: action.dueDate, raw: options.raw }), signal);
        return { id: `teams/${trackingId(action.idempotencyKey)}` };
      },
      update: async (_ref, change, signal) => {
        const card = renderAdaptiveCard(action.case, { dueDate: action.dueDate, raw: options.raw });
        card.body = [
          card.body[0]!,
          ...describeChange(change, action.case, { raw: options.raw }).map((text) => ({
            type: "TextBlock",
            wrap: true,
            text: escapeCardText(text),
          })),
        ];
        await post(card, signal);
      },
    })),
    announce: (message, callOptions) => post(announcementCard(message), callOptions?.signal),
  };
}
