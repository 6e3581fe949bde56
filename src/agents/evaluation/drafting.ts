import { z } from "zod";
import { isCloudstewardError, PolicyError, toErrorIssues } from "../../core/errors.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { draftPolicy } from "../drafting/draft.js";
import { testRule } from "../drafting/fixtures.js";
import type { DraftTemplate } from "../drafting/templates.js";
import { modelLabel, percent, tally } from "./tally.js";

const configurationSchema = z.record(z.string(), z.unknown());

/** The zod schema of a {@link DraftingCase}, for sets read from files. */
export const draftingCaseSchema = z.object({
  id: z.string().min(1),
  /** storage, iam, network, encryption, logging, kubernetes, data-classification… */
  category: z.string().min(1),
  requirement: z.string().min(1),
  /** The normalized resource type the fixtures are configurations of. */
  resourceType: z.string().min(1),
  /** Configurations a rule meeting the requirement flags. */
  violating: z.array(configurationSchema).min(1),
  /** Configurations it passes. */
  compliant: z.array(configurationSchema).min(1),
});

/** One labeled drafting case: a plain requirement and configurations that settle whether a rule meets it. */
export type DraftingCase = z.infer<typeof draftingCaseSchema>;

/**
 * Parses a drafting set: a JSON array of {@link DraftingCase}.
 * @throws {PolicyError} naming the file, the case and the field that is wrong.
 */
export function parseDraftingCases(text: string, file: string): DraftingCase[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`The drafting set ${file} is not JSON`, { cause: error });
  }
  return parseSet(draftingCaseSchema, value, `drafting set ${file}`);
}

/**
 * Parses a labeled set: a JSON array of `schema`'s cases.
 * @throws {PolicyError} naming the set (`what`), the case and the field that is wrong.
 */
export function parseSet<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T>[] {
  const parsed = z.array(schema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyError(
      `Invalid ${what}: ${issue?.path.map(String).join(".")}: ${issue?.message ?? "invalid"}`,
      { issues: toErrorIssues(parsed.error.issues) },
    );
  }
  return parsed.data;
}

/** How one case fared. */
export interface DraftingCaseResult {
  id: string;
  category: string;
  /** True when a draft was produced (a template matched, or the model answered). */
  drafted: boolean;
  /** The draft passed its own fixtures. */
  ready: boolean;
  /** The draft's rule covers the case's resource type and passes the case's fixtures: the end-to-end figure. */
  passed: boolean;
  /** Platforms the draft compiled for (of 4). */
  platforms: number;
  ruleId?: string;
  /** Why it did not pass. */
  problems: string[];
}

/** The result of a drafting evaluation run. */
export interface DraftingEvaluation {
  /** `templates` or the model's `provider:modelId`. */
  model: string;
  cases: number;
  passed: number;
  /** Passed cases in percent. */
  passRate: number;
  /** Drafts that passed their own fixtures, in percent of the cases. */
  readyRate: number;
  byCategory: Record<string, { cases: number; passed: number }>;
  results: DraftingCaseResult[];
}

/** Options of {@link evaluateDrafting}. */
export interface EvaluateDraftingOptions {
  /** The model under test; without it, the template path is evaluated. */
  model?: LanguageModel;
  /** The templates of the template path. @default draftTemplates */
  templates?: readonly DraftTemplate[];
  signal?: AbortSignal;
}

/**
 * Runs labeled drafting cases end to end: each requirement is drafted (templates, or the model) and
 * the draft's rule is judged on the case's own fixtures, not the draft's — so a model that writes
 * fixtures to fit a wrong rule does not pass.
 * @example
 * const evaluation = await evaluateDrafting(cases, { model });
 * console.log(`${evaluation.passRate}% of ${evaluation.cases} requirements end to end`);
 */
export async function evaluateDrafting(
  cases: readonly DraftingCase[],
  options: EvaluateDraftingOptions = {},
): Promise<DraftingEvaluation> {
  const results: DraftingCaseResult[] = [];
  for (const item of cases) results.push(await evaluateCase(item, options));
  const passed = results.filter((result) => result.passed).length;
  return {
    model: modelLabel(options.model, "templates"),
    cases: cases.length,
    passed,
    passRate: percent(passed, cases.length),
    readyRate: percent(results.filter((result) => result.ready).length, cases.length),
    byCategory: tally(results, (result) => result.category),
    results,
  };
}

// Internal helpers.

async function evaluateCase(
  item: DraftingCase,
  options: EvaluateDraftingOptions,
): Promise<DraftingCaseResult> {
  const base = { id: item.id, category: item.category };
  let draft: Awaited<ReturnType<typeof draftPolicy>>;
  try {
    draft = await draftPolicy(item.requirement, {
      ...(options.model ? { model: options.model } : {}),
      ...(options.templates ? { templates: options.templates } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (!isCloudstewardError(error)) throw error;
    return { ...base, drafted: false, ready: false, passed: false, platforms: 0, problems: [error.message] };
  }
  const platforms = new Set(draft.policies.map((policy) => policy.platform)).size;
  const covered = draft.rule.resourceTypes.includes(item.resourceType);
  const test = covered
    ? testRule(
        { ...draft.rule, resourceTypes: [item.resourceType] },
        { violating: item.violating, compliant: item.compliant },
      )
    : undefined;
  const problems = covered
    ? (test?.problems ?? [])
    : [`rule ${draft.rule.id} covers ${draft.rule.resourceTypes.join(", ")}, not ${item.resourceType}`];
  return {
    ...base,
    drafted: true,
    ready: draft.ready,
    passed: test?.passed === true,
    platforms,
    ruleId: draft.rule.id,
    problems,
  };
}
