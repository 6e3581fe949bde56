import type { Case } from "../../core/case.js";
import { caseView, type RenderOptions, truncate } from "./view.js";

/** A Block Kit block (the subset cloudsteward writes). */
export type SlackBlock = Record<string, unknown> & { type: string };

/** A Slack message body: fallback `text` plus `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The `action_id` values of the interactive buttons; a request handler routes on them. */
export const slackActionIds = {
  approve: "cloudsteward:approve",
  reject: "cloudsteward:reject",
  ack: "cloudsteward:ack",
  helpful: "cloudsteward:feedback-helpful",
  wrong: "cloudsteward:feedback-wrong",
} as const;

/** Options of {@link renderSlack}. */
export interface SlackRenderOptions extends RenderOptions {
  /** Adds Approve and Reject buttons whose `value` is this approval id. */
  approvalId?: string;
  /** Adds an Acknowledge button whose `value` is this id. */
  ackId?: string;
  /** Adds "Helpful" and "Wrong" feedback buttons whose `value` is the case id. @default false */
  feedback?: boolean;
}

/**
 * Renders a case as a Block Kit message: header, risk, facts, fix, snippet and optional buttons.
 * @example
 * const { text, blocks } = renderSlack(action.case, { approvalId: action.idempotencyKey });
 */
export function renderSlack(item: Case, options: SlackRenderOptions = {}): SlackMessage {
  const view = caseView(item, { ...options, maxResources: options.maxResources ?? 10 });
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(view.headline, 150), emoji: false } },
    { type: "section", text: mrkdwn(truncate(`*Risk:* ${escapeSlack(view.risk)}`, 3000)) },
    {
      type: "section",
      fields: [
        mrkdwn(`*Severity*\n${view.severity.toUpperCase()}`),
        mrkdwn(`*Resources*\n${view.resources.length + view.moreResources}`),
        ...(view.owner ? [mrkdwn(`*Owner*\n${escapeSlack(view.owner)}`)] : []),
        ...(view.dueDate ? [mrkdwn(`*Due*\n${escapeSlack(view.dueDate)}`)] : []),
      ],
    },
  ];
  if (view.whyItMatters)
    blocks.push({
      type: "section",
      text: mrkdwn(truncate(`*Why it matters:* ${escapeSlack(view.whyItMatters)}`, 3000)),
    });
  const resources = view.resources.map(
    (row) =>
      `• ${escapeSlack(row.name)} — ${escapeSlack(row.account)}, ${escapeSlack(row.region)} (${row.status})`,
  );
  if (view.moreResources > 0) resources.push(`…and ${view.moreResources} more`);
  blocks.push({ type: "section", text: mrkdwn(truncate(resources.join("\n"), 3000)) });
  if (view.remediationSteps.length > 0) {
    const steps = view.remediationSteps.map((step, i) => `${i + 1}. ${escapeSlack(step)}`).join("\n");
    blocks.push({ type: "section", text: mrkdwn(truncate(`*How to fix it*\n${steps}`, 3000)) });
  }
  const snippet = view.snippets[0];
  if (snippet) {
    blocks.push({
      type: "section",
      text: mrkdwn(
        truncate(
          `*${escapeSlack(snippet.label)}*\n\`\`\`${escapeSlack(snippet.code.replace(/```/g, "ʼʼʼ"))}\`\`\``,
          3000,
        ),
      ),
    });
  }
  const context = [`case ${escapeSlack(view.caseId)}`];
  if (view.consoleUrl) context.unshift(slackLink(view.consoleUrl, "Open in console"));
  blocks.push({ type: "context", elements: [mrkdwn(context.join(" · "))] });
  const buttons = actionButtons(options);
  if (buttons.length > 0)
    blocks.push({
      type: "actions",
      block_id: truncate(`cloudsteward:${options.approvalId ?? options.ackId}`, 255),
      elements: buttons,
    });
  if (options.feedback) {
    const value = truncate(item.id, 2000);
    blocks.push({
      type: "actions",
      block_id: truncate(`cloudsteward:feedback:${item.id}`, 255),
      elements: [
        button(slackActionIds.helpful, "Helpful", value),
        button(slackActionIds.wrong, "Wrong", value),
      ],
    });
  }
  // The top-level `text` is mrkdwn too (notifications, screen readers): escaped like the blocks.
  return {
    text: truncate(`${view.severity.toUpperCase()}: ${escapeSlack(view.headline)}`, 3000),
    blocks,
  };
}

/**
 * Escapes `&`, `<` and `>` so untrusted text cannot form links or mentions (`<!channel>`,
 * `<@U123>`, `<https://evil|label>`); Slack shows the escaped characters as they were.
 */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A `<url|label>` link whose URL cannot close the link or carry a label of its own. */
export function slackLink(url: string, label: string): string {
  const safe = url.replace(/[|<> ]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${safe.replace(/&/g, "&amp;")}|${escapeSlack(label)}>`;
}

function actionButtons(options: SlackRenderOptions): SlackBlock[] {
  const buttons: SlackBlock[] = [];
  if (options.approvalId) {
    const value = truncate(options.approvalId, 2000);
    buttons.push(button(slackActionIds.approve, "Approve", value, "primary"));
    buttons.push(button(slackActionIds.reject, "Reject", value, "danger"));
  }
  if (options.ackId) buttons.push(button(slackActionIds.ack, "Acknowledge", truncate(options.ackId, 2000)));
  return buttons;
}

function button(actionId: string, label: string, value: string, style?: "primary" | "danger"): SlackBlock {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: label },
    value,
    ...(style ? { style } : {}),
  };
}

function mrkdwn(text: string) {
  return { type: "mrkdwn", text };
}
