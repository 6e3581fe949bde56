import type { z } from "zod";
import { type ErrorIssue, ModelOutputError, toErrorIssues } from "../core/errors.js";
import type { RunReport } from "../core/report.js";
import { restoreOptionalNulls, toJsonSchema } from "./json-schema.js";
import {
  addUsage,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type LanguageModel,
  type ModelMessage,
  type ModelWarning,
  type TokenUsage,
} from "./language-model.js";
import { costOf, type PriceTable, recordUsage } from "./pricing.js";

/** Options of {@link generateObject}. */
export interface GenerateObjectOptions<Schema extends z.ZodType> {
  /** The zod schema the answer must satisfy; its root must be a `z.object`. */
  schema: Schema;
  /** A short name for the schema, `[a-zA-Z0-9_-]`, at most 64 characters (sent to the provider). */
  schemaName: string;
  /** What the object is, in one sentence (sent to providers that accept it). */
  schemaDescription?: string;
  /** The system prompt: instructions only, never untrusted data. */
  system?: string;
  /** The user prompt; fence untrusted data in it with `untrustedBlock`. Ignored when `messages` is given. */
  prompt?: string;
  /** A whole conversation, instead of `prompt`. */
  messages?: ModelMessage[];
  /** The prompt's version, e.g. `explain@1`, recorded with the output. */
  promptVersion?: string;
  /** Aborting rejects the call with the signal's reason. */
  signal?: AbortSignal;
  /** Sampling temperature; providers that do not accept it drop it with a warning. */
  temperature?: number;
  /** Upper bound on generated tokens per attempt. */
  maxOutputTokens?: number;
  /** A run report whose `usage` receives this call's calls, tokens and cost. */
  report?: RunReport;
  /** The price table for the cost. @default defaultPriceTable */
  pricing?: PriceTable;
}

/** What {@link generateObject} returns: the validated object and everything to audit it. */
export interface GenerateObjectResult<T> {
  /** The validated object (zod's output, defaults applied). */
  object: T;
  /** The raw text of the accepted answer. */
  text: string;
  /** Tokens of all attempts together. */
  usage: TokenUsage;
  /** Cost of all attempts, from the price table (0 for unknown models). */
  cost: number;
  /** The provider of the model that answered. */
  provider: string;
  /** The model that answered (behind a fallback or router, the one actually used). */
  modelId: string;
  /** The prompt version given in the options. */
  promptVersion?: string;
  /** Why the model stopped, for the accepted answer. */
  finishReason: FinishReason;
  /** Compatibility notes from the provider, for the accepted answer. */
  warnings: ModelWarning[];
  /** True when the first answer was invalid and the repair attempt succeeded. */
  repaired: boolean;
}

/**
 * Asks a model for a JSON object, validates it with zod and, when it is invalid, makes ONE repair
 * attempt that sends the validation errors back.
 * @throws ModelOutputError carrying the raw text, the issues and the usage of both attempts when
 * the repaired answer is still invalid, or at once when the model refuses.
 * @example
 * const { object, usage, promptVersion } = await generateObject(model, {
 *   schema: z.object({ summary: z.string() }),
 *   schemaName: "explanation",
 *   system: "You explain cloud security findings.",
 *   prompt: `Explain this finding:\n${untrustedBlock("finding", finding)}`,
 *   promptVersion: "explain@1",
 * });
 */
export async function generateObject<Schema extends z.ZodType>(
  model: LanguageModel,
  options: GenerateObjectOptions<Schema>,
): Promise<GenerateObjectResult<z.output<Schema>>> {
  const jsonSchema = toJsonSchema(options.schema);
  const messages: ModelMessage[] = options.messages ?? [{ role: "user", content: options.prompt ?? "" }];
  const request: GenerateRequest = {
    system: options.system,
    messages,
    responseFormat: {
      type: "json",
      schema: jsonSchema,
      name: options.schemaName,
      description: options.schemaDescription,
    },
    temperature: options.temperature,
    maxOutputTokens: options.maxOutputTokens,
    signal: options.signal,
  };
  const modelName = `${model.provider}:${model.modelId}`;
  const settle = (usage: TokenUsage, calls: number, result: GenerateResult): number => {
    const cost = costOf(usage, result.model ?? model, options.pricing);
    if (options.report) recordUsage(options.report, usage, cost, calls);
    return cost;
  };

  const first = await model.generate(request);
  let usage = first.usage;
  const firstCheck = check(first, options.schema, jsonSchema);
  if (firstCheck.ok) return success(firstCheck.value, first, usage, settle(usage, 1, first), false);
  if (first.refusal !== undefined) {
    settle(usage, 1, first);
    throw new ModelOutputError(
      `${modelName} refused to answer (${options.schemaName}); use the knowledge base instead.`,
      {
        model: modelName,
        issues: firstCheck.issues,
        text: first.refusal,
        usage,
      },
    );
  }

  const second = await model.generate({
    ...request,
    messages: [
      ...messages,
      { role: "assistant", content: first.text },
      { role: "user", content: repairPrompt(options.schemaName, firstCheck.issues) },
    ],
  });
  usage = addUsage(usage, second.usage);
  const secondCheck = check(second, options.schema, jsonSchema);
  if (secondCheck.ok) return success(secondCheck.value, second, usage, settle(usage, 2, second), true);
  settle(usage, 2, second);
  throw new ModelOutputError(
    `${modelName} returned output that does not match the "${options.schemaName}" schema, even after one repair attempt (${describeIssues(secondCheck.issues)}). Use the knowledge base for this item, or try a larger model.`,
    { model: modelName, issues: secondCheck.issues, repaired: true, text: second.text, usage },
  );

  function success(
    object: z.output<Schema>,
    result: GenerateResult,
    total: TokenUsage,
    cost: number,
    repaired: boolean,
  ): GenerateObjectResult<z.output<Schema>> {
    return {
      object,
      text: result.text,
      usage: total,
      cost,
      provider: result.model?.provider ?? model.provider,
      modelId: result.model?.modelId ?? model.modelId,
      promptVersion: options.promptVersion,
      finishReason: result.finishReason,
      warnings: result.warnings,
      repaired,
    };
  }
}

/**
 * Parses a model's text answer as JSON, tolerating Markdown code fences and prose around one object.
 * Returns undefined when no JSON value can be read.
 */
export function parseJsonText(text: string): { value: unknown } | undefined {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(trimmed)?.[1] ?? trimmed;
  for (const candidate of [fenced, sliceObject(fenced)]) {
    if (candidate === undefined) continue;
    try {
      return { value: JSON.parse(candidate) };
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

type Check<T> = { ok: true; value: T } | { ok: false; issues: ErrorIssue[] };

function check<Schema extends z.ZodType>(
  result: GenerateResult,
  schema: Schema,
  jsonSchema: Record<string, unknown>,
): Check<z.output<Schema>> {
  let candidate: unknown = result.object;
  if (candidate === undefined) {
    const parsed = parseJsonText(result.text);
    if (!parsed) {
      const reason = result.finishReason === "length" ? " (the answer was cut off at the token limit)" : "";
      return { ok: false, issues: [{ path: [], message: `the answer is not valid JSON${reason}` }] };
    }
    candidate = parsed.value;
  }
  const validated = schema.safeParse(restoreOptionalNulls(candidate, jsonSchema));
  if (validated.success) return { ok: true, value: validated.data };
  return { ok: false, issues: toErrorIssues(validated.error.issues) };
}

function repairPrompt(schemaName: string, issues: ErrorIssue[]): string {
  return [
    `Your previous answer does not match the "${schemaName}" JSON schema:`,
    ...issues
      .slice(0, 20)
      .map((issue) => `- ${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`),
    "Reply again with only the corrected JSON object, following the schema exactly.",
  ].join("\n");
}

function describeIssues(issues: ErrorIssue[]): string {
  const first = issues[0];
  if (!first) return "no details";
  const where = first.path.length ? first.path.join(".") : "(root)";
  const more = issues.length > 1 ? ` and ${issues.length - 1} more` : "";
  return `${where}: ${first.message}${more}`;
}

function sliceObject(text: string): string | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}
