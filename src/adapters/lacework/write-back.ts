import { ConfigurationError, InvalidResponseError, NotFoundError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { ExceptionRef, ExceptionRequest, StatusChange } from "../../core/source.js";
import { commentText, exceptionDescription, exceptionExpiry } from "../shared/write-back.js";
import type { LaceworkClient } from "./client.js";
import { toLaceworkSeverities } from "./map-severity.js";

/**
 * Closes an alert (`POST /api/v2/Alerts/{alertId}/close`) with the reason and comment of
 * {@link toCloseRequest}.
 * @throws ConfigurationError for a compliance or vulnerability finding (only alerts have a status), and
 * for `open` and `in_progress`.
 */
export async function closeAlert(
  client: LaceworkClient,
  alertId: string,
  change: StatusChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!/^\d+$/.test(alertId)) {
    throw new ConfigurationError(
      `lacework: only alerts have a status to write (${alertId} is a compliance or vulnerability finding); use createException to suppress it.`,
      { option: "id" },
    );
  }
  await client.request("POST", `/api/v2/Alerts/${alertId}/close`, {
    json: toCloseRequest(change),
    signal,
    idempotent: false,
  });
}

/**
 * Creates the exception for the finding `lookup` finds, once the expiry reads as a date: a vulnerability
 * exception (CVE and package, on the host or image) for a vulnerability row, else a policy exception
 * scoped to the finding's account and resource (an anomaly alert, whose rule is an alert type and not a
 * policy id such as `lacework-global-45`, has none: refused), closing the alert at hand as accepted (reason 5,
 * expected behaviour) since the exception only stops future alerts.
 * @throws ConfigurationError for an unreadable expiry; NotFoundError when the lookup finds nothing.
 */
export async function createLaceworkException(
  client: LaceworkClient,
  request: ExceptionRequest,
  lookup: () => Promise<Finding | undefined>,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  exceptionExpiry("lacework", request);
  const finding = await lookup();
  if (!finding) {
    throw new NotFoundError(
      `lacework: finding ${request.findingId} does not exist (or is not visible to this API key).`,
      { integration: "lacework", status: 404, method: "GET", url: "/api/v2/Alerts" },
    );
  }
  const description = exceptionDescription(request, request.expiresAt);
  if (
    finding.vulnerability &&
    finding.rule.id === finding.vulnerability.cve &&
    finding.source.nativeId.includes(":")
  ) {
    return vulnerabilityException(client, finding, request, description, signal);
  }
  if (!/-\d+$/.test(finding.rule.id)) {
    throw new ConfigurationError(
      `lacework: ${request.findingId} is an anomaly alert (${finding.rule.id}) with no policy to except; close it with setStatus instead.`,
      { option: "findingId" },
    );
  }
  const response = await client.request<unknown>("POST", "/api/v2/Exceptions", {
    searchParams: { policyId: finding.rule.id },
    json: { description: description.slice(0, 1000), constraints: policyConstraints(finding) },
    signal,
    idempotent: false,
  });
  // Deleting a policy exception needs its policy too, so the reference carries both.
  const exceptionId = `${finding.rule.id}/${createdId(response.data, "exceptionId", "policy exception")}`;
  if (/^\d+$/.test(finding.source.nativeId)) {
    await client.request("POST", `/api/v2/Alerts/${finding.source.nativeId}/close`, {
      json: {
        reason: closeReasons.expectedBehavior,
        comment: `Risk accepted: ${description}`.slice(0, 1000),
      },
      signal,
      idempotent: false,
    });
  }
  return { id: exceptionId };
}

/**
 * Deletes an exception {@link createLaceworkException} made: `<policyId>/<exceptionId>` is a policy
 * exception (`DELETE /api/v2/Exceptions/{id}?policyId=`), which has no expiry of its own, anything else
 * a vulnerability exception (`DELETE /api/v2/VulnerabilityExceptions/{guid}`) (docs/lacework.md, Sources: write-back).
 * An alert closed with the exception stays closed: Lacework has no API to reopen one.
 */
export async function deleteLaceworkException(
  client: LaceworkClient,
  refId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const slash = refId.lastIndexOf("/");
  const path =
    slash > 0
      ? `/api/v2/Exceptions/${encodeURIComponent(refId.slice(slash + 1))}`
      : `/api/v2/VulnerabilityExceptions/${encodeURIComponent(refId)}`;
  const searchParams = slash > 0 ? { policyId: refId.slice(0, slash) } : undefined;
  await client.request("DELETE", path, { ...(searchParams && { searchParams }), signal, idempotent: true });
}

/**
 * Comments on an alert (`POST /api/v2/Alerts/{alertId}/comment`, docs/lacework.md, Sources: write-back);
 * secrets redacted.
 * @throws ConfigurationError for a compliance or vulnerability finding: only alerts take comments.
 */
export async function commentAlert(
  client: LaceworkClient,
  alertId: string,
  text: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!/^\d+$/.test(alertId)) {
    throw new ConfigurationError(
      `lacework: only alerts take comments (${alertId} is a compliance or vulnerability finding).`,
      { option: "id" },
    );
  }
  await client.request("POST", `/api/v2/Alerts/${alertId}/comment`, {
    json: { comment: commentText("lacework", text, 1000) },
    signal,
    idempotent: false,
  });
}

/** The close reason codes of `POST /api/v2/Alerts/{alertId}/close` (docs/lacework.md, Sources: write-back). */
export const closeReasons = {
  other: 0,
  falsePositive: 1,
  notEnoughInformation: 2,
  resolved: 3,
  expectedRoutineTesting: 4,
  expectedBehavior: 5,
} as const;

/**
 * The close request for a normalized status change: `resolved` closes with reason 3 (resolution in place),
 * `suppressed` with 1 (false positive), `risk_accepted` with 5 (expected behaviour); a numeric `reason`
 * (0–5) overrides. The comment is always sent, as the vendor CLI requires one for reason 0.
 * @throws ConfigurationError for `open` and `in_progress`: Lacework has no API to reopen or start an alert.
 */
export function toCloseRequest(change: StatusChange): { reason: number; comment: string } {
  if (change.status === "open" || change.status === "in_progress") {
    throw new ConfigurationError(
      `lacework: an alert cannot be set to ${change.status}; the API only closes alerts (reopen and in-progress have no endpoint). Add a comment in the console instead.`,
      { option: "status" },
    );
  }
  const byStatus = {
    resolved: closeReasons.resolved,
    suppressed: closeReasons.falsePositive,
    risk_accepted: closeReasons.expectedBehavior,
  };
  const explicit = change.reason !== undefined && /^[0-5]$/.test(change.reason.trim());
  const reason = explicit ? Number(change.reason) : byStatus[change.status];
  const comment = change.note?.trim() || `Closed by cloudsteward as ${change.status.replace("_", " ")}.`;
  return { reason, comment };
}

// Internal helpers.

/** Policy-exception constraints scoping the policy to this finding's account and resource (docs/lacework.md, Sources: write-back). */
function policyConstraints(finding: Finding) {
  const constraints: { fieldKey: string; fieldValues: string[] }[] = [];
  if (finding.resource.accountId)
    constraints.push({ fieldKey: "accountIds", fieldValues: [finding.resource.accountId] });
  if (finding.resource.name)
    constraints.push({ fieldKey: "resourceNames", fieldValues: [finding.resource.name] });
  return constraints;
}

async function vulnerabilityException(
  client: LaceworkClient,
  finding: Finding,
  request: ExceptionRequest,
  description: string,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  const vulnerability = finding.vulnerability!;
  const container = finding.resource.nativeType === "ContainerImage";
  const criteria: Record<string, unknown> = {
    cve: [vulnerability.cve],
    severity: toLaceworkSeverities([finding.severity]),
  };
  if (vulnerability.packageName && vulnerability.installedVersion) {
    criteria.package = [{ [vulnerability.packageName]: [vulnerability.installedVersion] }];
  }
  const response = await client.request<unknown>("POST", "/api/v2/VulnerabilityExceptions", {
    json: {
      exceptionName:
        `cloudsteward: ${vulnerability.cve} on ${finding.resource.name || finding.resource.id}`.slice(0, 200),
      exceptionType: container ? "Container" : "Host",
      exceptionReason: /false.?positive/i.test(request.reason) ? "False Positive" : "Accepted Risk",
      props: { description: description.slice(0, 1000) },
      vulnerabilityCriteria: criteria,
      resourceScope: container
        ? { imageId: [finding.source.nativeId.split(":")[1]] }
        : { hostname: [finding.resource.name] },
      state: 1,
      expiryTime: new Date(request.expiresAt).toISOString(),
    },
    signal,
    idempotent: false,
  });
  const guid = createdId(response.data, "exceptionGuid", "vulnerability exception");
  return { id: guid, until: new Date(request.expiresAt).toISOString() };
}

/** The id a create call answered with under `data.<key>`. */
function createdId(body: unknown, key: string, what: string): string {
  const id = (body as { data?: Record<string, unknown> } | undefined)?.data?.[key];
  if (typeof id === "string" && id !== "") return id;
  throw new InvalidResponseError(`lacework: the ${what} was answered without ${key}.`, {
    integration: "lacework",
    issues: [{ path: ["data", key], message: "missing" }],
  });
}
