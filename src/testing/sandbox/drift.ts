import type { ChangeAttribution, ResourceSnapshot } from "../../agents/drift/baseline.js";
import { defaultPlaybooks, type Playbook, verificationPasses } from "../../agents/drift/playbooks.js";
import { functionRemediation } from "../../agents/remediation/function.js";
import { pipelineTrigger } from "../../agents/remediation/pipeline-trigger.js";
import { pullRequestRemediation } from "../../agents/remediation/pull-request.js";
import type { Finding } from "../../core/finding.js";
import type { Remediator } from "../../core/remediator.js";
import { type GithubRepo, githubRepo } from "./github-repo.js";

/** Options of {@link driftEstate}. */
export interface DriftEstateOptions {
  /** The resources as they are at `start`. */
  resources: readonly ResourceSnapshot[];
  /** @default 2026-12-01T00:00:00Z */
  start?: Date;
  /** How long a triggered pipeline or webhook takes to change the estate, in ms (0: at once). @default 5 minutes */
  pipelineDelayMs?: number;
  /** The playbooks whose verification checks a fix applies. @default defaultPlaybooks */
  playbooks?: readonly Playbook[];
}

/** One remediation call the estate accepted. */
export interface DriftEstateCall {
  route: "native" | "pipeline";
  resourceId: string;
  playbook: string;
  /** The case the fix was for (one call per case is the exactly-once rule). */
  caseId: string;
  at: string;
}

/** One change someone made, as the platform that saw it records it. */
export interface DriftChange {
  /** The platform's id for the change's alert (`prisma-3`). */
  nativeId: string;
  platform: "prisma" | "wiz" | "lacework";
  resourceId: string;
  resourceType: string;
  actor: string;
  via: ChangeAttribution["via"];
  /** The API call (CloudTrail `eventName`). */
  event: string;
  at: string;
  /** CloudTrail's `userAgent`: the console, Terraform or the AWS CLI. */
  userAgent: string;
}

/** An estate that changes over a clock the test advances, and accepts fixes. */
export interface DriftEstate {
  /** The estate's clock. */
  now(): Date;
  /** Moves the clock on, applying the pipeline runs that finish meanwhile. */
  advance(ms: number): void;
  /** Every resource now (copies). */
  snapshots(): ResourceSnapshot[];
  /** One resource now (a copy). */
  read(id: string): Promise<ResourceSnapshot | undefined>;
  /**
   * Changes an attribute (dotted path) now, as someone would in the console or through IaC, and emits
   * the platform's change signal (`by.platform`, default `prisma`): a Prisma `audit_event` alert
   * carrying the CloudTrail record, a Wiz detection with its primary actor and triggering event, or a
   * Lacework CloudTrail alert with its `CT_User` and `API` entities.
   */
  change(
    id: string,
    path: string,
    value: unknown,
    by: Pick<ChangeAttribution, "actor" | "via" | "event"> & { platform?: "prisma" | "wiz" | "lacework" },
  ): void;
  /** The change-signal findings emitted so far. */
  findings(): Finding[];
  /** The changes made so far, in order (what the HTTP emulations render in each platform's shape). */
  changes(): DriftChange[];
  /**
   * The playbooks whose checks fail on a resource now, among those that passed on it at the start
   * (what a CSPM reports as failing configuration).
   */
  failing(id: string): Playbook[];
  /** Accepts a fix for a resource (as a platform's remediation API does): applied at once, or after `pipelineDelayMs` for `pipeline`. */
  fix(resourceId: string, playbook: string, by: { route: DriftEstateCall["route"]; caseId: string }): void;
  /** Makes fixes to a resource have no effect (a pipeline that "succeeds" but changes nothing), or undoes that. */
  stuck(id: string, stuck: boolean): void;
  /**
   * The remediators: `native` applies at once; `pipeline` is the real `pipelineTrigger` posting a
   * GitHub `workflow_dispatch` to {@link DriftEstate.fetch}, whose run changes the estate after
   * `pipelineDelayMs`.
   */
  remediators: { native: Remediator; pipeline: Remediator; "pull-request": Remediator };
  /**
   * The emulated GitHub API: `POST <any origin>/repos/<owner>/<repo>/actions/workflows/<file>/dispatches`
   * (as on `https://api.github.test` or the sandbox's `/github`) with `{ ref, inputs: { playbook, resource, case } }`
   * answers 204 and schedules the run; the branch, contents and pulls calls of `acme/infra` go to
   * {@link DriftEstate.repository}; anything else 404.
   */
  fetch: typeof globalThis.fetch;
  /**
   * The IaC repository `acme/infra` the `pull-request` remediator opens pull requests on (token
   * `sandbox-github-token`). A pull request changes nothing in the estate: it waits for a human to merge.
   */
  repository: GithubRepo;
  /** Every remediation call accepted, in order. */
  calls(): DriftEstateCall[];
  /** Puts a resource back as it was before the last fix, attribution included (a rollback). */
  restore(id: string): Promise<void>;
}

/**
 * An in-memory estate for drift tests and examples: resources change when the test says, over a clock
 * the test advances, each change emitting a change signal; the remediators change the estate (at once
 * or after a pipeline's delay) by applying the playbook's verification checks, so verification observes
 * what really happened.
 * @example
 * const estate = driftEstate({ resources });
 * estate.change("arn:aws:s3:::site", "publicAccessBlock.BlockPublicAcls", false, { actor: "bob", via: "console" });
 */
export function driftEstate(options: DriftEstateOptions): DriftEstate {
  let clock = (options.start ?? new Date("2026-12-01T00:00:00Z")).getTime();
  const delay = options.pipelineDelayMs ?? 5 * 60_000;
  const playbooks = options.playbooks ?? defaultPlaybooks;
  const resources = new Map(options.resources.map((resource) => [resource.id, structuredClone(resource)]));
  const pending: { due: number; apply: () => void }[] = [];
  const initial = new Map(options.resources.map((resource) => [resource.id, structuredClone(resource)]));
  const emitted: Finding[] = [];
  const records: DriftChange[] = [];
  const accepted: DriftEstateCall[] = [];
  const stuckIds = new Set<string>();
  const beforeFix = new Map<string, Pick<ResourceSnapshot, "attributes" | "lastChange">>();

  const apply = (resourceId: string, playbookId: string) => {
    const resource = resources.get(resourceId);
    const playbook = playbooks.find((item) => item.id === playbookId);
    if (!resource || !playbook || stuckIds.has(resourceId)) return;
    beforeFix.set(
      resourceId,
      structuredClone({ attributes: resource.attributes, lastChange: resource.lastChange }),
    );
    for (const check of playbook.verify.checks) setAt(resource.attributes, check.path, check.equals);
    resource.lastChange = {
      actor: `cloudsteward/${playbookId}`,
      via: "api",
      at: new Date(clock).toISOString(),
    };
  };
  const accept = (route: DriftEstateCall["route"], resourceId: string, playbook: string, caseId: string) => {
    accepted.push({ route, resourceId, playbook, caseId, at: new Date(clock).toISOString() });
    if (route === "native" || delay <= 0) apply(resourceId, playbook);
    else pending.push({ due: clock + delay, apply: () => apply(resourceId, playbook) });
  };
  const repository = githubRepo({ owner: "acme", repo: "infra", token: "sandbox-github-token" });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const answer = await repository.handle(request);
    if (answer) return answer;
    if (
      request.method !== "POST" ||
      !/\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/.test(new URL(request.url).pathname)
    ) {
      return new Response(JSON.stringify({ message: "Not Found" }), { status: 404 });
    }
    const body = JSON.parse((await request.text()) || "{}") as {
      ref?: unknown;
      inputs?: Record<string, unknown>;
    };
    const inputs = body.inputs ?? {};
    if (
      typeof body.ref !== "string" ||
      typeof inputs.playbook !== "string" ||
      typeof inputs.resource !== "string"
    ) {
      return new Response(
        JSON.stringify({ message: "Invalid request: ref and inputs.playbook, inputs.resource are required" }),
        { status: 422 },
      );
    }
    accept("pipeline", inputs.resource, inputs.playbook, String(inputs.case ?? ""));
    return new Response(null, { status: 204 });
  };
  const native = functionRemediation({
    name: "sandbox-native",
    async remediate(action) {
      const resourceId = action.case.findings[0]?.resource.id ?? "";
      accept("native", resourceId, String(action.params.playbook ?? ""), action.case.id);
      return {
        status: "applied",
        details: { fix: (action.params.fix as Record<string, unknown> | undefined) ?? null },
        rollback: `Restore ${resourceId} from before the fix.`,
      };
    },
  });
  const pipeline = pipelineTrigger({
    name: "sandbox-pipeline",
    url: "https://api.github.test/repos/acme/infra/actions/workflows/drift-fix.yml/dispatches",
    token: "sandbox-github-token",
    fetch,
    headers: { accept: "application/vnd.github+json" },
    body: (action) => {
      const fix = (action.params.fix ?? {}) as { inputs?: Record<string, string> };
      return { ref: "main", inputs: { ...fix.inputs, case: action.case.id } };
    },
    rollback: "Revert the commit the drift-fix workflow pushed.",
  });
  const pullRequest = pullRequestRemediation({
    name: "sandbox-pull-request",
    apiUrl: "https://api.github.test",
    owner: "acme",
    repo: "infra",
    token: "sandbox-github-token",
    allowWrite: true,
    fetch,
    rollback: "Revert the merged pull request and apply.",
  });

  return {
    now: () => new Date(clock),
    advance(ms) {
      clock += ms;
      pending.sort((a, b) => a.due - b.due);
      while (pending.length > 0 && (pending[0] as { due: number }).due <= clock) pending.shift()?.apply();
    },
    snapshots: () => [...resources.values()].map((resource) => structuredClone(resource)),
    read: async (id) => {
      const resource = resources.get(id);
      return resource ? structuredClone(resource) : undefined;
    },
    change(id, path, value, by) {
      const resource = resources.get(id);
      if (!resource) throw new Error(`driftEstate: no resource ${id}.`);
      setAt(resource.attributes, path, value);
      const at = new Date(clock).toISOString();
      const platform = by.platform ?? "prisma";
      resource.lastChange = { actor: by.actor, via: by.via, event: by.event, at, platform };
      const userAgent =
        by.via === "console"
          ? "console.amazonaws.com"
          : by.via === "iac"
            ? "Terraform/1.9.5"
            : "aws-cli/2.15";
      const event = by.event ?? "Change";
      const nativeId = `${platform}-${emitted.length + 1}`;
      records.push({
        nativeId,
        platform,
        resourceId: id,
        resourceType: resource.type,
        actor: by.actor ?? "unknown",
        via: by.via,
        event,
        at,
        userAgent,
      });
      const trail = { eventName: event, eventTime: at, userIdentity: { arn: by.actor }, userAgent };
      const raw =
        platform === "wiz"
          ? {
              primaryActor: { name: by.actor, externalId: by.actor },
              startedAt: at,
              triggeringEvents: [{ name: event, ...trail }],
            }
          : platform === "lacework"
            ? {
                alertType: "CloudTrailCep",
                startTime: at,
                entityMap: {
                  CT_User: [
                    { KEY: { principal_id: by.actor, username: by.actor }, PROPS: { user_agent: userAgent } },
                  ],
                  API: [{ KEY: { api: event } }],
                },
              }
            : { alertTime: clock, policy: { policyType: "audit_event" }, resource: { data: trail } };
      emitted.push({
        id: `${platform}:${nativeId}`,
        dedupKey: `${platform}:${nativeId}`,
        source: { platform, nativeId, nativeSeverity: "medium", nativeStatus: "open", fetchedAt: at },
        category: "threat",
        severity: "medium",
        status: "open",
        title: `${event} on ${id}`,
        description: "",
        rule: { id: `${platform}-config-change`, name: "Configuration changed", controls: [] },
        resource: {
          id,
          type: resource.type,
          nativeType: resource.type,
          name: id,
          cloud: "aws",
          accountId: "",
          tags: {},
        },
        firstSeen: at,
        lastSeen: at,
        raw,
      });
    },
    findings: () => [...emitted],
    changes: () => records.map((record) => ({ ...record })),
    failing(id) {
      const resource = resources.get(id);
      const start = initial.get(id);
      if (!resource || !start) return [];
      return playbooks.filter(
        (playbook) =>
          playbook.resourceTypes.includes(resource.type) &&
          verificationPasses(playbook, start.attributes) &&
          !verificationPasses(playbook, resource.attributes),
      );
    },
    fix: (resourceId, playbook, by) => accept(by.route, resourceId, playbook, by.caseId),
    stuck(id, stuck) {
      if (stuck) stuckIds.add(id);
      else stuckIds.delete(id);
    },
    remediators: { native, pipeline, "pull-request": pullRequest },
    fetch,
    repository,
    calls: () => [...accepted],
    async restore(id) {
      const resource = resources.get(id);
      const before = beforeFix.get(id);
      if (!resource || !before) return;
      resource.attributes = structuredClone(before.attributes);
      resource.lastChange = before.lastChange;
    },
  };
}

/** Sets a dotted path, creating objects on the way (`undefined` removes the attribute). */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
