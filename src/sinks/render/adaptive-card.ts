import type { Case } from "../../core/case.js";
import { caseView, type RenderOptions, truncate } from "./view.js";

/** An Adaptive Card 1.4 (the version Teams Workflows render). */
export interface AdaptiveCard {
  $schema: string;
  type: "AdaptiveCard";
  version: "1.4";
  body: Record<string, unknown>[];
  actions: Record<string, unknown>[];
  msteams?: { width: "Full" };
}

/**
 * Renders a case as an Adaptive Card 1.4 with an `Action.OpenUrl` to the console (Workflows
 * webhooks cannot carry `Action.Submit`).
 * @example
 * const card = renderAdaptiveCard(action.case);
 */
export function renderAdaptiveCard(item: Case, options: RenderOptions = {}): AdaptiveCard {
  const view = caseView(item, { ...options, maxResources: options.maxResources ?? 10 });
  const facts = [
    { title: "Severity", value: view.severity.toUpperCase() },
    { title: "Resources", value: String(view.resources.length + view.moreResources) },
    ...(view.owner ? [{ title: "Owner", value: escapeCardText(view.owner) }] : []),
    ...(view.dueDate ? [{ title: "Due", value: escapeCardText(view.dueDate) }] : []),
  ];
  const body: Record<string, unknown>[] = [
    {
      type: "TextBlock",
      size: "Large",
      weight: "Bolder",
      wrap: true,
      text: escapeCardText(truncate(view.headline, 300)),
    },
    { type: "FactSet", facts },
    { type: "TextBlock", wrap: true, text: escapeCardText(view.risk) },
  ];
  if (view.whyItMatters)
    body.push({ type: "TextBlock", wrap: true, text: escapeCardText(view.whyItMatters) });
  // Each line is escaped on its own; the list markers are ours. Markdown needs a blank line between lines.
  const resources = view.resources.map(
    (row) =>
      `- ${escapeCardText(row.name)} (${escapeCardText(row.account)}, ${escapeCardText(row.region)}): ${row.status}`,
  );
  if (view.moreResources > 0) resources.push(`- …and ${view.moreResources} more`);
  body.push({ type: "TextBlock", wrap: true, text: resources.join("\n") });
  if (view.remediationSteps.length > 0) {
    body.push({ type: "TextBlock", wrap: true, weight: "Bolder", text: "How to fix it" });
    body.push({
      type: "TextBlock",
      wrap: true,
      text: view.remediationSteps.map((step, i) => `${i + 1}. ${escapeCardText(step)}`).join("\n"),
    });
  }
  const snippet = view.snippets[0];
  if (snippet)
    body.push({
      type: "TextBlock",
      wrap: true,
      fontType: "Monospace",
      text: escapeCardText(truncate(snippet.code, 2000)),
    });
  const actions = view.consoleUrl
    ? [{ type: "Action.OpenUrl", title: "Open in console", url: view.consoleUrl }]
    : [];
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    actions,
    msteams: { width: "Full" },
  };
}

/**
 * Escapes untrusted text for an Adaptive Card `TextBlock` or fact value, whose text is Markdown:
 * links, emphasis, code and angle brackets get a backslash, and so does a leading list or heading
 * marker, so no link, `<at>` mention or forged list item can form.
 * @example
 * escapeCardText("[click](https://evil.example)"); // "\\[click\\]\\(https://evil.example\\)"
 */
export function escapeCardText(value: string): string {
  return value.replace(/[\\`*_[\]()~<>]/g, "\\$&").replace(/^(\s*)([-+#]|\d+\.)/, "$1\\$2");
}
