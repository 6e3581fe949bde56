import { matchInputOf, ruleKeyFor } from "../../core/archetypes/match.js";
import { cloudSchema, type Finding } from "../../core/finding.js";
import { definePolicy } from "../policy/define.js";
import type { Policy, PolicyInput } from "../policy/schema.js";
import { replay } from "../replay/replay.js";
import type { Draft } from "./draft.js";
import { compileRule } from "./rule.js";
import type { Configuration } from "./templates.js";

/** A recorded resource, with its configuration, as the impact replay reads it. */
export interface ImpactResource {
  /** The cloud-native id. */
  id: string;
  /** The normalized type (`aws.s3.bucket`…). */
  type: string;
  name?: string;
  accountId: string;
  accountName?: string;
  region?: string;
  /** `production`, `staging`, `development`… when known. */
  environment?: string;
  /** The owner (team or person) when known. */
  owner?: string;
  tags?: Record<string, string>;
  configuration: Configuration;
}

/** A current finding, reduced to what the impact replay compares. */
export interface ExistingFinding {
  id: string;
  /** The id of the resource it is on. */
  resourceId: string;
  /** Its knowledge-base archetype (see {@link existingFindingOf}). */
  archetype: string;
}

/** Options of {@link replayDraft}. */
export interface ReplayDraftOptions {
  /** The recorded estate. */
  resources: Iterable<ImpactResource> | AsyncIterable<ImpactResource>;
  /** Current findings, to tell which flagged resources are already reported for the draft's archetype. */
  findings?: Iterable<ExistingFinding>;
  /** The governance policy in force; the replay adds the draft's routing rule to it. @default an empty read-only policy */
  policy?: Policy | PolicyInput;
  /** Flagged resources listed in `sample`. @default 20 */
  sampleSize?: number;
  /** The clock of the governance replay. */
  now?: () => Date;
}

/** What the governance policy with the draft's routing rule would do with the flagged resources. */
export interface GovernanceImpact {
  ticketsOpened: number;
  /** Actions of every kind the draft's routing rule adds. */
  actionsAdded: number;
  /** Added actions that would wait for an approval. */
  approvalsNeeded: number;
  /** Model cost of the candidate run minus the baseline's (0 without models). */
  costDelta: number;
}

/** What a draft would do to the estate before it is deployed. */
export interface DraftImpact {
  /** Resources read. */
  evaluated: number;
  /** Resources of the rule's types. */
  inScope: number;
  /** Resources the rule flags. */
  flagged: number;
  /** Flagged resources per account (name when known), environment and owner (`unknown` when not known). */
  byAccount: Record<string, number>;
  byEnvironment: Record<string, number>;
  byOwner: Record<string, number>;
  /** Current findings of the draft's archetype on flagged resources: the rule would duplicate them. */
  duplicates: string[];
  /** Resources whose configuration the rule could not evaluate, with why (at most 20 listed). */
  errors: { resourceId: string; message: string }[];
  /** Ids of the first flagged resources. */
  sample: string[];
  governance: GovernanceImpact;
  /** Wall time of the evaluation (not of the governance replay), in milliseconds. */
  evaluationMs: number;
}

/**
 * Impact replay: runs a draft's portable rule over a recorded estate and reports how many resources
 * it flags and where (account, environment, owner), which current findings it duplicates, and — by
 * `replay`ing one finding per flagged resource through the policy with and without the draft's
 * routing rule — the tickets, actions and approvals it would add. Nothing is delivered.
 * @example
 * const impact = await replayDraft(draft, { resources, findings, policy });
 * console.log(`${impact.flagged} resources, ${impact.governance.ticketsOpened} new tickets`);
 */
export async function replayDraft(draft: Draft, options: ReplayDraftOptions): Promise<DraftImpact> {
  const compiled = compileRule(draft.rule);
  const types = new Set(draft.rule.resourceTypes);
  const started = performance.now();
  const flagged: ImpactResource[] = [];
  const errors: DraftImpact["errors"] = [];
  let evaluated = 0;
  let inScope = 0;
  for await (const resource of options.resources) {
    evaluated++;
    if (!types.has(resource.type)) continue;
    inScope++;
    try {
      if (compiled.violates(resource)) flagged.push(resource);
    } catch (error) {
      if (errors.length < 20) errors.push({ resourceId: resource.id, message: (error as Error).message });
    }
  }
  const evaluationMs = performance.now() - started;

  const flaggedIds = new Set(flagged.map((resource) => resource.id));
  const duplicates: string[] = [];
  for (const finding of options.findings ?? []) {
    if (finding.archetype === draft.archetype && flaggedIds.has(finding.resourceId))
      duplicates.push(finding.id);
  }
  const sampleSize = options.sampleSize ?? 20;
  return {
    evaluated,
    inScope,
    flagged: flagged.length,
    byAccount: countBy(flagged, (resource) => resource.accountName ?? resource.accountId),
    byEnvironment: countBy(flagged, (resource) => resource.environment ?? "unknown"),
    byOwner: countBy(flagged, (resource) => resource.owner ?? "unknown"),
    duplicates,
    errors,
    sample: flagged.slice(0, sampleSize).map((resource) => resource.id),
    governance: await governanceImpact(draft, flagged, options),
    evaluationMs,
  };
}

/** A finding reduced to what {@link replayDraft} compares, its archetype found as adapters find it. */
export function existingFindingOf(finding: Finding): ExistingFinding {
  return {
    id: finding.id,
    resourceId: finding.resource.id,
    archetype: ruleKeyFor(matchInputOf(finding)),
  };
}

// Internal helpers.

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

async function governanceImpact(
  draft: Draft,
  flagged: readonly ImpactResource[],
  options: ReplayDraftOptions,
): Promise<GovernanceImpact> {
  const policy = definePolicy(options.policy ?? {});
  const now = options.now?.() ?? new Date();
  const findings = flagged.map((resource) => findingFor(draft, resource, now.toISOString()));
  const diff = await replay({
    findings,
    baseline: { policy },
    candidate: { policy: { ...policy, rules: [draft.governance, ...policy.rules] } },
    now: options.now,
  });
  return {
    ticketsOpened: diff.ticketsOpened.length,
    actionsAdded: diff.actionsAdded.length,
    approvalsNeeded: diff.approvalsNeeded.length,
    costDelta: diff.usageDelta.cost,
  };
}

function findingFor(draft: Draft, resource: ImpactResource, at: string): Finding {
  const cloud = cloudSchema.safeParse(resource.type.split(".")[0]);
  const tags: Record<string, string> = { ...resource.tags };
  if (resource.owner !== undefined) tags.owner = resource.owner;
  if (resource.environment !== undefined) tags.environment = resource.environment;
  return {
    id: `draft:${draft.rule.id}:${resource.id}`,
    dedupKey: `${draft.rule.id}:${resource.id}`,
    source: {
      platform: "draft",
      nativeId: resource.id,
      nativeSeverity: draft.rule.severity,
      nativeStatus: "open",
      fetchedAt: at,
    },
    category: "misconfiguration",
    severity: draft.rule.severity,
    status: "open",
    title: draft.rule.title,
    description: draft.rule.title,
    rule: { id: draft.rule.id, name: draft.rule.title, controls: [] },
    resource: {
      id: resource.id,
      type: resource.type,
      nativeType: resource.type,
      name: resource.name ?? resource.id,
      cloud: cloud.success ? cloud.data : "other",
      accountId: resource.accountId,
      ...(resource.accountName === undefined ? {} : { accountName: resource.accountName }),
      ...(resource.region === undefined ? {} : { region: resource.region }),
      tags,
    },
    firstSeen: at,
    lastSeen: at,
  };
}
