/**
 * The portable rule: a small declarative condition over one resource's configuration, the one thing
 * drafts are tested in. It is data (zod-validated, so a model can propose it through structured
 * output), evaluated locally by compiling it to a CEL expression run by `@marcbachmann/cel-js`
 * (a conformance-tested evaluator with no dependencies, rather than one of our own), and compiled to
 * each platform's policy language by the deterministic compilers in `./compile`.
 */
import { Environment } from "@marcbachmann/cel-js";
import { z } from "zod";
import { PolicyError, toErrorIssues } from "../../core/errors.js";
import { severitySchema } from "../../core/finding.js";

/** A scalar a condition compares with. */
export type RuleValue = string | number | boolean | null;

/** The comparison operators of a {@link Condition}. */
export const comparisonOperators = [
  "eq",
  "ne",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "contains",
  "matches",
] as const;

/** A comparison operator: `eq` `ne` `gt` `gte` `lt` `lte`, `in` (value is a list), `contains` (string or list), `matches` (a regular expression). */
export type ComparisonOperator = (typeof comparisonOperators)[number];

/**
 * A condition over a resource's configuration. True means the resource breaks the rule.
 *
 * - `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }` combine conditions;
 * - `{ path, exists }` checks that an attribute is present (or absent);
 * - `{ path, op, value }` compares an attribute; an absent attribute makes the comparison false;
 * - `{ path, some }` is true when some element of the list at `path` meets `some` (paths inside are
 *   relative to the element).
 *
 * Paths are dot-separated attribute names in the configuration, e.g. `publicAccessBlock.blockPublicAcls`.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { path: string; exists: boolean }
  | { path: string; op: ComparisonOperator; value: RuleValue | RuleValue[] }
  | { path: string; some: Condition };

const pathSchema = z
  .string()
  .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/, "must be dot-separated attribute names");
const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The zod schema of a {@link Condition}. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z.object({ path: pathSchema, exists: z.boolean() }).strict(),
    z
      .object({
        path: pathSchema,
        op: z.enum(comparisonOperators),
        value: z.union([scalarSchema, z.array(scalarSchema)]),
      })
      .strict(),
    z.object({ path: pathSchema, some: conditionSchema }).strict(),
  ]),
);

/** The zod schema of a {@link PortableRule}. */
export const portableRuleSchema = z.object({
  /** Kebab-case id, e.g. `storage-bucket-public`. */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be kebab-case"),
  /** A short name for people. */
  title: z.string().min(1),
  /** Normalized resource types the rule applies to (`aws.s3.bucket`…). */
  resourceTypes: z
    .array(z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, "must be <cloud>.<service>.<kind>"))
    .min(1),
  /** When a resource of those types breaks the rule. */
  when: conditionSchema,
  /** The severity of the findings it raises. */
  severity: severitySchema,
});

/** A portable rule: resource types plus a condition that is true when a resource breaks the rule. */
export type PortableRule = z.infer<typeof portableRuleSchema>;

/** A resource as a portable rule sees it: its normalized type and its configuration. */
export interface RuleSubject {
  type: string;
  configuration: Record<string, unknown>;
}

/** A portable rule ready to evaluate many times. */
export interface CompiledRule {
  rule: PortableRule;
  /** The CEL expression the condition compiles to (over the variable `resource`). */
  cel: string;
  /** True when `subject` is of one of the rule's types and breaks the rule. Throws {@link PolicyError} when the configuration has a type the condition cannot compare. */
  violates(subject: RuleSubject): boolean;
}

/**
 * Validates a portable rule and compiles it for evaluation.
 * @throws {PolicyError} naming the invalid part of the rule.
 * @example
 * const rule = compileRule({ id: "bucket-public", title: "Public bucket", resourceTypes: ["aws.s3.bucket"],
 *   severity: "high", when: { path: "publicAccessBlock.blockPublicAcls", op: "eq", value: false } });
 * rule.violates({ type: "aws.s3.bucket", configuration: { publicAccessBlock: { blockPublicAcls: false } } }); // true
 */
export function compileRule(input: unknown): CompiledRule {
  const parsed = portableRuleSchema.safeParse(input);
  if (!parsed.success) {
    throw new PolicyError(`Invalid portable rule: ${parsed.error.issues[0]?.message ?? "unknown issue"}`, {
      issues: toErrorIssues(parsed.error.issues),
    });
  }
  const rule = parsed.data;
  const cel = toCel(rule.when, "resource");
  let evaluate: (context: Record<string, unknown>) => unknown;
  try {
    evaluate = celEnvironment().parse(cel);
  } catch (error) {
    throw new PolicyError(`Portable rule ${rule.id} does not compile to CEL`, {
      rule: rule.id,
      cause: error,
    });
  }
  const types = new Set(rule.resourceTypes);
  return {
    rule,
    cel,
    violates(subject) {
      if (!types.has(subject.type)) return false;
      try {
        return evaluate({ resource: subject.configuration }) === true;
      } catch (error) {
        throw new PolicyError(
          `Portable rule ${rule.id} cannot evaluate this configuration: ${(error as Error).message.split("\n")[0]}`,
          { rule: rule.id, cause: error },
        );
      }
    },
  };
}

/** The CEL expression of a condition, over the variable `root` (exported for the compilers' tests and docs). */
export function toCel(condition: Condition, root: string): string {
  if ("all" in condition) return `(${condition.all.map((part) => toCel(part, root)).join(" && ")})`;
  if ("any" in condition) return `(${condition.any.map((part) => toCel(part, root)).join(" || ")})`;
  if ("not" in condition) return `!${toCel(condition.not, root)}`;
  const segments = condition.path.split(".");
  const present = presence(root, segments);
  const value = access(root, segments);
  if ("exists" in condition) return condition.exists ? `(${present})` : `!(${present})`;
  if ("some" in condition) {
    const item = `item${depthOf(root)}`;
    return `(${present} && type(${value}) == list && ${value}.exists(${item}, ${toCel(condition.some, item)}))`;
  }
  return `(${present} && ${comparison(value, condition.op, condition.value)})`;
}

// Internal helpers.

let environment: Environment | undefined;

function celEnvironment(): Environment {
  environment ??= new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  return environment;
}

function depthOf(root: string): number {
  const match = /^item(\d+)$/.exec(root);
  return match ? Number(match[1]) + 1 : 0;
}

function access(root: string, segments: readonly string[]): string {
  return root + segments.map((segment) => `[${JSON.stringify(segment)}]`).join("");
}

/** Each step is a map holding the next key, so no access ever fails on a missing attribute. */
function presence(root: string, segments: readonly string[]): string {
  return segments
    .map((segment, index) => {
      const parent = access(root, segments.slice(0, index));
      return `type(${parent}) == map && ${JSON.stringify(segment)} in ${parent}`;
    })
    .join(" && ");
}

function literal(value: RuleValue | RuleValue[]): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  return JSON.stringify(value);
}

function comparison(value: string, op: ComparisonOperator, operand: RuleValue | RuleValue[]): string {
  const right = literal(operand);
  switch (op) {
    case "eq":
      return `${value} == ${right}`;
    case "ne":
      return `${value} != ${right}`;
    case "gt":
      return `${value} > ${right}`;
    case "gte":
      return `${value} >= ${right}`;
    case "lt":
      return `${value} < ${right}`;
    case "lte":
      return `${value} <= ${right}`;
    case "in":
      return `${value} in ${Array.isArray(operand) ? right : `[${right}]`}`;
    case "contains":
      return `(type(${value}) == string ? ${value}.contains(${right}) : ${right} in ${value})`;
    case "matches":
      return `${value}.matches(${right})`;
  }
}
