import { stableHash } from "../../core/fingerprint.js";
import type { Estate } from "../estate.js";
import type { DriftChange, DriftEstate } from "./drift.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";

/** The token the GitHub Actions emulation accepts. */
export const sandboxGithubToken = "sandbox-github-token";

/** Where the GitHub Actions emulation's `workflow_dispatch` lives, and its token (the `pipelineTrigger` options). */
export interface GithubEmulationOptions {
  url: string;
  token: string;
  /** The REST API root, for `pullRequestRemediation({ apiUrl, owner: "acme", repo: "infra", token })`. */
  apiUrl: string;
}

/**
 * Emulates GitHub Actions' `POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches` (a bearer
 * token, `{ ref, inputs }`, 204) over the sandbox's drift estate (`startSandbox({ drift })`): the run
 * applies the fix named by `inputs.playbook` to `inputs.resource` after the estate's pipeline delay.
 * The IaC repository `acme/infra` (branch, contents and pulls calls) is the estate's `repository`, for
 * the pull-request route. Without a drift estate every call is a 404; without the token a 401.
 * @example
 * const fix = pipelineTrigger({ ...sandbox.github, rollback: "Revert the workflow's commit." });
 */
export function githubEmulation(estate: Estate, faults: Faults): Emulation<GithubEmulationOptions> {
  return {
    name: "github",
    async handle(request) {
      const fault = await faults.before(request);
      if (fault) return fault;
      const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
      if (token !== sandboxGithubToken)
        return jsonResponse(401, { message: "Bad credentials", status: "401" });
      if (!estate.drift) return jsonResponse(404, { message: "Not Found", status: "404" });
      return estate.drift.fetch(request);
    },
    options: (baseUrl) => ({
      url: `${baseUrl}/repos/acme/infra/actions/workflows/drift-fix.yml/dispatches`,
      token: sandboxGithubToken,
      apiUrl: baseUrl,
    }),
  };
}

/**
 * Prisma Cloud's view of the drift estate, as alerts (`/v2/alert` shape): one `audit_event` alert per
 * change Prisma saw (the CloudTrail record in `resource.data`), and one open `config` alert per
 * playbook that fails on a resource now (remediable, resolved once the resource passes again).
 * Filters on `alert.status`, `policy.type` and `cloud.type` apply; time ranges do not.
 */
export function prismaDriftAlerts(
  live: DriftEstate,
  body: Record<string, unknown>,
): Record<string, unknown>[] {
  const alerts: Record<string, unknown>[] = [];
  for (const change of live.changes()) if (change.platform === "prisma") alerts.push(auditEventAlert(change));
  const now = live.now().getTime();
  for (const resource of live.snapshots()) {
    for (const playbook of live.failing(resource.id)) {
      alerts.push({
        ...alertBase(prismaDriftAlertId(resource.id, playbook.id), now),
        policyId: `drift-${playbook.id}`,
        policy: {
          policyId: `drift-${playbook.id}`,
          name: playbook.title,
          policyType: "config",
          severity: playbook.risk === "high" ? "high" : "medium",
          description: playbook.title,
          recommendation: playbook.steps.console.join(" "),
          remediable: true,
          remediation: { cliScriptTemplate: playbook.steps.cli.join(" && "), description: playbook.title },
        },
        resource: resourceOf(resource.id, resource.type, resource.attributes),
      });
    }
  }
  const wanted = new Map<string, string[]>();
  for (const filter of Array.isArray(body.filters) ? body.filters : []) {
    const { name, value } = (filter ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name === "string" && typeof value === "string")
      wanted.set(name, [...(wanted.get(name) ?? []), value.toLowerCase()]);
  }
  const fields: Record<string, (alert: Record<string, unknown>) => string> = {
    "alert.status": (alert) => String(alert.status),
    "policy.type": (alert) => String((alert.policy as { policyType: string }).policyType),
    "cloud.type": () => "aws",
  };
  return alerts.filter((alert) =>
    [...wanted].every(([name, values]) => !fields[name] || values.includes(fields[name](alert))),
  );
}

/** The id of the config alert Prisma raises for a playbook failing on a resource. */
export function prismaDriftAlertId(resourceId: string, playbook: string): string {
  return `P-drift-${stableHash(resourceId, playbook).slice(0, 10)}`;
}

/**
 * `POST /alert/remediation` over the drift estate: `{ alerts: [ids], filter }` runs each open config
 * alert's CLI fix (the playbook) on its resource at once. `undefined` when no id is a drift alert (the
 * estate's own alerts answer as before).
 */
export function prismaDriftRemediation(
  live: DriftEstate,
  body: Record<string, unknown> | undefined,
): { status: number; error?: string } | undefined {
  const ids = Array.isArray(body?.alerts) ? body.alerts.filter((id) => typeof id === "string") : [];
  const targets: { resourceId: string; playbook: string; alertId: string }[] = [];
  for (const resource of live.snapshots()) {
    for (const playbook of live.failing(resource.id)) {
      const alertId = prismaDriftAlertId(resource.id, playbook.id);
      if (ids.includes(alertId)) targets.push({ resourceId: resource.id, playbook: playbook.id, alertId });
    }
  }
  if (targets.length === 0) {
    return ids.some((id) => String(id).startsWith("P-drift-"))
      ? { status: 404, error: "alert_no_longer_in_expected_state" }
      : undefined;
  }
  if (typeof body?.filter !== "object" || body.filter === null)
    return { status: 400, error: "missing_required_parameter" };
  for (const target of targets)
    live.fix(target.resourceId, target.playbook, { route: "native", caseId: `prisma:${target.alertId}` });
  return { status: 200 };
}

/**
 * Config RQL over the drift estate: `config from cloud.resource where id = '<id>'` answers the
 * resource's JSON in `data` (with `withResourceJson`); `undefined` for any other query or id.
 */
export function prismaDriftResources(
  live: DriftEstate,
  query: string,
  withResourceJson: boolean,
): Record<string, unknown>[] | undefined {
  const id = /^\s*config from cloud\.resource where id\s*=\s*'([^']+)'\s*$/i.exec(query)?.[1];
  if (id === undefined) return undefined;
  const resource = live.snapshots().find((item) => item.id === id);
  if (!resource) return undefined;
  const { data, ...row } = resourceOf(resource.id, resource.type, resource.attributes);
  return [{ ...row, service: "Amazon", ...(withResourceJson ? { data } : {}) }];
}

/**
 * Lacework's view of the drift estate: one CloudTrail-based alert (`alertType: "CloudTrailCep"`) per
 * change Lacework saw, its `entityMap` (as some `Alerts/search` rows carry it) naming the resource,
 * the CloudTrail user (`CT_User`, with the user agent) and the API call.
 */
export function laceworkDriftAlerts(live: DriftEstate): Record<string, unknown>[] {
  return live
    .changes()
    .filter((change) => change.platform === "lacework")
    .map((change) => ({
      alertId: 9_000_000 + Number(change.nativeId.split("-").at(-1)),
      alertName: "Unauthorized configuration change",
      alertType: "CloudTrailCep",
      severity: "Medium",
      status: "Open",
      startTime: change.at,
      endTime: new Date(Date.parse(change.at) + 3_600_000).toISOString(),
      lastUserUpdatedTime: "0",
      policyId: "lacework-global-drift",
      alertInfo: {
        subject: `${change.event} on ${change.resourceId}`,
        description: `${change.actor} called ${change.event} on ${change.resourceId}.`,
      },
      derivedFields: { category: "Anomaly", sub_category: "Cloud Activity", source: "CloudTrail" },
      entityMap: {
        Resource: [
          { KEY: { resource_name: change.resourceId }, PROPS: { resource_type: change.resourceType } },
        ],
        CT_User: [
          {
            KEY: { username: change.actor, principal_id: change.actor },
            PROPS: { user_agent: change.userAgent, account_id: accountOf(change.resourceId) },
          },
        ],
        API: [
          {
            KEY: {
              api: change.event,
              service: `${change.resourceType.split(".")[1] ?? "aws"}.amazonaws.com`,
            },
          },
        ],
      },
    }));
}

/**
 * Wiz's view of the drift estate: one `THREAT_DETECTION` issue per change Wiz saw, raised by a
 * CloudTrail `CloudEventRule` on the changed resource (the issue carries no actor: Wiz names it only
 * in its detections). `status` in `filterBy` applies.
 */
export function wizDriftIssues(
  live: DriftEstate,
  filterBy: Record<string, unknown>,
): Record<string, unknown>[] {
  const statuses = Array.isArray(filterBy.status) ? filterBy.status : undefined;
  if (statuses && !statuses.includes("OPEN")) return [];
  return live
    .changes()
    .filter((change) => change.platform === "wiz")
    .map((change) => ({
      id: `wiz-drift-${change.nativeId}`,
      type: "THREAT_DETECTION",
      status: "OPEN",
      severity: "MEDIUM",
      createdAt: change.at,
      updatedAt: change.at,
      statusChangedAt: change.at,
      resolvedAt: null,
      dueAt: null,
      resolutionReason: null,
      sourceRule: {
        __typename: "CloudEventRule",
        id: "wiz-drift-config-change",
        name: `Configuration changed outside the approved baseline (${change.event})`,
        cloudEventRuleDescription: "A CloudTrail event changed a resource's configuration.",
        sourceType: "CLOUDTRAIL",
        type: "DETECTION",
      },
      entitySnapshot: {
        id: `wiz-entity-${stableHash(change.resourceId).slice(0, 12)}`,
        type: "BUCKET",
        nativeType: change.resourceType,
        name: change.resourceId.split(/[:/]/).at(-1) ?? change.resourceId,
        status: "Active",
        cloudPlatform: "AWS",
        cloudProviderURL: null,
        providerId: change.resourceId,
        region: change.resourceId.split(":")[3] || null,
        resourceGroupExternalId: null,
        subscriptionExternalId: accountOf(change.resourceId),
        subscriptionName: "sandbox-drift",
        subscriptionTags: {},
        tags: null,
        externalId: change.resourceId.split(/[:/]/).at(-1) ?? change.resourceId,
        createdAt: change.at,
      },
      projects: [],
      serviceTickets: [],
      notes: [],
    }));
}

// Internal helpers.

function accountOf(id: string): string {
  return id.split(":")[4] || "111122223333";
}

function auditEventAlert(change: DriftChange): Record<string, unknown> {
  const at = Date.parse(change.at);
  return {
    ...alertBase(`P-${change.nativeId}`, at),
    policyId: "drift-audit-config-change",
    policy: {
      policyId: "drift-audit-config-change",
      name: `AWS configuration changed (${change.event})`,
      policyType: "audit_event",
      severity: "medium",
      description: "A configuration change recorded by CloudTrail.",
      recommendation: "Review the change against the approved baseline.",
      remediable: false,
    },
    resource: resourceOf(change.resourceId, change.resourceType, {
      eventName: change.event,
      eventTime: change.at,
      userIdentity: { type: "IAMUser", arn: change.actor },
      userAgent: change.userAgent,
      eventSource: `${change.resourceType.split(".")[1] ?? "aws"}.amazonaws.com`,
    }),
  };
}

function alertBase(id: string, at: number): Record<string, unknown> {
  return {
    id,
    status: "open",
    reason: "NEW_ALERT",
    firstSeen: at,
    lastSeen: at,
    alertTime: at,
    lastUpdated: at,
    eventOccurred: at,
  };
}

function resourceOf(
  id: string,
  type: string,
  data: Record<string, unknown>,
): Record<string, unknown> & {
  data: Record<string, unknown>;
} {
  const arn = id.split(":");
  const name = id.split(/[:/]/).at(-1) ?? id;
  return {
    rrn: `rrn::${type}:${arn[3] || "us-east-1"}:${arn[4] || "111122223333"}:${name}`,
    id,
    name,
    account: "sandbox-drift",
    accountId: accountOf(id),
    cloudType: "aws",
    regionId: arn[3] || "us-east-1",
    region: "AWS Virginia",
    resourceType: type,
    resourceApiName: type,
    cloudServiceName: "Amazon",
    resourceTags: {},
    data,
  };
}
