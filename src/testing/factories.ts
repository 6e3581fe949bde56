import type { z } from "zod";
import { type Action, actionSchema } from "../core/action.js";
import { type Case, caseSchema, maxSeverity } from "../core/case.js";
import { ConfigurationError, toErrorIssues } from "../core/errors.js";
import { type Finding, findingId, formatPath, parseFinding } from "../core/finding.js";
import { dedupKey } from "../core/fingerprint.js";

/** `T` with every nested property optional; arrays are replaced whole, not merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** The fixed instant every factory uses for dates, so fixtures are deterministic. */
export const fixtureDate = "2026-01-15T09:30:00.000Z";

/**
 * Builds a valid {@link Finding}: a public S3 bucket on Wiz unless `overrides` say otherwise.
 * Nested objects are merged, arrays replaced. Each call without `source.nativeId` takes the next
 * number of a counter (`finding-1`, `finding-2`…, reset by {@link resetFactories}); `id` and
 * `dedupKey` are derived from the platform, native id, rule and resource (as `dedupKey()` does) unless given.
 * @throws NormalizationError when the overrides make the finding invalid.
 * @example
 * const finding = makeFinding({ severity: "critical", source: { platform: "prisma", nativeId: "P-1" } });
 */
export function makeFinding(overrides: DeepPartial<Finding> = {}): Finding {
  const nativeId = overrides.source?.nativeId ?? `finding-${++findingCounter}`;
  const resourceName = overrides.resource?.name ?? `bucket-${nativeId}`;
  const template: Finding = {
    id: "",
    dedupKey: "",
    source: {
      platform: "wiz",
      nativeId,
      nativeSeverity: "HIGH",
      nativeStatus: "OPEN",
      fetchedAt: fixtureDate,
    },
    category: "misconfiguration",
    severity: "high",
    status: "open",
    title: "S3 bucket allows public read access",
    description: "The bucket policy grants s3:GetObject to everyone.",
    rule: {
      id: "s3-bucket-public-read",
      name: "S3 bucket should not allow public read access",
      remediation: "Enable Block Public Access on the bucket.",
      controls: [{ framework: "CIS AWS 3.0", control: "2.1.4" }],
    },
    resource: {
      id: `arn:aws:s3:::${resourceName}`,
      type: "aws.s3.bucket",
      nativeType: "BUCKET",
      name: resourceName,
      cloud: "aws",
      accountId: "123456789012",
      region: "us-east-1",
      tags: { team: "payments", env: "production" },
    },
    firstSeen: fixtureDate,
    lastSeen: fixtureDate,
  };
  const merged = deepMerge(template, overrides) as Finding;
  if (overrides.id === undefined) merged.id = findingId(merged.source.platform, merged.source.nativeId);
  if (overrides.dedupKey === undefined) merged.dedupKey = dedupKey(merged.rule.id, merged.resource);
  return parseFinding(merged, merged.source.platform);
}

/**
 * Builds a valid {@link Case} from `findings` (one {@link makeFinding} by default), with
 * `severity` and `platforms` derived from them and a stable id derived from the group key.
 * @throws ConfigurationError naming the override when the overrides make the case invalid.
 * @example
 * const item = makeCase({ findings: [makeFinding(), makeFinding({ severity: "critical" })] });
 */
export function makeCase(overrides: DeepPartial<Case> & { findings?: Finding[] } = {}): Case {
  const findings = overrides.findings ?? [makeFinding()];
  const first = findings[0];
  const groupKey = (overrides.groupKey as Record<string, string> | undefined) ?? {
    rule: first ? `${first.source.platform}:${first.rule.id}` : "none",
  };
  const template: Case = {
    id: `case:${Object.entries(groupKey)
      .map(([key, value]) => `${key}=${value}`)
      .join("|")}`,
    groupKey,
    findings,
    platforms: [...new Set(findings.map((finding) => finding.source.platform))].sort(),
    severity: maxSeverity(findings),
  };
  return validate(caseSchema, deepMerge(template, overrides), "makeCase");
}

/**
 * Builds a valid {@link Action}: a `ticket` for `overrides.case` ({@link makeCase} by default),
 * with an idempotency key derived from the case id and the kind.
 * @throws ConfigurationError naming the override when the overrides make the action invalid.
 * @example
 * const action = makeAction({ sink: "ticket", params: { assignee: "team-payments" } });
 */
export function makeAction(overrides: DeepPartial<Action> & { case?: Case } = {}): Action {
  const item = overrides.case ?? makeCase();
  const kind = overrides.kind ?? "ticket";
  const template: Action = {
    id: `action:${item.id}:${kind}`,
    kind,
    case: item,
    idempotencyKey: `${item.id}:${kind}`,
    risk: "low",
    rationale: `Policy rule "default-${kind}" matched severity ${item.severity}.`,
    rule: `default-${kind}`,
    requiresApproval: false,
    params: {},
  };
  return validate(actionSchema, deepMerge(template, overrides), "makeAction");
}

/** Restarts the native-id counter of {@link makeFinding}, so a test's fixtures do not depend on earlier tests. */
export function resetFactories(): void {
  findingCounter = 0;
}

let findingCounter = 0;

function validate<T>(schema: z.ZodType<T>, value: unknown, factory: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = toErrorIssues(result.error.issues)[0]!;
  const option = `overrides.${formatPath(first.path)}`;
  throw new ConfigurationError(`${factory}: ${option} is invalid: ${first.message}. Fix that override.`, {
    option,
    cause: result.error,
  });
}

/** Merges plain objects recursively; arrays, class instances and primitives in `patch` replace. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) result[key] = deepMerge(base[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
