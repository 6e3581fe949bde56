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
    ...(view.owner ? [{ title: "Owner", value: view.owner }] : []),
    ...(view.dueDate ? [{ title: "Due", value: view.dueDate }] : []),
  ];
  const body: Record<string, unknown>[] = [
    { type: "TextBlock", size: "Large", weight: "Bolder", wrap: true, text: truncate(view.headline, 300) },
    { type: "FactSet", facts },
    { type: "TextBlock", wrap: true, text: view.risk },
  ];
  if (view.whyItMatters) body.push({ type: "TextBlock", wrap: true, text: view.whyItMatters });
  const resources = view.resources.map(
    (row) => `- ${row.name} (${row.account}, ${row.region}): ${row.status}`,
  );
  if (view.moreResources > 0) resources.push(`- …and ${view.moreResources} more`);
  body.push({ type: "TextBlock", wrap: true, text: resources.join("\n") });
  if (view.remediationSteps.length > 0) {
    body.push({ type: "TextBlock", wrap: true, weight: "Bolder", text: "How to fix it" });
    body.push({
      type: "TextBlock",
      wrap: true,
      text: view.remediationSteps.map((step, i) => `${i + 1}. ${step}`).join("\n"),
    });
  }
  const snippet = view.snippets[0];
  if (snippet)
    body.push({ type: "TextBlock", wrap: true, fontType: "Monospace", text: truncate(snippet.code, 2000) });
  const actions =
    view.consoleUrl && /^https?:\/\//i.test(view.consoleUrl)
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
