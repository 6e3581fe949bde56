import { ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import type { Warning } from "../../core/report.js";
import type { FindingQuery } from "../../core/source.js";
import { clientSideFilterWarnings } from "../shared/warnings.js";
import { GraphqlSyntaxError, parseOperations } from "./graphql.js";
import { toWizSeverities, type WizKind } from "./map-severity.js";
import { toWizStatuses } from "./map-status.js";

/** The GraphQL document, response key and filter builder of one Wiz finding family. */
export interface WizListQuery {
  kind: WizKind;
  /** The root field as the response names it (the alias). */
  key: string;
  document: string;
}

const subCategories = "securitySubCategories { title externalId category { name framework { name } } }";

/** `issuesV2` with the field set integrations request (docs/wiz.md, Sources: listing). */
export const issuesQuery: WizListQuery = {
  kind: "issue",
  key: "issues",
  document: `query CloudstewardIssues($first: Int, $after: String, $filterBy: IssueFilters, $orderBy: IssueOrder) {
  issues: issuesV2(first: $first, after: $after, filterBy: $filterBy, orderBy: $orderBy) {
    nodes {
      id type status severity createdAt updatedAt statusChangedAt resolvedAt dueAt resolutionReason
      sourceRule {
        __typename
        ... on Control { id name controlDescription: description resolutionRecommendation ${subCategories} }
        ... on CloudEventRule { id name cloudEventRuleDescription: description sourceType type }
        ... on CloudConfigurationRule { id name cloudConfigurationRuleDescription: description remediationInstructions serviceType ${subCategories} }
      }
      entitySnapshot { id type nativeType name status cloudPlatform cloudProviderURL providerId region
                       resourceGroupExternalId subscriptionExternalId subscriptionName subscriptionTags tags externalId createdAt }
      projects { id name slug businessUnit riskProfile { businessImpact } }
      serviceTickets { externalId name url }
      notes { id createdAt updatedAt text user { name email } serviceAccount { name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

/** `configurationFindings` with the rule's name and compliance mapping inline (docs/wiz.md, Sources: listing). */
export const configurationFindingsQuery: WizListQuery = {
  kind: "configuration",
  key: "configurationFindings",
  document: `query CloudstewardConfigurationFindings($first: Int, $after: String, $filterBy: ConfigurationFindingFilters) {
  configurationFindings(first: $first, after: $after, filterBy: $filterBy) {
    nodes {
      id result severity status firstSeenAt analyzedAt updatedAt remediation resolutionReason
      targetExternalId targetObjectProviderUniqueId
      resource { id providerId name type nativeType region cloudPlatform status tags { key value } projects { id name } }
      rule { id shortId name description remediationInstructions ${subCategories} }
      subscription { id name externalId cloudProvider }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

/** `vulnerabilityFindings` with CVSS, EPSS, exploit and fix data (docs/wiz.md, Sources: listing). */
export const vulnerabilityFindingsQuery: WizListQuery = {
  kind: "vulnerability",
  key: "vulnerabilityFindings",
  document: `query CloudstewardVulnerabilityFindings($first: Int, $after: String, $filterBy: VulnerabilityFindingFilters) {
  vulnerabilityFindings(first: $first, after: $after, filterBy: $filterBy) {
    nodes {
      id portalUrl name CVEDescription CVSSSeverity score exploitabilityScore impactScore hasExploit hasCisaKevExploit
      status vendorSeverity firstDetectedAt lastDetectedAt resolvedAt description remediation detailedName version
      fixedVersion detectionMethod link locationPath resolutionReason epssSeverity epssPercentile epssProbability
      vulnerableAsset {
        ... on VulnerableAssetBase { id type name region providerUniqueId cloudProviderURL cloudPlatform status
                                     subscriptionName subscriptionExternalId subscriptionId tags }
        ... on VulnerableAssetVirtualMachine { operatingSystem ipAddresses }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

/** The list queries by kind, in the order `findings()` reads them. */
export const listQueries: Record<WizKind, WizListQuery> = {
  issue: issuesQuery,
  configuration: configurationFindingsQuery,
  vulnerability: vulnerabilityFindingsQuery,
};

/** The query features each family filters server-side; the rest are filtered client-side with a warning. */
export const serverSideFilters: Record<WizKind, ReadonlySet<keyof FindingQuery>> = {
  issue: new Set(["severity", "status", "createdAfter", "createdBefore", "updatedAfter", "projectIds"]),
  configuration: new Set(["severity", "status", "updatedAfter", "projectIds"]),
  vulnerability: new Set(["severity", "status", "createdAfter", "createdBefore", "projectIds", "accountIds"]),
};

/** The `filterBy` variable of one family for a platform-neutral query. */
export function toFilterBy(kind: WizKind, query: FindingQuery): Record<string, unknown> {
  const filterBy: Record<string, unknown> = {};
  if (kind === "configuration") filterBy.result = ["FAIL"];
  if (query.severity?.length) {
    filterBy[kind === "vulnerability" ? "vendorSeverity" : "severity"] = toWizSeverities(
      query.severity,
      kind,
    );
  }
  if (query.status?.length) filterBy.status = toWizStatuses(query.status, kind);
  if (kind === "issue") {
    if (query.createdAfter || query.createdBefore) filterBy.createdAt = window(query);
    if (query.updatedAfter) filterBy.statusChangedAt = { after: query.updatedAfter };
    if (query.projectIds?.length) filterBy.project = [...query.projectIds];
  } else if (kind === "configuration") {
    if (query.updatedAfter) filterBy.analyzedAt = { after: query.updatedAfter };
    if (query.projectIds?.length) filterBy.resource = { projectId: [...query.projectIds] };
  } else {
    if (query.createdAfter || query.createdBefore) filterBy.firstSeenAt = window(query);
    if (query.projectIds?.length) filterBy.projectId = [...query.projectIds];
    // As Fortinet's shipping Wiz connector sends it (`VulnerabilityFindingFilters.subscriptionExternalId`).
    if (query.accountIds?.length) filterBy.subscriptionExternalId = [...query.accountIds];
  }
  return filterBy;
}

/** The families that can hold findings of the requested categories. */
export function kindsFor(kinds: readonly WizKind[], query: FindingQuery): WizKind[] {
  const categories = query.category;
  if (!categories?.length) return [...kinds];
  return kinds.filter((kind) => {
    if (kind === "vulnerability") return categories.includes("vulnerability");
    if (kind === "configuration")
      return categories.some((category) => category !== "vulnerability" && category !== "threat");
    return true;
  });
}

/**
 * Warnings for the query features some of the families read cannot filter server-side, one per feature.
 */
export function unsupportedFilterWarnings(kinds: readonly WizKind[], query: FindingQuery): Warning[] {
  return clientSideFilterWarnings(
    "wiz",
    query,
    kinds,
    serverSideFilters,
    (feature, clientSide) =>
      `wiz: ${clientSide.map((kind) => listQueries[kind].key).join(", ")} cannot filter by ${feature} server-side; it is applied client-side, so every matching page is still fetched.`,
  );
}

/**
 * The client-side check of a whole query. It runs on every finding (also after server-side filtering)
 * because Wiz's vocabularies are coarser than ours (e.g. vulnerability `OPEN` covers `in_progress`).
 */
export function matchesQuery(finding: Finding, query: FindingQuery): boolean {
  if (query.severity?.length && !query.severity.includes(finding.severity)) return false;
  if (query.status?.length && !query.status.includes(finding.status)) return false;
  if (query.category?.length && !query.category.includes(finding.category)) return false;
  if (query.createdAfter && Date.parse(finding.firstSeen) < Date.parse(query.createdAfter)) return false;
  if (query.createdBefore && Date.parse(finding.firstSeen) > Date.parse(query.createdBefore)) return false;
  if (query.updatedAfter && Date.parse(finding.lastSeen) < Date.parse(query.updatedAfter)) return false;
  if (query.accountIds?.length && !query.accountIds.includes(finding.resource.accountId)) return false;
  if (query.frameworks?.length) {
    const wanted = query.frameworks.map((framework) => framework.toLowerCase());
    if (
      !finding.rule.controls.some((control) =>
        wanted.some((name) => control.framework.toLowerCase().includes(name)),
      )
    ) {
      return false;
    }
  }
  return true;
}

/**
 * The operation types (`query`, `mutation`, `subscription`) of a GraphQL document passed to `query()`.
 * A document that cannot be read might hide a mutation: it counts as one (`unknown`) when writes are on.
 * @throws ConfigurationError when the document cannot be read and writes are off (it is then not sent).
 */
export function graphqlOperations(document: string, allowWrite: boolean | undefined): string[] {
  try {
    return parseOperations(document).map((operation) => operation.type);
  } catch (error) {
    if (!(error instanceof GraphqlSyntaxError)) throw error;
    if (allowWrite) return ["unknown"];
    throw new ConfigurationError(
      `wiz: query() could not read the GraphQL document (${error.message}), so it was not sent.`,
      { option: "query", cause: error },
    );
  }
}

/** Wiz's `DateFilter` (`{ after, before }`, both inclusive) for the query's creation bounds. */
function window(query: FindingQuery): { after?: string; before?: string } {
  return {
    ...(query.createdAfter ? { after: query.createdAfter } : {}),
    ...(query.createdBefore ? { before: query.createdBefore } : {}),
  };
}
