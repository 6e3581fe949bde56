import { ConfigurationError } from "../../core/errors.js";
import type { Announcement, AnnouncingSink } from "../../core/sink.js";
import type { Briefing } from "./briefing.js";

/** Options of {@link deliverBriefing}. */
export interface DeliverBriefingOptions {
  /** Where the full brief can be read (the HTML report), an http(s) URL. */
  link?: string;
  /** Cancels the deliveries not yet sent. */
  signal?: AbortSignal;
}

/**
 * The brief as a short announcement: its period as the title, the narrative (whose figures are
 * checked against the data) as the text, and the link to drill down.
 * @example
 * briefingAnnouncement(brief, "https://reports.example.com/brief/2026-w10");
 */
export function briefingAnnouncement(brief: Briefing, link?: string): Announcement {
  if (link !== undefined && !/^https?:\/\/[^\s]+$/i.test(link))
    throw new ConfigurationError(`brief: the link must be an http(s) URL, got "${link.slice(0, 100)}".`, {
      option: "link",
    });
  return {
    title: `Security brief ${brief.period.from.slice(0, 10)} to ${brief.period.to.slice(0, 10)}`,
    text: brief.narrative,
    ...(link ? { link } : {}),
  };
}

/**
 * Posts the brief's summary with a link to drill down to each sink, one after the other: a Slack
 * mrkdwn message, a Teams Adaptive Card, an email with text and HTML parts. Delivery is a write:
 * call it only when the user asked for it. Returns the names of the sinks posted to.
 * @example
 * await deliverBriefing(brief, [slack({ channel: "C0123ABCD" })], { link: "https://reports.example.com/brief" });
 */
export async function deliverBriefing(
  brief: Briefing,
  sinks: readonly AnnouncingSink[],
  options: DeliverBriefingOptions = {},
): Promise<string[]> {
  const message = briefingAnnouncement(brief, options.link);
  const delivered: string[] = [];
  for (const sink of sinks) {
    await sink.announce(message, { signal: options.signal });
    delivered.push(sink.name);
  }
  return delivered;
}
