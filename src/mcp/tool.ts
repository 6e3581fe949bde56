import { z } from "zod";
import type { ExceptionRecord } from "../agents/exceptions/exceptions.js";
import type { Policy, Principal } from "../agents/policy/schema.js";
import type { AccountEnvironments } from "../agents/query/evaluate.js";
import type { StoredCases } from "../agents/query/stored.js";
import type { AuditLog } from "../audit/audit-log.js";
import { type Case, environmentSchema, findingCountOf } from "../core/case.js";
import { type Finding, severitySchema } from "../core/finding.js";
import type { FindingSource } from "../core/source.js";
import type { Store } from "../core/store.js";
import type { LanguageModel } from "../llm/language-model.js";

/** What every tool call runs with: the server's parts and the caller. */
export interface ToolContext {
  store: Store;
  /** The Store's cases, decoded once and shared by the calls (re-read in the background after a minute). */
  cases: StoredCases;
  policy: Policy;
  audit: AuditLog;
  /** The principal the call acts as: the server's, or the one an HTTP bearer token maps to. */
  principal: Principal;
  model?: LanguageModel;
  /** Platforms the query tools read live findings from. */
  sources?: readonly FindingSource[];
  /** The environment of each cloud account, for the query tools. */
  accountEnvironments?: AccountEnvironments;
  now: () => Date;
}

/** The hints an MCP client reads before calling a tool (the MCP `ToolAnnotations`). */
export interface ToolHints {
  readOnlyHint: boolean;
  idempotentHint: boolean;
  destructiveHint: boolean;
  openWorldHint: boolean;
}

/** One MCP tool: typed input and output, hints, and what it does. */
export interface McpToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output: Output;
  annotations: ToolHints;
  /** The result carries text copied from cloud resources and tools: fenced as untrusted data. */
  untrusted: boolean;
  run(input: z.output<Input>, context: ToolContext): Promise<z.input<Output>>;
}

/** Builds a tool with its input and output types checked against each other. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  tool: McpToolDefinition<Input, Output>,
): McpToolDefinition {
  return tool as unknown as McpToolDefinition;
}

/** The hints of a tool that only reads the Store. */
export const readHints: ToolHints = {
  readOnlyHint: true,
  idempotentHint: true,
  destructiveHint: false,
  openWorldHint: false,
};

/** A stored case in a list: what a reader needs to pick one. */
export const caseSummarySchema = z.object({
  id: z.string(),
  headline: z
    .string()
    .describe("The explanation's headline, else the first finding's title (untrusted text)"),
  severity: severitySchema,
  priority: z.number().optional(),
  findingCount: z.number().int(),
  platforms: z.array(z.string()),
  ruleId: z.string(),
  owner: z.string().optional(),
  environment: environmentSchema,
});

/** An exception in a list. */
export const exceptionSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(["exception", "risk-acceptance"]),
  state: z.enum(["requested", "approved", "rejected", "active", "expired", "revoked"]),
  severity: severitySchema,
  requester: z.string(),
  justification: z.string(),
  caseId: z.string().optional(),
  findingCount: z.number().int(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  approvals: z.number().int(),
  requiredApprovals: z.number().int(),
});

/** The environment `enrich` found for a case, else `unknown`. */
export function environmentOf(item: Case) {
  return item.context?.environment?.value ?? "unknown";
}

/** The owner `enrich` found for a case, else the triage group's owner. */
export function ownerOf(item: Case): string | undefined {
  return item.context?.owner?.value ?? item.groupKey.owner;
}

/** The list row of a stored case. */
export function caseSummary(item: Case): z.input<typeof caseSummarySchema> {
  const [first] = item.findings as [Finding, ...Finding[]];
  const owner = ownerOf(item);
  return {
    id: item.id,
    headline: item.explanation?.headline ?? first.title,
    severity: item.severity,
    ...(item.priority ? { priority: item.priority.score } : {}),
    findingCount: findingCountOf(item),
    platforms: item.platforms,
    ruleId: first.rule.id,
    ...(owner === undefined ? {} : { owner }),
    environment: environmentOf(item),
  };
}

/** The list row of an exception record. */
export function exceptionSummary(record: ExceptionRecord): z.input<typeof exceptionSummarySchema> {
  return {
    id: record.id,
    kind: record.kind,
    state: record.state,
    severity: record.severity,
    requester: record.requester,
    justification: record.justification,
    ...(record.caseId === undefined ? {} : { caseId: record.caseId }),
    findingCount: record.findingIds.length,
    requestedAt: record.requestedAt,
    expiresAt: record.expiresAt,
    approvals: record.approvals.length,
    requiredApprovals: record.requiredApprovals,
  };
}
