import { isFields } from "../../adapters/shared/fields.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Store } from "../../core/store.js";
import { defaultEntries } from "../knowledge/knowledge-base.js";

/**
 * What a resource looks like at one instant: its attributes as the cloud (or the CNAPP's
 * inventory) reports them, and, when the platform says so, who changed it last.
 */
export interface ResourceSnapshot {
  /** The cloud-native id (an ARN, an Azure resource id, …), as findings name it. */
  id: string;
  /** `<cloud>.<service>.<kind>`, e.g. `aws.s3.bucket`. */
  type: string;
  /** The resource's configuration, nested as the API returns it. */
  attributes: Record<string, unknown>;
  /** `production`, `staging`, … when known; decides how guarded a fix is. */
  environment?: string;
  /** The last change the platform recorded, when it records one. */
  lastChange?: ChangeAttribution;
}

/** Who changed something, when and how, as far as the platform says. */
export interface ChangeAttribution {
  /** A user, role or service principal (e.g. a CloudTrail `userIdentity.arn`). */
  actor?: string;
  /** ISO-8601 instant of the change. */
  at?: string;
  /** `console` (a person in the web console), `iac` (Terraform, CloudFormation, Pulumi…), `api` (anything else). */
  via?: "console" | "iac" | "api";
  /** The API call, e.g. `DeletePublicAccessBlock`. */
  event?: string;
  /** The platform that reported it: `wiz`, `lacework`, `prisma`, `snapshot`… */
  platform?: string;
}

/** Where a baseline came from. */
export type BaselineSource = "snapshot" | "terraform" | "knowledge";

/**
 * The expected configuration of one resource (`resourceId`) or of every resource of a type
 * (`resourceType`), before approval. Resource baselines are exact (an attribute added or removed is
 * drift); type baselines list only the settings they require.
 */
export interface BaselineDraft {
  /** Exactly one of `resourceId` and `resourceType`. */
  resourceId?: string;
  resourceType?: string;
  /** Expected attributes, nested like {@link ResourceSnapshot.attributes}. */
  attributes: Record<string, unknown>;
  source: BaselineSource;
  /** Set for resources Terraform manages: a change made elsewhere (the console) is drift against the code. */
  iac?: { tool: "terraform"; address: string };
  /** The knowledge-base archetypes whose secure settings a type baseline enforces. */
  archetypes?: string[];
}

/** One approved version of a baseline, as kept in the Store. */
export interface Baseline extends BaselineDraft {
  /** `resource:<id>` or `type:<type>`. */
  scope: string;
  /** 1 for the first approved version, then +1 per approval. */
  version: number;
  /** The named person who approved this version. */
  approvedBy: string;
  approvedAt: string;
  comment?: string;
}

/** The Store namespace of current baselines, keyed by scope. */
export const baselinesNamespace = "drift:baselines";
/** The Store namespace of every approved version, keyed `<scope>@<version, 6 digits>`. */
export const baselineHistoryNamespace = "drift:baselines:history";

/** The scope key of a draft: `resource:<id>` or `type:<type>`. */
export function baselineScope(draft: Pick<BaselineDraft, "resourceId" | "resourceType">): string {
  if ((draft.resourceId === undefined) === (draft.resourceType === undefined)) {
    throw new ConfigurationError("A baseline names exactly one of `resourceId` and `resourceType`.", {
      option: "resourceId",
    });
  }
  return draft.resourceId !== undefined ? `resource:${draft.resourceId}` : `type:${draft.resourceType}`;
}

/**
 * Baselines from an approved snapshot of the estate: one exact baseline per resource.
 * @example
 * const drafts = baselinesFromSnapshot(await inventory());
 */
export function baselinesFromSnapshot(snapshots: Iterable<ResourceSnapshot>): BaselineDraft[] {
  const drafts: BaselineDraft[] = [];
  for (const snapshot of snapshots) {
    drafts.push({
      resourceId: snapshot.id,
      attributes: structuredClone(snapshot.attributes),
      source: "snapshot",
    });
  }
  return drafts;
}

/** Options of {@link baselinesFromTerraform}. */
export interface TerraformBaselineOptions {
  /** The attribute that holds the cloud id. @default `arn`, else `id` */
  idOf?: (values: Record<string, unknown>, terraformType: string) => string | undefined;
}

/**
 * Baselines for IaC-managed resources from `terraform show -json` output: a state
 * (`values.root_module.resources[]` and nested `child_modules`) or a saved plan (`resource_changes[]`,
 * whose `change.after` is what the code wants; deleted resources are skipped). Only `managed`
 * resources count (`data` sources are reads). Each baseline carries the Terraform address, so a drift
 * against it names the code to look at.
 * @throws ConfigurationError when the JSON is neither a state nor a plan, or its major format version is not 1.
 * @example
 * const drafts = baselinesFromTerraform(JSON.parse(execSync("terraform show -json", { encoding: "utf8" })));
 */
export function baselinesFromTerraform(
  json: unknown,
  options: TerraformBaselineOptions = {},
): BaselineDraft[] {
  if (!isFields(json)) throw terraformError("it is not a JSON object");
  const version = json.format_version;
  if (typeof version === "string" && !version.startsWith("1.")) {
    throw terraformError(`format_version ${version} is not supported (1.x only)`);
  }
  const idOf = options.idOf ?? defaultId;
  const drafts: BaselineDraft[] = [];
  const add = (address: unknown, type: unknown, mode: unknown, values: unknown) => {
    if (mode !== undefined && mode !== "managed") return;
    if (typeof address !== "string" || typeof type !== "string" || !isFields(values)) return;
    const id = idOf(values, type);
    if (!id) return;
    drafts.push({
      resourceId: id,
      attributes: structuredClone(values),
      source: "terraform",
      iac: { tool: "terraform", address },
    });
  };
  if (Array.isArray(json.resource_changes)) {
    for (const change of json.resource_changes) {
      if (!isFields(change) || !isFields(change.change)) continue;
      const actions = change.change.actions;
      if (Array.isArray(actions) && actions.length === 1 && actions[0] === "delete") continue;
      // A plan's `after` lacks values known only after apply; the prior state fills them in.
      const prior = priorValues(json, change.address);
      const after = isFields(change.change.after) ? { ...prior, ...change.change.after } : undefined;
      add(change.address, change.type, change.mode, after);
    }
    return drafts;
  }
  if (isFields(json.values) && isFields(json.values.root_module)) {
    for (const resource of moduleResources(json.values.root_module)) {
      add(resource.address, resource.type, resource.mode, resource.values);
    }
    return drafts;
  }
  throw terraformError("it has neither `values.root_module` (a state) nor `resource_changes` (a plan)");
}

/**
 * The secure settings of the knowledge base's archetypes, as type baselines: one per resource type,
 * naming the archetypes it enforces and only the attributes their settings require. The attribute
 * names follow the AWS APIs' JSON, so snapshots from an inventory that reads the same fields compare
 * directly.
 * @example
 * await baselines.approve(knowledgeBaselines(), { approvedBy: "alice@example.com" });
 */
export function knowledgeBaselines(): BaselineDraft[] {
  const known = new Set(defaultEntries().map((entry) => entry.id));
  const byType = new Map<string, BaselineDraft>();
  for (const setting of secureSettings) {
    if (!known.has(setting.archetype)) continue;
    const draft = byType.get(setting.resourceType) ?? {
      resourceType: setting.resourceType,
      attributes: {},
      source: "knowledge" as const,
      archetypes: [],
    };
    Object.assign(draft.attributes, structuredClone(setting.attributes));
    draft.archetypes?.push(setting.archetype);
    byType.set(setting.resourceType, draft);
  }
  return [...byType.values()];
}

/** Options of {@link ApprovedBaselines.approve}. */
export interface ApproveBaselineOptions {
  /** The named person approving; required. */
  approvedBy: string;
  comment?: string;
}

/** Baselines in the Store, versioned, each version with who approved it. */
export interface ApprovedBaselines {
  /**
   * Approves drafts as the next version of their scope (a draft equal to the current version is
   * left as it is). Returns the versions written.
   * @throws ConfigurationError when `approvedBy` is empty.
   */
  approve(drafts: Iterable<BaselineDraft>, options: ApproveBaselineOptions): Promise<Baseline[]>;
  /** The current version of a scope (`resource:<id>` or `type:<type>`). */
  get(scope: string): Promise<Baseline | undefined>;
  /** Every approved version of a scope, oldest first. */
  history(scope: string): Promise<Baseline[]>;
  /** The current baselines, loaded once into an index for detection. */
  index(): Promise<BaselineIndex>;
}

/** Current baselines by resource id and by type, for fast lookups during detection. */
export interface BaselineIndex {
  byResource: ReadonlyMap<string, Baseline>;
  byType: ReadonlyMap<string, Baseline>;
}

/**
 * The approved baselines in `store`: versioned per scope, every version kept with who approved it.
 * @example
 * const baselines = approvedBaselines(store);
 * await baselines.approve(baselinesFromTerraform(state), { approvedBy: "alice@example.com", comment: "release 42" });
 */
export function approvedBaselines(store: Store, options: { now?: () => Date } = {}): ApprovedBaselines {
  const now = options.now ?? (() => new Date());
  return {
    async approve(drafts, { approvedBy, comment }) {
      if (typeof approvedBy !== "string" || approvedBy.trim() === "") {
        throw new ConfigurationError("approve: `approvedBy` must name the person approving the baseline.", {
          option: "approvedBy",
        });
      }
      const written: Baseline[] = [];
      for (const draft of drafts) {
        const scope = baselineScope(draft);
        for (;;) {
          const current = await store.get<Baseline>(baselinesNamespace, scope);
          if (current && sameDraft(current, draft)) break;
          const next: Baseline = {
            ...structuredClone(draft),
            scope,
            version: (current?.version ?? 0) + 1,
            approvedBy,
            approvedAt: now().toISOString(),
            ...(comment ? { comment } : {}),
          };
          // Two approvers racing on one scope: the loser re-reads and writes the version after.
          if (!(await store.compareAndSet(baselinesNamespace, scope, current, next))) continue;
          await store.set(baselineHistoryNamespace, historyKey(scope, next.version), next);
          written.push(next);
          break;
        }
      }
      return written;
    },
    get: (scope) => store.get<Baseline>(baselinesNamespace, scope),
    async history(scope) {
      const versions: Baseline[] = [];
      for await (const { value } of store.list<Baseline>(baselineHistoryNamespace, { prefix: `${scope}@` })) {
        versions.push(value);
      }
      return versions;
    },
    async index() {
      const current: Baseline[] = [];
      for await (const { value } of store.list<Baseline>(baselinesNamespace)) current.push(value);
      return indexBaselines(current);
    },
  };
}

/** A baseline index from baselines in memory (tests, one-off checks). */
export function indexBaselines(baselines: Iterable<Baseline>): BaselineIndex {
  const byResource = new Map<string, Baseline>();
  const byType = new Map<string, Baseline>();
  for (const baseline of baselines) {
    if (baseline.resourceId !== undefined) byResource.set(baseline.resourceId, baseline);
    else if (baseline.resourceType !== undefined) byType.set(baseline.resourceType, baseline);
  }
  return { byResource, byType };
}

// Internal helpers.

/** A knowledge-base archetype's secure setting, as attribute values. */
interface SecureSetting {
  archetype: string;
  resourceType: string;
  attributes: Record<string, unknown>;
}

const secureSettings: readonly SecureSetting[] = [
  {
    archetype: "aws-s3-block-public-access-disabled",
    resourceType: "aws.s3.bucket",
    attributes: {
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    },
  },
  {
    archetype: "aws-s3-unencrypted",
    resourceType: "aws.s3.bucket",
    attributes: { encryption: { enabled: true } },
  },
  {
    archetype: "aws-s3-access-logging-disabled",
    resourceType: "aws.s3.bucket",
    attributes: { logging: { enabled: true } },
  },
  {
    archetype: "aws-sg-ssh-open",
    resourceType: "aws.ec2.security-group",
    attributes: { sshOpenToWorld: false },
  },
  {
    archetype: "aws-cloudtrail-disabled",
    resourceType: "aws.cloudtrail.trail",
    attributes: { IsLogging: true },
  },
  {
    archetype: "aws-kms-key-rotation-disabled",
    resourceType: "aws.kms.key",
    attributes: { KeyRotationEnabled: true },
  },
];

function sameDraft(current: Baseline, draft: BaselineDraft): boolean {
  return (
    current.source === draft.source &&
    current.iac?.address === draft.iac?.address &&
    JSON.stringify(current.archetypes) === JSON.stringify(draft.archetypes) &&
    canonicalJson(current.attributes) === canonicalJson(draft.attributes)
  );
}

function historyKey(scope: string, version: number): string {
  return `${scope}@${String(version).padStart(6, "0")}`;
}

function terraformError(reason: string): ConfigurationError {
  return new ConfigurationError(
    `baselinesFromTerraform: the input is not \`terraform show -json\` output: ${reason}.`,
    { option: "json" },
  );
}

interface TerraformResource {
  address?: unknown;
  type?: unknown;
  mode?: unknown;
  values?: unknown;
}

/** The resources of a module and its `child_modules`, depth first. */
function* moduleResources(module: Record<string, unknown>): Iterable<TerraformResource> {
  if (Array.isArray(module.resources)) {
    for (const resource of module.resources) if (isFields(resource)) yield resource;
  }
  if (Array.isArray(module.child_modules)) {
    for (const child of module.child_modules) if (isFields(child)) yield* moduleResources(child);
  }
}

/** The prior state's values of a plan's resource, for attributes `after` leaves unknown. */
function priorValues(plan: Record<string, unknown>, address: unknown): Record<string, unknown> {
  const prior = plan.prior_state;
  if (typeof address !== "string" || !isFields(prior) || !isFields(prior.values)) return {};
  const root = prior.values.root_module;
  if (!isFields(root)) return {};
  for (const resource of moduleResources(root)) {
    if (resource.address === address && isFields(resource.values)) return resource.values;
  }
  return {};
}

function defaultId(values: Record<string, unknown>): string | undefined {
  for (const key of ["arn", "id"]) {
    const value = values[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
