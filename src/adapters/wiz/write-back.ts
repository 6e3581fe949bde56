import { ConfigurationError, InvalidResponseError, NotFoundError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { ExceptionRef, ExceptionRequest, StatusChange } from "../../core/source.js";
import { commentText, exceptionDescription, exceptionExpiry } from "../shared/write-back.js";
import type { WizClient } from "./client.js";
import type { WizKind } from "./map-severity.js";

/** A finding found by `getFinding`'s lookup: its family, its native record and the Finding. */
export interface WizLookup {
  kind: WizKind;
  record: unknown;
  finding: Finding;
}

/** Writes a status change to an issue with `updateIssue` (docs/wiz.md, Sources: write-back). */
export async function updateIssue(
  client: WizClient,
  issueId: string,
  change: StatusChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  await client.graphql(
    updateIssueMutation,
    { issueId, patch: toWizIssuePatch(change) },
    { signal, idempotent: false },
  );
}

/**
 * Creates an expiring ignore rule scoped to the finding's rule and resource (docs/wiz.md, Sources: write-back), once the
 * expiry reads as a date and `lookup` found the finding.
 * @throws ConfigurationError for an unreadable expiry; NotFoundError when the lookup finds nothing.
 */
export async function createIgnoreRule(
  client: WizClient,
  request: ExceptionRequest,
  lookup: () => Promise<WizLookup | undefined>,
  signal: AbortSignal | undefined,
): Promise<ExceptionRef> {
  const expiredAt = new Date(exceptionExpiry("wiz", request)).toISOString();
  const found = await lookup();
  if (!found) {
    throw new NotFoundError(
      `wiz: finding ${request.findingId} does not exist (or is not visible to this service account).`,
      { integration: "wiz", status: 404, method: "POST", url: "graphql" },
    );
  }
  const data = await client.graphql<{ createIgnoreRule?: { rule?: { id?: string } } }>(
    createIgnoreRuleMutation,
    { input: ignoreRuleInput(found, request, expiredAt) },
    { signal, idempotent: false },
  );
  const ruleId = data.createIgnoreRule?.rule?.id;
  if (!ruleId) {
    throw new InvalidResponseError("wiz: createIgnoreRule answered without a rule id.", {
      integration: "wiz",
      issues: [{ path: ["createIgnoreRule", "rule", "id"], message: "missing" }],
    });
  }
  return { id: ruleId, until: expiredAt };
}

/**
 * Adds a note to an issue with `createIssueNote` (docs/wiz.md, Sources: write-back). Only issues have
 * notes: a configuration or vulnerability finding is refused before anything is sent.
 * @throws ConfigurationError for a finding that is not an issue, or an empty text.
 */
export async function createIssueNote(
  client: WizClient,
  issueId: string,
  text: string,
  lookup: () => Promise<WizLookup | undefined>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const note = commentText("wiz", text, 10_000);
  const found = await lookup();
  if (!found) {
    throw new NotFoundError(
      `wiz: finding ${issueId} does not exist (or is not visible to this service account).`,
      {
        integration: "wiz",
        status: 404,
        method: "POST",
        url: "graphql",
      },
    );
  }
  if (found.kind !== "issue") {
    throw new ConfigurationError(
      `wiz: only issues take notes; ${issueId} is a ${found.kind} finding (write the exception as an ignore rule instead).`,
      { option: "id" },
    );
  }
  await client.graphql(
    createIssueNoteMutation,
    { input: { issueId, text: note } },
    { signal, idempotent: false },
  );
}

/** Deletes an ignore rule `createIgnoreRule` made, by its id (docs/wiz.md, Sources: write-back). */
export async function deleteIgnoreRule(
  client: WizClient,
  ruleId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await client.graphql(deleteIgnoreRuleMutation, { input: { id: ruleId } }, { signal, idempotent: true });
}

// Internal helpers.

/** `createIssueNote` (docs/wiz.md, Write-back). */
const createIssueNoteMutation = `mutation CloudstewardCreateIssueNote($input: CreateIssueNoteInput!) {
  createIssueNote(input: $input) { issueNote { id text createdAt } }
}`;

/** `deleteIgnoreRule` (input `{ id }`; its payload is inferred like `deleteIssueNote`'s `_stub`: docs/wiz.md, Write-back). */
const deleteIgnoreRuleMutation = `mutation CloudstewardDeleteIgnoreRule($input: DeleteIgnoreRuleInput!) {
  deleteIgnoreRule(input: $input) { _stub }
}`;

/** The `updateIssue` patch for a normalized status change (docs/wiz.md, Sources: write-back). */
function toWizIssuePatch(change: StatusChange): Record<string, string> {
  switch (change.status) {
    case "open":
      return withNote({ status: "OPEN" }, change.note);
    case "in_progress":
      return withNote({ status: "IN_PROGRESS" }, change.note);
    case "resolved":
      return withNote({ status: "RESOLVED", resolutionReason: change.reason ?? "ISSUE_FIXED" }, change.note);
    case "risk_accepted":
      return withNote({ status: "REJECTED", resolutionReason: change.reason ?? "EXCEPTION" }, change.note);
    case "suppressed":
      return withNote(
        { status: "REJECTED", resolutionReason: change.reason ?? "FALSE_POSITIVE" },
        change.note,
      );
  }
}

/** `updateIssue` (docs/wiz.md, Sources: write-back). */
const updateIssueMutation = `mutation CloudstewardUpdateIssue($issueId: ID!, $patch: UpdateIssuePatch, $override: UpdateIssuePatch) {
  updateIssue(input: { id: $issueId, patch: $patch, override: $override }) {
    issue { id status dueAt resolutionReason notes { id text createdAt updatedAt } }
  }
}`;

/** `createIgnoreRule` (the input keys beyond the observed ones are inferred: docs/wiz.md, Write-back). */
const createIgnoreRuleMutation = `mutation CloudstewardCreateIgnoreRule($input: CreateIgnoreRuleInput!) {
  createIgnoreRule(input: $input) { rule { id name enabled findingTypes findingIgnoreReason expiredAt } }
}`;

function ignoreRuleInput({ kind, record, finding }: WizLookup, request: ExceptionRequest, expiredAt: string) {
  const typename = (record as { sourceRule?: { __typename?: string } }).sourceRule?.__typename;
  const ruleKey =
    kind === "configuration" || typename === "CloudConfigurationRule"
      ? "cloudConfigurationRuleIds"
      : kind === "vulnerability"
        ? "vulnerabilityExternalIds"
        : typename === "CloudEventRule"
          ? "threatDetectionRuleIds"
          : "controlIds";
  const findingType =
    kind === "configuration"
      ? "CONFIGURATION_FINDING"
      : kind === "vulnerability"
        ? "VULNERABILITY_FINDING"
        : finding.category === "threat"
          ? "THREAT_DETECTION_ISSUE"
          : "ISSUE";
  return {
    name: `cloudsteward: ${finding.rule.name} on ${finding.resource.name || finding.resource.id}`.slice(
      0,
      200,
    ),
    description: exceptionDescription(request, request.expiresAt),
    findingTypes: [findingType],
    findingIgnoreReason: /false.?positive/i.test(request.reason) ? "FALSE_POSITIVE" : "EXCEPTION",
    resourceConditions: { providerUniqueId: { equals: [finding.resource.id] } },
    [ruleKey]: [finding.rule.id],
    expiredAt,
    actions: [{ ignoreFinding: { ignore: true } }],
  };
}

function withNote(patch: Record<string, string>, note: string | undefined): Record<string, string> {
  return note ? { ...patch, note } : patch;
}
