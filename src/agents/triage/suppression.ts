import { z } from "zod";
import { PolicyError, toErrorIssues } from "../../core/errors.js";
import { type Finding, findingSchema, formatPath } from "../../core/finding.js";

/** One value a field is compared with: equality, or a RegExp (also written `/…/flags` in data), or `null` for "absent". */
export type SuppressionMatchValue = string | number | boolean | RegExp | null;

/** A condition on one field: a value, or a list of values of which any may match. */
export type SuppressionMatcher = SuppressionMatchValue | readonly SuppressionMatchValue[];

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.instanceof(RegExp), z.null()]);
const matcherSchema = z.union([scalarSchema, z.array(scalarSchema).min(1)]);

/**
 * A suppression rule. `match` maps Finding field paths (`severity`, `category`, `rule.id`,
 * `resource.accountId`, `vulnerability.cve`, `source.platform`…) to matchers, all of which must hold;
 * `tags` (or `resource.tags.<key>`) matches tags by key; strings in `resource.type` are globs (`aws.s3.*`).
 * Every rule carries a reason, an owner and an expiry.
 */
export const suppressionRuleSchema = z.object({
  /** Unique among the rules; appears in reports and events. */
  id: z.string().trim().min(1),
  /** Field path → matcher; `tags` → tag key → matcher. Every condition must hold. */
  match: z.record(z.string(), z.union([matcherSchema, z.record(z.string(), matcherSchema)])),
  /** Why these findings are accepted noise. */
  reason: z.string().trim().min(1),
  /** Who answers for the rule (a person or team). */
  owner: z.string().trim().min(1),
  /**
   * When the rule stops suppressing: an ISO date-time, a date (valid through that day, UTC), a Date, or
   * `"never"` (only with `allowNoExpiry`).
   */
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.iso.date(), z.date(), z.literal("never")]),
});

/** A suppression rule as written (in TypeScript, or loaded from YAML/JSON). */
export type SuppressionRule = z.input<typeof suppressionRuleSchema> & {
  match: Record<string, SuppressionMatcher | Record<string, SuppressionMatcher>>;
};

/** A validated rule, ready to test findings. */
export interface CompiledSuppression {
  /** The rule as validated. */
  rule: z.output<typeof suppressionRuleSchema>;
  /** Epoch milliseconds; `Infinity` for `"never"`. */
  expiresAtMs: number;
  /** The expiry as an ISO string, or `"never"`. */
  expiresAt: string;
  /** True when every condition of `match` holds for the finding (expiry is the caller's to check). */
  matches(finding: Finding): boolean;
}

/**
 * Validates and compiles suppression rules.
 * @throws PolicyError naming the rule and field: a missing reason/owner/expiry, `"never"` without
 * `allowNoExpiry`, an unknown field path, an empty `match`, an invalid regular expression, or a duplicate id.
 * @example
 * const rules = compileSuppressions(yaml.parse(text).suppressions);
 */
export function compileSuppressions(
  rules: unknown,
  options: { allowNoExpiry?: boolean } = {},
): CompiledSuppression[] {
  if (!Array.isArray(rules)) throw new PolicyError("triage: `suppressions` must be an array of rules.");
  const seen = new Set<string>();
  return rules.map((input, index) => {
    const label = ruleLabel(input, index);
    if (
      typeof input === "object" &&
      input !== null &&
      (input as { expiresAt?: unknown }).expiresAt === undefined
    ) {
      throw new PolicyError(
        `triage: suppression rule ${label} has no expiresAt. Every suppression needs an expiry (an ISO date); use "never" only with \`allowNoExpiry: true\`.`,
        { rule: label, issues: [{ path: [index, "expiresAt"], message: "required" }] },
      );
    }
    const parsed = suppressionRuleSchema.safeParse(input);
    if (!parsed.success) {
      const issues = toErrorIssues(parsed.error.issues);
      const first = issues[0]!;
      throw new PolicyError(
        `triage: suppression rule ${label} is invalid at ${formatPath(first.path)}: ${first.message}. Every rule needs id, match, reason, owner and expiresAt.`,
        { rule: label, issues, cause: parsed.error },
      );
    }
    const rule = parsed.data;
    if (seen.has(rule.id))
      throw new PolicyError(`triage: two suppression rules share the id "${rule.id}". Make ids unique.`, {
        rule: rule.id,
      });
    seen.add(rule.id);
    if (rule.expiresAt === "never" && options.allowNoExpiry !== true) {
      throw new PolicyError(
        `triage: suppression rule "${rule.id}" never expires. Give it an expiresAt date, or pass \`allowNoExpiry: true\` to triage() if your policy allows permanent suppressions.`,
        { rule: rule.id },
      );
    }
    const conditions = Object.entries(rule.match).flatMap(([path, matcher]) =>
      compileCondition(rule.id, path, matcher),
    );
    if (conditions.length === 0) {
      throw new PolicyError(
        `triage: suppression rule "${rule.id}" has an empty match, which would suppress every finding. Add at least one condition.`,
        { rule: rule.id },
      );
    }
    const expiresAtMs = expiryOf(rule.expiresAt);
    return {
      rule,
      expiresAtMs,
      expiresAt: Number.isFinite(expiresAtMs) ? new Date(expiresAtMs).toISOString() : "never",
      matches: (finding) => conditions.every((condition) => condition(finding)),
    };
  });
}

// Internal helpers.

type Condition = (finding: Finding) => boolean;

function compileCondition(
  ruleId: string,
  path: string,
  matcher: SuppressionMatcher | Record<string, SuppressionMatcher>,
): Condition[] {
  if (path === "tags" || path === "resource.tags") {
    if (!isRecord(matcher)) throw invalid(ruleId, path, "expects an object of tag key → value");
    return Object.entries(matcher).map(([key, tagMatcher]) => tagCondition(ruleId, key, tagMatcher));
  }
  if (path.startsWith("resource.tags.")) {
    if (isRecord(matcher)) throw invalid(ruleId, path, "expects a value, a regular expression or a list");
    return [tagCondition(ruleId, path.slice("resource.tags.".length), matcher)];
  }
  if (isRecord(matcher)) throw invalid(ruleId, path, "expects a value, a regular expression or a list");
  const segments = path.split(".");
  if (!isFindingPath(segments)) {
    throw new PolicyError(
      `triage: suppression rule "${ruleId}" matches on "${path}", which is not a Finding field. Use a path like "severity", "rule.id", "resource.type" or "tags".`,
      { rule: ruleId },
    );
  }
  const test = compileMatcher(
    ruleId,
    path,
    matcher,
    path === "resource.type" || path === "resource.nativeType",
  );
  return [(finding) => test(valuesAt(finding, segments))];
}

function tagCondition(ruleId: string, key: string, matcher: SuppressionMatcher): Condition {
  const test = compileMatcher(ruleId, `tags.${key}`, matcher, false);
  const lower = key.toLowerCase();
  return (finding) => {
    const tags = finding.resource.tags;
    let value = tags[key];
    if (value === undefined) {
      for (const [tagKey, tagValue] of Object.entries(tags)) {
        if (tagKey.toLowerCase() === lower) {
          value = tagValue;
          break;
        }
      }
    }
    return test(value === undefined ? [] : [value]);
  };
}

/** Returns a test over the field's values (several when the path crosses an array). */
function compileMatcher(
  ruleId: string,
  path: string,
  matcher: SuppressionMatcher,
  glob: boolean,
): (values: unknown[]) => boolean {
  const tests = (Array.isArray(matcher) ? matcher : [matcher]).map((scalar: SuppressionMatchValue) =>
    compileScalar(ruleId, path, scalar, glob),
  );
  return (values) => tests.some((test) => test(values));
}

function compileScalar(
  ruleId: string,
  path: string,
  scalar: SuppressionMatchValue,
  glob: boolean,
): (values: unknown[]) => boolean {
  if (scalar === null) return (values) => values.length === 0;
  let pattern: RegExp | undefined;
  if (scalar instanceof RegExp) pattern = new RegExp(scalar.source, scalar.flags.replace(/[gy]/g, ""));
  else if (typeof scalar === "string") {
    const literal = /^\/(.+)\/([a-z]*)$/s.exec(scalar);
    if (literal) {
      try {
        pattern = new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, ""));
      } catch (error) {
        throw new PolicyError(
          `triage: suppression rule "${ruleId}" has an invalid regular expression at match.${path}: ${scalar}. Fix the pattern.`,
          { rule: ruleId, cause: error },
        );
      }
    } else if (glob && /[*?]/.test(scalar)) {
      pattern = new RegExp(
        `^${scalar
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      );
    }
  }
  if (pattern) {
    const regex = pattern;
    return (values) =>
      values.some((value) => value !== null && value !== undefined && regex.test(String(value)));
  }
  return (values) => values.some((value) => value === scalar);
}

/** The values at a path; crossing an array (`rule.controls.framework`) yields one value per element. */
function valuesAt(finding: Finding, segments: readonly string[]): unknown[] {
  let current: unknown[] = [finding];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      const child = isRecord(value) ? value[segment] : undefined;
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined && child !== null) next.push(child);
    }
    current = next;
  }
  return current;
}

/** True when the path names a leaf field of the Finding schema. */
function isFindingPath(segments: readonly string[]): boolean {
  let schema: z.ZodType = findingSchema;
  for (const segment of segments) {
    schema = unwrap(schema);
    if (!(schema instanceof z.ZodObject)) return false;
    const child = (schema.shape as Record<string, z.ZodType>)[segment];
    if (child === undefined) return false;
    schema = child;
  }
  return !(unwrap(schema) instanceof z.ZodObject);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else return current;
  }
}

function expiryOf(expiresAt: string | Date): number {
  if (expiresAt === "never") return Number.POSITIVE_INFINITY;
  if (expiresAt instanceof Date) return expiresAt.getTime();
  // A bare date means "through that day": the rule lapses at the next UTC midnight.
  if (/^\d{4}-\d{2}-\d{2}$/.test(expiresAt)) return Date.parse(`${expiresAt}T00:00:00Z`) + 86_400_000;
  return Date.parse(expiresAt);
}

function invalid(ruleId: string, path: string, expectation: string): PolicyError {
  return new PolicyError(`triage: suppression rule "${ruleId}": match.${path} ${expectation}.`, {
    rule: ruleId,
  });
}

function ruleLabel(input: unknown, index: number): string {
  const id = isRecord(input) ? input.id : undefined;
  return typeof id === "string" && id !== "" ? `"${id}"` : `#${index + 1}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}
