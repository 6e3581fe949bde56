import type { Action } from "../../core/action.js";
import type { AuditAppender } from "../../core/audit.js";
import type { Case } from "../../core/case.js";
import { isCloudstewardError, PolicyError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { isAmbiguous } from "../../core/ledger.js";
import type { FindingSource } from "../../core/source.js";
import type { Store } from "../../core/store.js";
import type { ApprovalQueue, ApprovalRequest } from "../approvals/queue.js";
import type { DraftPlatform, PlatformPolicy } from "./compile/index.js";
import type { DraftVersion } from "./versions.js";

/** The Store namespace of the deployment ledger (key: `<rule id>/<version>/<platform>/<policy index>`). */
export const draftDeploymentsNamespace = "drafting:deployments";

/** The resource type of the case a deployment's approval request carries (match it in `approvals` rules). */
export const draftDeploymentResourceType = "cloudsteward.policy.draft";

/** Options of {@link deployDraft}. */
export interface DeployDraftOptions {
  /** The platform to create the policy in. */
  platform: DraftPlatform;
  /** The platform's source; it writes only when created with `allowWrite: true`. */
  source: FindingSource;
  /** Holds the deployment ledger; use the approval queue's store. */
  store: Store;
  /** The approval queue the deployment waits in until a principal of the policy approves it. */
  approvals: ApprovalQueue;
  /** Who asks for the deployment (they may never approve it themselves). */
  requester: string;
  /** Records every outcome (type `draft-deployment`). */
  audit?: AuditAppender;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
  signal?: AbortSignal;
}

/**
 * What happened to one platform policy of the draft version:
 * - `held`: the deployment waits for approval in the queue (`approvalId`), nothing was sent;
 * - `rejected`: a principal rejected it, nothing was sent;
 * - `written`: created now (`ref` is the platform's id); `existing`: created earlier, nothing sent;
 * - `refused`: the source was not created with `allowWrite`, nothing was sent;
 * - `unsupported`: the rule could not be compiled for this platform, nothing was sent;
 * - `pending`: an earlier write may have gone through without an answer: check the platform, then
 *   delete the ledger entry `message` names;
 * - `failed`: the platform refused (`message` says why); the next call tries again.
 */
export interface DeploymentResult {
  ruleId: string;
  version: number;
  platform: DraftPlatform;
  /** The policy's index among the version's policies for the platform (Prisma and Lacework compile one per resource type). */
  index: number;
  outcome: "held" | "rejected" | "written" | "existing" | "refused" | "unsupported" | "pending" | "failed";
  approvalId?: string;
  ref?: string;
  message?: string;
}

/** One deployment ledger entry. */
interface DeploymentEntry {
  state: "pending" | "written";
  ruleId: string;
  version: number;
  digest: string;
  platform: DraftPlatform;
  ref?: string;
  updatedAt: string;
}

const wizCreateRule = `mutation CreateCloudConfigurationRule($input: CreateCloudConfigurationRuleInput!) {
  createCloudConfigurationRule(input: $input) { rule { id } }
}`;

/**
 * Creates a saved, ready draft version's policy in one platform, only after approval: the first call
 * queues an approval request (a `remediate` action of risk `high` whose case has one finding of
 * resource type `cloudsteward.policy.draft`, so `approvals` rules and `approve:remediate` scopes
 * decide who may approve) and answers `held`; once a principal approved it, the next call creates the
 * policy through the source, once per version, platform and policy (a ledger in the Store), and says
 * `existing` after that. Wiz: `createCloudConfigurationRule` (a GraphQL mutation); Prisma Cloud: a
 * custom config policy with the RQL as its criteria (`POST /policy`); Lacework: the LQL saved as a
 * query (its id suffixed `_v<version>`), then a Violation policy over it (`POST /api/v2/Queries`,
 * `POST /api/v2/Policies`); Orca: a custom Sonar rule (`POST /api/sonar/rules`). A platform the rule
 * could not be compiled for answers `unsupported` without asking for approval. A source created without
 * `allowWrite` answers `refused`, nothing sent. Every outcome is audited (`draft-deployment`).
 * Policies are created disabled (`enabled: false`): enable them in the platform once validated.
 * @throws PolicyError for a version that is not ready (it fails its own fixtures), or a source of another platform.
 * @example
 * const [first] = await deployDraft(version, { platform: "wiz", source: wiz({ allowWrite: true }), store, approvals, requester: "alice" });
 * // first.outcome === "held": approve first.approvalId, then call deployDraft again.
 */
export async function deployDraft(
  version: DraftVersion,
  options: DeployDraftOptions,
): Promise<DeploymentResult[]> {
  const { platform } = options;
  if (!version.ready) {
    throw new PolicyError(
      `draft ${version.ruleId} v${version.version} fails its own fixtures (${version.fixtures.problems.join("; ")}); it is never deployed`,
    );
  }
  if (options.source.platform !== platform) {
    throw new PolicyError(
      `deployDraft: the source is for ${options.source.platform}, not ${platform}; pass the ${platform} source`,
    );
  }
  const base = { ruleId: version.ruleId, version: version.version, platform };
  const policies = version.draft.policies.filter((policy) => policy.platform === platform);
  if (policies.length === 0) {
    const message =
      version.draft.uncompiled.find((missing) => missing.platform === platform)?.reason ??
      `no ${platform} policy`;
    const result = { ...base, index: 0, outcome: "unsupported" as const, message };
    await audit(options, version, result);
    return [result];
  }
  const request = await options.approvals.request(deploymentAction(version, platform, options), {
    requester: options.requester,
    reason: `deploying drafted policy ${version.ruleId} v${version.version} to ${platform} waits for a human approval`,
  });
  const results: DeploymentResult[] = [];
  for (const [index, policy] of policies.entries()) {
    const result: DeploymentResult =
      request.state === "approved"
        ? { ...(await writeOnce(version, policy, index, options)), approvalId: request.id }
        : {
            ...base,
            index,
            outcome: request.state === "rejected" ? "rejected" : "held",
            approvalId: request.id,
          };
    results.push(result);
    await audit(options, version, result, request);
  }
  return results;
}

// Internal helpers.

type Writer = (
  source: FindingSource,
  policy: PlatformPolicy,
  version: DraftVersion,
  signal?: AbortSignal,
) => Promise<string>;

/** How each platform's policy is created through its source's native-query passthrough. */
const writers: Record<DraftPlatform, Writer> = {
  wiz: async (source, policy, _version, signal) => {
    const data = (await source.query?.(
      { query: wizCreateRule, variables: { input: policy.request } },
      { signal },
    )) as { createCloudConfigurationRule?: { rule?: { id?: string } } } | undefined;
    return required(
      data?.createCloudConfigurationRule?.rule?.id,
      "wiz: createCloudConfigurationRule answered without a rule id",
    );
  },
  prisma: async (source, policy, _version, signal) => {
    const data = (await source.query?.(
      { query: policy.text, variables: { policy: policy.request } },
      { signal },
    )) as { policyId?: string } | undefined;
    return required(data?.policyId, "prisma: POST /policy answered without a policyId");
  },
  lacework: async (source, policy, version, signal) => {
    // Query ids are per version: a later version's text may differ, and Lacework keeps one text per id.
    const { query, policy: body } = policy.request as {
      query: { queryId: string; queryText: string };
      policy: Record<string, unknown>;
    };
    const queryId = `${query.queryId}_v${version.version}`;
    const data = (await source.query?.(
      {
        query: queryId + query.queryText.slice(query.queryId.length),
        variables: { saveAs: queryId, policy: body },
      },
      { signal },
    )) as { policyId?: string } | undefined;
    return required(data?.policyId, "lacework: POST /api/v2/Policies answered without a policyId");
  },
  orca: async (source, policy, _version, signal) => {
    const data = (await source.query?.({ query: JSON.stringify(policy.request) }, { signal })) as
      | { rule_id?: string }
      | undefined;
    return required(data?.rule_id, "orca: POST /api/sonar/rules answered without a rule_id");
  },
};

function required(id: string | undefined, message: string): string {
  if (typeof id !== "string" || id === "") throw new PolicyError(message);
  return id;
}

async function writeOnce(
  version: DraftVersion,
  policy: PlatformPolicy,
  index: number,
  options: DeployDraftOptions,
): Promise<DeploymentResult> {
  const base = { ruleId: version.ruleId, version: version.version, platform: options.platform, index };
  const key = `${version.ruleId}/${version.version}/${options.platform}/${index}`;
  const existing = await options.store.get<DeploymentEntry>(draftDeploymentsNamespace, key);
  if (existing?.state === "written")
    return { ...base, outcome: "existing", ...(existing.ref && { ref: existing.ref }) };
  if (existing?.state === "pending") {
    return {
      ...base,
      outcome: "pending",
      message: `another deployment is in flight, or an earlier one may have gone through: check ${options.platform}, then delete the entry "${key}" of the Store namespace "${draftDeploymentsNamespace}" to deploy again`,
    };
  }
  const claim: DeploymentEntry = {
    state: "pending",
    ruleId: version.ruleId,
    version: version.version,
    digest: version.digest,
    platform: options.platform,
    updatedAt: now(options).toISOString(),
  };
  if (!(await options.store.setIfAbsent(draftDeploymentsNamespace, key, claim))) {
    return writeOnce(version, policy, index, options);
  }
  let ref: string;
  try {
    ref = await writers[options.platform](options.source, policy, version, options.signal);
  } catch (error) {
    if (!isAmbiguous(error)) await options.store.delete(draftDeploymentsNamespace, key);
    const message = error instanceof Error ? error.message : String(error);
    if (isCloudstewardError(error, "WRITE_DISABLED")) return { ...base, outcome: "refused", message };
    return { ...base, outcome: isAmbiguous(error) ? "pending" : "failed", message };
  }
  await options.store.set(draftDeploymentsNamespace, key, {
    ...claim,
    state: "written",
    ref,
    updatedAt: now(options).toISOString(),
  });
  return { ...base, outcome: "written", ref };
}

/** The action an approver decides on: one per rule, version and platform (its idempotency key). */
function deploymentAction(
  version: DraftVersion,
  platform: DraftPlatform,
  options: DeployDraftOptions,
): Action {
  const at = now(options).toISOString();
  const rule = version.draft.rule;
  const finding: Finding = {
    id: `cloudsteward:draft/${rule.id}/${version.version}/${platform}`,
    dedupKey: `draft-deployment/${rule.id}/${version.digest}/${platform}`,
    source: {
      platform: "cloudsteward",
      nativeId: `draft/${rule.id}/${version.version}`,
      nativeSeverity: rule.severity,
      nativeStatus: "draft",
      fetchedAt: at,
    },
    category: "compliance",
    severity: rule.severity,
    status: "open",
    title: `Deploy the drafted policy "${rule.title}" to ${platform}`,
    description: `Requirement: ${version.requirement}. Version ${version.version} (digest ${version.digest}), drafted by ${version.draftedBy}; ${version.fixtures.passed}/${version.fixtures.total} fixtures pass.`,
    rule: { id: rule.id, name: rule.title, controls: [] },
    resource: {
      id: `cloudsteward:policy/${rule.id}`,
      type: draftDeploymentResourceType,
      nativeType: "policy-draft",
      name: rule.title,
      cloud: "other",
      accountId: platform,
      tags: {},
    },
    firstSeen: version.draftedAt,
    lastSeen: at,
  };
  const item: Case = {
    id: `draft-${rule.id}-${version.version}-${platform}`,
    groupKey: { draft: rule.id, version: String(version.version), platform },
    findings: [finding],
    platforms: ["cloudsteward"],
    severity: rule.severity,
  };
  const idempotencyKey = `draft-deploy-${rule.id}-${version.digest}-${platform}`;
  return {
    id: idempotencyKey,
    kind: "remediate",
    case: item,
    idempotencyKey,
    risk: "high",
    rationale: `Create the drafted policy "${rule.title}" (v${version.version}) in ${platform}, disabled`,
    rule: "deploy-draft",
    requiresApproval: true,
    params: {
      operation: "deploy-draft",
      platform,
      ruleId: rule.id,
      version: version.version,
      digest: version.digest,
    },
  };
}

function now(options: DeployDraftOptions): Date {
  return (options.now ?? (() => new Date()))();
}

async function audit(
  options: DeployDraftOptions,
  version: DraftVersion,
  result: DeploymentResult,
  request?: ApprovalRequest,
): Promise<void> {
  await options.audit?.append({
    type: "draft-deployment",
    at: now(options).toISOString(),
    actor: options.requester,
    data: {
      ruleId: version.ruleId,
      version: version.version,
      digest: version.digest,
      platform: result.platform,
      index: result.index,
      outcome: result.outcome,
      ...(request && { approvalId: request.id, approvalState: request.state }),
      ...(request?.decidedBy && { approvedBy: request.decidedBy }),
      ...(result.ref && { ref: result.ref }),
      ...(result.message && { message: result.message }),
    },
  });
}
