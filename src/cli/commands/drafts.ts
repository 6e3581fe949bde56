import type { ApprovalRequest } from "../../agents/approvals/queue.js";
import { type GateDraft, gateDrafts } from "../../agents/gate/gate.js";
import { approvalRequirement } from "../../agents/policy/evaluate.js";
import type { Policy } from "../../agents/policy/schema.js";
import type { Action } from "../../core/action.js";
import { findingCountOf } from "../../core/case.js";
import { severitySchema } from "../../core/finding.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";

/** Help text of `cloudsteward drafts`. */
export const draftsHelp = `cloudsteward drafts [options]

Lists what a run did not deliver, with why: the drafts a read-only run (or --dry-run) kept, and the
actions waiting for a human approval. Each shows the policy rule that produced it, why it was held,
the case's severity, owner and resource, the action and its due date.

Options:
  --config <file>      the config file (default ./cloudsteward.yaml)
  --status <status>    draft | waiting (default: both)
  --severity <level>   critical | high | medium | low | info (repeatable)
  --owner <owner>      only this owner's (repeatable)
  --rule <rule>        only what this policy rule produced (repeatable)
  --kind <kind>        ticket | notify | remediate | exception | tag | escalate (repeatable)
  --json               a JSON array (every field, including the policy's rationale)

Examples:
  cloudsteward run --dry-run && cloudsteward drafts
  cloudsteward drafts --status waiting --severity critical --severity high
  cloudsteward drafts --owner payments --json | jq '.[] | {rule, why, resource}'`;

/** The flags of `cloudsteward drafts`. */
export const draftsArgs = {
  flags: {
    config: { type: "string", path: "file" },
    status: { type: "string", choices: ["draft", "waiting"] },
    severity: { type: "string", multiple: true, choices: severitySchema.options },
    owner: { type: "string", multiple: true },
    rule: { type: "string", multiple: true },
    kind: {
      type: "string",
      multiple: true,
      choices: ["ticket", "notify", "remediate", "exception", "tag", "escalate"],
    },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** One held action as `cloudsteward drafts` lists it. */
export interface HeldAction {
  status: "draft" | "waiting";
  /** The approval id, for waiting actions (`cloudsteward approvals approve <id>`). */
  approvalId?: string;
  kind: Action["kind"];
  sink: string;
  risk: Action["risk"];
  severity: Action["case"]["severity"];
  owner: string;
  environment: string;
  /** The first resource's name (or id), and how many more the case has. */
  resource: string;
  moreResources: number;
  rule?: string;
  /** Why it was held: the gate's reason (read-only mode, the approval rule that matched). */
  why: string;
  /**
   * What a delivering run would do with it: go out at once (automated mode, a low-risk action the
   * policy marks automatic) or wait for an approval, and why.
   */
  whenDelivering: string;
  /** The policy's rationale for the action itself. */
  rationale: string;
  dueDate?: string;
  caseId: string;
  headline: string;
  /** When the draft was kept or the approval requested. */
  at: string;
}

/** `cloudsteward drafts`: the drafts and waiting approvals, with their rationale, filterable. */
export async function draftsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, draftsArgs);
  const out = createOutput(io, { json: values.json });
  const context = await openContext(io, values.config);
  try {
    const held: HeldAction[] = [];
    if (values.status !== "waiting") {
      for await (const draft of gateDrafts(context.store)) held.push(heldDraft(draft, context.policy));
    }
    if (values.status !== "draft") {
      for await (const request of context.approvals.list({ state: "requested" }))
        held.push(heldRequest(request, context.policy));
    }
    const pass = (wanted: readonly string[] | undefined, value: string | undefined) =>
      !wanted || wanted.length === 0 || (value !== undefined && wanted.includes(value));
    const shown = held
      .filter(
        (item) =>
          pass(values.severity, item.severity) &&
          pass(values.owner, item.owner) &&
          pass(values.rule, item.rule) &&
          pass(values.kind, item.kind),
      )
      .sort(
        (a, b) =>
          severitySchema.options.indexOf(a.severity) - severitySchema.options.indexOf(b.severity) ||
          (a.dueDate ?? "9999").localeCompare(b.dueDate ?? "9999") ||
          a.caseId.localeCompare(b.caseId),
      );
    if (out.json) {
      out.data(shown);
      return exitCodes.ok;
    }
    if (shown.length === 0) {
      out.line(
        held.length === 0
          ? "No drafts and no actions waiting for approval."
          : `None of the ${held.length} drafts and waiting actions match the filters.`,
      );
      return exitCodes.ok;
    }
    printTable(out, shown);
    const drafts = shown.filter((item) => item.status === "draft").length;
    out.line(
      `${shown.length} shown (${drafts} draft${drafts === 1 ? "" : "s"}, ${shown.length - drafts} waiting for approval)${shown.length < held.length ? ` of ${held.length}` : ""}. Approve one: cloudsteward approvals approve <id> --as <principal>.`,
    );
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

function heldDraft(draft: GateDraft, policy: Policy): HeldAction {
  return { status: "draft", ...summary(draft.action, policy), why: draft.reason, at: draft.at };
}

function heldRequest(request: ApprovalRequest, policy: Policy): HeldAction {
  return {
    status: "waiting",
    approvalId: request.id,
    ...summary(request.action, policy),
    why: request.reason,
    at: request.requestedAt,
  };
}

/** The approval requirement of the action in automated mode, from the policy's rule that produced it. */
function whenDelivering(action: Action, policy: Policy): string {
  const template = policy.rules
    .find((rule) => rule.id === action.rule)
    ?.do.find((item) => item.kind === action.kind && (item.sink ?? "default") === (action.sink ?? "default"));
  const requirement = approvalRequirement(
    policy,
    { kind: action.kind, risk: action.risk, case: action.case, automatic: template?.automatic },
    "automated",
  );
  return requirement.requiresApproval
    ? `waits for an approval even in automated mode: ${requirement.reason}`
    : `goes out at once in automated mode (${requirement.reason.replace(/^automated mode: /, "")})`;
}

function summary(action: Action, policy: Policy): Omit<HeldAction, "status" | "approvalId" | "why" | "at"> {
  const item = action.case;
  const resources = new Set(item.findings.map((finding) => finding.resource.id));
  const first = item.findings[0]?.resource;
  const total = item.resourceCount ?? resources.size;
  return {
    kind: action.kind,
    sink: action.sink ?? "default",
    risk: action.risk,
    severity: item.severity,
    owner: item.context?.owner?.value ?? item.groupKey.owner ?? "unowned",
    environment: item.context?.environment?.value ?? "unknown",
    resource: first ? first.name || first.id : "",
    moreResources: Math.max(0, total - 1),
    ...(action.rule ? { rule: action.rule } : {}),
    whenDelivering: whenDelivering(action, policy),
    rationale: action.rationale,
    ...(action.dueDate ? { dueDate: action.dueDate } : {}),
    caseId: item.id,
    headline: item.explanation?.headline ?? item.findings[0]?.title ?? `${findingCountOf(item)} finding(s)`,
  };
}

/** Aligned columns, then each action's headline and why on an indented second line. */
function printTable(out: ReturnType<typeof createOutput>, items: readonly HeldAction[]): void {
  const rows = items.map((item) => [
    item.status === "waiting" ? (item.approvalId ?? "waiting") : "draft",
    item.severity,
    item.owner,
    item.rule ?? "-",
    `${item.kind}→${item.sink}`,
    item.dueDate ?? "-",
    `${item.resource}${item.moreResources > 0 ? ` +${item.moreResources}` : ""}`,
  ]);
  const header = ["ID/STATUS", "SEVERITY", "OWNER", "RULE", "ACTION", "DUE", "RESOURCE"];
  const widths = header.map((title, column) =>
    Math.min(48, Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length))),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ");
  out.line(out.bold(format(header)));
  items.forEach((item, index) => {
    out.line(format(rows[index] ?? []));
    out.line(out.dim(`    ${item.headline}`));
    out.line(out.dim(`    why: ${item.why}; ${item.whenDelivering}`));
  });
}
