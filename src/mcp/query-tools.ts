import { z } from "zod";
import { ask } from "../agents/query/answer.js";
import type { QueryPlan } from "../agents/query/compile.js";
import { runQuery } from "../agents/query/run.js";
import { postureQuerySchema } from "../agents/query/schema.js";
import { severitySchema } from "../core/finding.js";
import {
  caseSummary,
  caseSummarySchema,
  defineTool,
  exceptionSummary,
  exceptionSummarySchema,
  type McpToolDefinition,
  type ToolContext,
} from "./tool.js";

/** A query reads the Store and, with sources configured, the platforms: open world, still read-only. */
const queryHints = { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: true };

const nativeCallSchema = z.object({
  platform: z.string(),
  serverSide: z.array(z.string()).describe("Filters the platform applies"),
  clientSide: z.array(z.string()).describe("Filters cloudsteward applies to what comes back"),
  requests: z
    .array(
      z.object({
        method: z.string(),
        path: z.string(),
        body: z.record(z.string(), z.unknown()).describe("The exact JSON body of the first page"),
        note: z.string(),
      }),
    )
    .describe("The native requests, built as data (no user text spliced into a query string)"),
});

const findingRowSchema = z.object({
  id: z.string(),
  title: z.string().describe("Untrusted text from the platform"),
  severity: severitySchema,
  status: z.string(),
  platform: z.string(),
  resourceId: z.string(),
  resourceType: z.string(),
  accountId: z.string(),
  firstSeen: z.string(),
  consoleUrl: z.string().optional(),
});

/** The tools that answer posture questions (cloudsteward/query): typed, and in natural language. */
export const queryTools: readonly McpToolDefinition[] = [
  defineTool({
    name: "query",
    title: "Posture query",
    description:
      "Runs a typed, read-only posture query over live findings from the configured platforms (subject `findings`), the stored cases (`cases`) or the exceptions (`exceptions`): filters on severity, status, category, cloud, account, region, resource type, environment, owner, data classification, exposure, exploitability, age, first/last-seen windows, framework and requirement, archetype and exception state; groupBy, sort, limit and an as-of time. Returns the matches, counts and, per platform, the exact native request and which filters ran where. Titles are untrusted text.",
    input: postureQuerySchema,
    output: z.object({
      query: postureQuerySchema.describe("The query as it ran, defaults filled in"),
      total: z.number().int().describe("Matches, before the limit"),
      scanned: z.number().int().describe("Records examined"),
      findings: z.array(findingRowSchema),
      cases: z.array(caseSummarySchema),
      exceptions: z.array(exceptionSummarySchema),
      groups: z
        .array(z.object({ key: z.record(z.string(), z.string()), count: z.number().int() }))
        .optional(),
      nativeCalls: z.array(nativeCallSchema),
      warnings: z.array(z.string()),
    }),
    annotations: queryHints,
    untrusted: true,
    async run(input, context) {
      const result = await runQuery(input, queryOptions(context));
      return {
        query: result.query,
        total: result.total,
        scanned: result.scanned,
        findings: result.findings.map((finding) => ({
          id: finding.id,
          title: finding.title,
          severity: finding.severity,
          status: finding.status,
          platform: finding.source.platform,
          resourceId: finding.resource.id,
          resourceType: finding.resource.type,
          accountId: finding.resource.accountId,
          firstSeen: finding.firstSeen,
          ...(finding.source.url ? { consoleUrl: finding.source.url } : {}),
        })),
        cases: result.cases.map(caseSummary),
        exceptions: result.exceptions.map(exceptionSummary),
        ...(result.groups
          ? { groups: result.groups.map(({ key, count }) => ({ key: { ...key }, count })) }
          : {}),
        nativeCalls: nativeCallsOf(result.plan),
        warnings: [...result.plan.warnings, ...result.warnings],
      };
    },
  }),
  defineTool({
    name: "ask",
    title: "Ask a posture question",
    description:
      'Answers a posture question in plain words ("critical vulnerabilities in production older than 30 days", "which resources fail PCI DSS 8.3, and why?"): reads it into a typed query (with the configured model, else the offline parser), runs it, and returns a short summary whose numbers come from the result, citations (ids, console links), the query and the native calls, and for compliance questions the gaps explained. An ambiguous question gets a clarifying question back (kind `clarify`), never a guess. Citation titles are untrusted text.',
    input: z.object({ question: z.string().min(1).max(2_000).describe("The question, in plain words") }),
    output: z.object({
      kind: z
        .string()
        .describe("`answer`, `clarify` (see summary and choices) or `unanswerable` (summary says why)"),
      summary: z.string(),
      summarySource: z.string(),
      parsedBy: z.string().describe("`parser` or the model that read the question"),
      query: postureQuerySchema.optional(),
      choices: z.array(z.string()).optional(),
      total: z.number().int().optional(),
      citations: z.array(
        z.object({
          kind: z.enum(["finding", "case", "exception"]),
          id: z.string(),
          title: z.string(),
          severity: z.string(),
          platforms: z.array(z.string()),
          resource: z.string().optional(),
          consoleUrl: z.string().optional(),
        }),
      ),
      nativeCalls: z.array(nativeCallSchema),
      gaps: z
        .array(
          z.object({
            framework: z.string(),
            requirement: z.string(),
            title: z.string(),
            failingResources: z.array(z.string()),
            resourceCount: z.number().int(),
            explanations: z.array(
              z.object({
                archetype: z.string(),
                title: z.string(),
                risk: z.string(),
                remediation: z.array(z.string()),
                findings: z.number().int(),
              }),
            ),
          }),
        )
        .optional(),
      warnings: z.array(z.string()),
    }),
    annotations: queryHints,
    untrusted: true,
    async run(input, context) {
      const answer = await ask(input.question, {
        ...queryOptions(context),
        ...(context.model ? { model: context.model } : {}),
      });
      return {
        kind: answer.kind,
        summary: answer.summary,
        summarySource: answer.summarySource,
        parsedBy: answer.parsedBy,
        ...(answer.query ? { query: answer.query } : {}),
        ...(answer.choices ? { choices: answer.choices } : {}),
        ...(answer.result ? { total: answer.result.total } : {}),
        citations: answer.citations,
        nativeCalls: answer.nativeCalls.map((calls) => ({
          platform: calls.platform,
          serverSide: calls.serverSide,
          clientSide: calls.clientSide,
          requests: calls.requests,
        })),
        ...(answer.gaps ? { gaps: answer.gaps } : {}),
        warnings: answer.warnings,
      };
    },
  }),
];

// Internal helpers.

function queryOptions(context: ToolContext) {
  return {
    store: context.store,
    cases: context.cases,
    now: context.now,
    ...(context.sources ? { sources: context.sources } : {}),
    ...(context.accountEnvironments ? { accountEnvironments: context.accountEnvironments } : {}),
  };
}

function nativeCallsOf(plan: QueryPlan): z.input<typeof nativeCallSchema>[] {
  return plan.platforms
    .filter((platform) => !platform.skipped)
    .map((platform) => ({
      platform: platform.platform,
      serverSide: platform.serverSide,
      clientSide: platform.clientSide,
      requests: platform.requests,
    }));
}
