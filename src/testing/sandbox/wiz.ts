import { randomBytes, timingSafeEqual } from "node:crypto";
import {
  GraphqlSyntaxError,
  parseOperations,
  type RootField,
  resolveValue,
} from "../../adapters/wiz/graphql.js";
import { toWizCloudPlatform } from "../../adapters/wiz/map-resource.js";
import type { WizKind } from "../../adapters/wiz/map-severity.js";
import type { WizOptions } from "../../adapters/wiz/wiz.js";
import type { Category, Severity } from "../../core/finding.js";
import { stableHash } from "../../core/fingerprint.js";
import { memoize } from "../../core/memo.js";
import type { Estate, EstateAccount, EstateFinding, EstateResource, EstateRule } from "../estate.js";
import { wizDriftIssues } from "./drift-http.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";
import { vendorRuleName, wizGuardDutyRuleId } from "./vendor-rules.js";

/** The service-account id the Wiz emulation accepts. */
export const sandboxWizClientId = "sandbox-wiz-client";
/** The service-account secret the Wiz emulation accepts. */
export const sandboxWizClientSecret = "sandbox-wiz-secret-7c1e";

/** A write the Wiz emulation accepted, for tests to inspect. */
export interface WizWrite {
  operation:
    | "updateIssue"
    | "createIgnoreRule"
    | "deleteIgnoreRule"
    | "createIssueNote"
    | "createCloudConfigurationRule";
  input: Record<string, unknown>;
}

/** The Wiz emulation: the emulation contract plus what it recorded. */
export interface WizEmulation extends Emulation<WizOptions> {
  /** Every accepted mutation, in order. */
  readonly writes: readonly WizWrite[];
  /** The number of GraphQL requests answered (after faults). */
  readonly graphqlRequests: number;
}

/**
 * Emulates Wiz's API over an estate: the OAuth token endpoint (`/oauth/token`, client credentials,
 * audience `wiz-api`) and GraphQL (`/graphql`) with `issuesV2` (also as `issues`), `issue(id)`, `configurationFindings`,
 * `vulnerabilityFindings`, cursor paging, `filterBy`, the `updateIssue`, `createIssueNote`, `createIgnoreRule` and
 * `deleteIgnoreRule` mutations (a deleted rule gives back the state its findings had before it),
 * `createCloudConfigurationRule` (recorded; it checks the fields a custom Rego rule needs and flags nothing),
 * Wiz's error behaviour (GraphQL `errors` in a 200, 401 on an expired token) and the sandbox faults.
 * @example
 * const emulation = wizEmulation(generateEstate({ seed: 1 }), createFaults());
 * const response = await emulation.handle(request, "/graphql");
 */
export function wizEmulation(estate: Estate, faults: Faults): WizEmulation {
  const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
  const accounts = new Map(estate.accounts.map((account) => [account.id, account]));
  const ruleOf = (finding: EstateFinding) =>
    estate.rules.find(
      (rule) => rule.archetype === finding.archetype && rule.resourceTypes.includes(resourceOf(finding).type),
    ) ?? estate.rules.find((rule) => rule.archetype === finding.archetype)!;
  const resourceOf = (finding: EstateFinding) => resources.get(finding.resourceId)!;
  const lists: Record<WizKind, EstateFinding[]> = { issue: [], configuration: [], vulnerability: [] };
  for (const finding of estate.findings)
    if (finding.reportedBy.wiz && finding.wizKind) lists[finding.wizKind].push(finding);
  const byNativeId = new Map<string, { finding: EstateFinding; kind: WizKind; index: number }>();
  for (const kind of ["issue", "configuration", "vulnerability"] as const) {
    lists[kind].forEach((finding, index) => {
      byNativeId.set(finding.reportedBy.wiz!, { finding, kind, index });
    });
  }
  const overrides = new Map<
    string,
    { status: string; resolutionReason: string | null; notes: WizNote[]; dueAt: string | null }
  >();
  const tokens = new Set<string>();
  const writes: WizWrite[] = [];
  const ignoreRules: Record<string, unknown>[] = [];
  /** Per ignore rule, the state each finding it ignored had before (`undefined`: the estate's own). */
  const ignoredBefore = new Map<string, Map<string, ReturnType<typeof effective> | undefined>>();
  let graphqlRequests = 0;
  const filterCache = new Map<string, EstateFinding[]>();

  const context: RenderContext = { estate, accounts, resourceOf, ruleOf, overrides, faults };

  const handleToken = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return jsonResponse(405, { error: "method_not_allowed" });
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "client_credentials") {
      return jsonResponse(400, {
        error: "unsupported_grant_type",
        error_description: "grant_type must be client_credentials",
      });
    }
    if (form.get("audience") !== "wiz-api") {
      return jsonResponse(400, { error: "invalid_request", error_description: "Invalid audience" });
    }
    if (
      !safeEqual(form.get("client_id") ?? "", sandboxWizClientId) ||
      !safeEqual(form.get("client_secret") ?? "", sandboxWizClientSecret)
    ) {
      return jsonResponse(401, { error: "access_denied", error_description: "Unauthorized" });
    }
    const token = `eyJ${randomBytes(24).toString("base64url")}`;
    tokens.add(token);
    return jsonResponse(200, {
      access_token: token,
      refresh_token: `eyJ${randomBytes(12).toString("base64url")}`,
      expires_in: 86_400,
      token_type: "Bearer",
    });
  };

  const handleGraphql = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return jsonResponse(405, { errors: [{ message: "Use POST" }] });
    const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (token === undefined || !tokens.has(token))
      return jsonResponse(401, { errors: [{ message: "Unauthorized: missing or invalid access token" }] });
    if (faults.tokenExpired(token)) {
      tokens.delete(token);
      return jsonResponse(401, { errors: [{ message: "Unauthorized: access token expired" }] });
    }
    graphqlRequests++;
    let body: { query?: unknown; variables?: unknown };
    try {
      body = (await request.json()) as typeof body;
    } catch {
      return jsonResponse(400, { errors: [{ message: "Body must be JSON: { query, variables }" }] });
    }
    if (typeof body.query !== "string") return graphqlError("Must provide query string.");
    const variables = (
      typeof body.variables === "object" && body.variables !== null ? body.variables : {}
    ) as Record<string, unknown>;
    let operation: ReturnType<typeof parseOperations>[number] | undefined;
    try {
      operation = parseOperations(body.query)[0];
    } catch (error) {
      if (error instanceof GraphqlSyntaxError) return graphqlError(error.message);
      throw error;
    }
    if (!operation) return graphqlError("Must provide an operation.");
    const data: Record<string, unknown> = {};
    const errors: GraphqlErrorBody[] = [];
    for (const field of operation.fields) {
      const args = Object.fromEntries(
        Object.entries(field.arguments).map(([name, value]) => [name, resolveValue(value, variables)]),
      );
      const resolver = operation.type === "mutation" ? mutations[field.name] : queries[field.name];
      if (!resolver) {
        const type = operation.type === "mutation" ? "Mutation" : "Query";
        return graphqlError(
          `Cannot query field "${field.name}" on type "${type}".`,
          "GRAPHQL_VALIDATION_FAILED",
        );
      }
      const result = resolver(args, field);
      if ("error" in result) {
        data[field.alias] = null;
        errors.push({
          message: result.error,
          path: [field.alias],
          extensions: { code: result.code ?? "BAD_USER_INPUT" },
        });
      } else data[field.alias] = result.data;
    }
    return jsonResponse(200, errors.length > 0 ? { data, errors } : { data });
  };

  const list = (kind: WizKind, args: Record<string, unknown>): Resolved => {
    const first = args.first === undefined || args.first === null ? 50 : Number(args.first);
    if (!Number.isInteger(first) || first < 0 || first > 500) {
      return { error: `Argument "first" must be an integer between 0 and 500 (got ${String(args.first)}).` };
    }
    const filterBy = (args.filterBy ?? {}) as Record<string, unknown>;
    const unknownKey = Object.keys(filterBy).find((key) => !filterKeys[kind].includes(key));
    if (unknownKey) {
      return {
        error: `Variable "$filterBy" got invalid value; Field "${unknownKey}" is not defined by type "${filterTypeNames[kind]}".`,
        code: "GRAPHQL_VALIDATION_FAILED",
      };
    }
    const filterHash = stableHash(kind, JSON.stringify(filterBy));
    let offset = 0;
    if (typeof args.after === "string" && args.after !== "") {
      const cursor = decodeCursor(args.after);
      if (cursor === undefined || cursor.filter !== filterHash) {
        return {
          error: "Invalid cursor: it does not belong to this query (the filter changed between pages).",
        };
      }
      offset = cursor.offset;
    }
    let matching = filterCache.get(filterHash);
    if (!matching) {
      const predicate = predicates[kind](filterBy, context);
      matching = lists[kind].filter(predicate);
      if (filterCache.size > 16) filterCache.clear();
      filterCache.set(filterHash, matching);
    }
    const page = matching.slice(offset, offset + first);
    const end = offset + page.length;
    // The drift estate's change detections, as they are now, close the last page of issues.
    const live =
      kind === "issue" && end >= matching.length && estate.drift
        ? wizDriftIssues(estate.drift, filterBy)
        : [];
    return {
      data: {
        nodes: [
          ...page.map((finding) =>
            render(kind, finding, byNativeId.get(finding.reportedBy.wiz!)!.index, context),
          ),
          ...live,
        ],
        pageInfo: {
          hasNextPage: end < matching.length,
          endCursor: page.length > 0 ? encodeCursor(end, filterHash) : null,
        },
        totalCount: matching.length + live.length,
      },
    };
  };

  const queries: Record<string, (args: Record<string, unknown>, field: RootField) => Resolved> = {
    issuesV2: (args) => list("issue", args),
    issues: (args) => list("issue", args),
    issue: (args) => {
      const target = typeof args.id === "string" ? byNativeId.get(args.id) : undefined;
      return {
        data: target?.kind === "issue" ? render("issue", target.finding, target.index, context) : null,
      };
    },
    configurationFindings: (args) => list("configuration", args),
    vulnerabilityFindings: (args) => list("vulnerability", args),
  };

  const mutations: Record<string, (args: Record<string, unknown>, field: RootField) => Resolved> = {
    updateIssue: (args) => {
      const input = (args.input ?? {}) as {
        id?: unknown;
        patch?: Record<string, unknown>;
        override?: Record<string, unknown>;
      };
      const target = typeof input.id === "string" ? byNativeId.get(input.id) : undefined;
      if (target?.kind !== "issue") return { error: "Resource not found / access denied", code: "NOT_FOUND" };
      const patch = { ...(input.patch ?? {}), ...(input.override ?? {}) };
      const current = effective(target.finding, "issue", context);
      const status = typeof patch.status === "string" ? patch.status : current.status;
      if (!["OPEN", "IN_PROGRESS", "REJECTED", "RESOLVED"].includes(status)) {
        return {
          error: `Value "${status}" does not exist in "IssueStatus" enum.`,
          code: "GRAPHQL_VALIDATION_FAILED",
        };
      }
      if (status === "RESOLVED" && issueType(target.finding) !== "THREAT_DETECTION") {
        return {
          error:
            "Only Threat Detection issues can be resolved manually; other issues resolve when Wiz re-scans.",
        };
      }
      if (status === "REJECTED" && typeof patch.resolutionReason !== "string") {
        return { error: "A resolution reason is required to reject an issue." };
      }
      const notes = [...current.notes];
      if (typeof patch.note === "string" && patch.note !== "") {
        notes.push({
          id: `note-${notes.length + 1}`,
          text: patch.note,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          user: null,
          serviceAccount: { name: sandboxWizClientId },
        });
      }
      const next = {
        status,
        resolutionReason:
          status === "REJECTED" || status === "RESOLVED"
            ? String(patch.resolutionReason ?? current.resolutionReason ?? "") || null
            : null,
        notes,
        dueAt: "dueAt" in patch ? ((patch.dueAt as string | null) ?? null) : current.dueAt,
      };
      overrides.set(target.finding.reportedBy.wiz!, next);
      writes.push({ operation: "updateIssue", input: input as Record<string, unknown> });
      return { data: { issue: { id: input.id, ...next } } };
    },
    createIgnoreRule: (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      if (typeof input.name !== "string" || input.name === "")
        return {
          error: 'Field "name" of required type "String!" was not provided.',
          code: "GRAPHQL_VALIDATION_FAILED",
        };
      if (!Array.isArray(input.findingTypes) || input.findingTypes.length === 0)
        return {
          error: 'Field "findingTypes" of required type "[IgnoreRuleFindingType!]!" was not provided.',
          code: "GRAPHQL_VALIDATION_FAILED",
        };
      const id = `ir-${stableHash(String(ignoreRules.length), input.name)}`;
      const rule = { id, enabled: true, ...input };
      ignoreRules.push(rule);
      writes.push({ operation: "createIgnoreRule", input });
      // The rule applies at once to the findings it names (the real service applies it on the next scan).
      const ids = ((input.resourceConditions as { providerUniqueId?: { equals?: unknown } } | undefined)
        ?.providerUniqueId?.equals ?? []) as unknown[];
      for (const [nativeId, target] of byNativeId) {
        if (!ids.includes(target.finding.resourceId)) continue;
        const ruleId = ruleIdFor(
          target.kind,
          target.finding,
          ruleOf(target.finding),
          resourceOf(target.finding).type,
        );
        const ruleIds = [
          ...asArray(input.cloudConfigurationRuleIds),
          ...asArray(input.controlIds),
          ...asArray(input.threatDetectionRuleIds),
          ...asArray(input.vulnerabilityExternalIds),
        ];
        if (!ruleIds.includes(ruleId)) continue;
        const current = effective(target.finding, target.kind, context);
        if (!ignoredBefore.has(id)) ignoredBefore.set(id, new Map());
        ignoredBefore.get(id)!.set(nativeId, overrides.get(nativeId));
        overrides.set(nativeId, {
          ...current,
          status: target.kind === "vulnerability" ? "IGNORED" : "REJECTED",
          resolutionReason: String(input.findingIgnoreReason ?? "EXCEPTION"),
        });
      }
      return {
        data: {
          rule: {
            id,
            name: input.name,
            enabled: true,
            findingTypes: input.findingTypes,
            findingIgnoreReason: input.findingIgnoreReason ?? null,
            expiredAt: input.expiredAt ?? null,
          },
        },
      };
    },
    createCloudConfigurationRule: (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      for (const field of ["name", "opaPolicy", "severity"]) {
        if (typeof input[field] !== "string" || input[field] === "")
          return {
            error: `Field "${field}" of required type "String!" was not provided.`,
            code: "GRAPHQL_VALIDATION_FAILED",
          };
      }
      if (!Array.isArray(input.targetNativeTypes) || input.targetNativeTypes.length === 0)
        return {
          error: 'Field "targetNativeTypes" of required type "[String!]!" was not provided.',
          code: "GRAPHQL_VALIDATION_FAILED",
        };
      const count = writes.filter((write) => write.operation === "createCloudConfigurationRule").length;
      writes.push({ operation: "createCloudConfigurationRule", input });
      return { data: { rule: { id: `ccr-${stableHash(String(count), String(input.name))}` } } };
    },
    deleteIgnoreRule: (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      const index = ignoreRules.findIndex((rule) => rule.id === input.id);
      if (index < 0) return { error: "Resource not found / access denied", code: "NOT_FOUND" };
      ignoreRules.splice(index, 1);
      for (const [nativeId, before] of ignoredBefore.get(String(input.id)) ?? []) {
        if (before) overrides.set(nativeId, before);
        else overrides.delete(nativeId);
      }
      ignoredBefore.delete(String(input.id));
      writes.push({ operation: "deleteIgnoreRule", input });
      return { data: { _stub: null } };
    },
    createIssueNote: (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      const target = typeof input.issueId === "string" ? byNativeId.get(input.issueId) : undefined;
      if (target?.kind !== "issue") return { error: "Resource not found / access denied", code: "NOT_FOUND" };
      if (typeof input.text !== "string" || input.text === "")
        return {
          error: 'Field "text" of required type "String!" was not provided.',
          code: "GRAPHQL_VALIDATION_FAILED",
        };
      const current = effective(target.finding, "issue", context);
      const at = new Date().toISOString();
      const note: WizNote = {
        id: `note-${current.notes.length + 1}`,
        text: input.text,
        createdAt: at,
        updatedAt: at,
        user: null,
        serviceAccount: { name: sandboxWizClientId },
      };
      overrides.set(input.issueId as string, { ...current, notes: [...current.notes, note] });
      writes.push({ operation: "createIssueNote", input });
      return { data: { issueNote: note } };
    },
  };

  return {
    name: "wiz",
    get writes() {
      return writes;
    },
    get graphqlRequests() {
      return graphqlRequests;
    },
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (path === "/oauth/token") return handleToken(request);
      if (path === "/graphql") return handleGraphql(request);
      return jsonResponse(404, { errors: [{ message: `No route for ${path}` }] });
    },
    options: (baseUrl) => ({
      clientId: sandboxWizClientId,
      clientSecret: sandboxWizClientSecret,
      apiUrl: `${baseUrl}/graphql`,
      authUrl: `${baseUrl}/oauth/token`,
    }),
  };
}

// Internal helpers.

type Resolved = { data: unknown } | { error: string; code?: string };

interface GraphqlErrorBody {
  message: string;
  path?: string[];
  extensions?: { code: string };
}

interface WizNote {
  id: string;
  text: string;
  createdAt: string;
  updatedAt: string;
  user: { name: string; email: string } | null;
  serviceAccount: { name: string } | null;
}

interface RenderContext {
  estate: Estate;
  accounts: Map<string, EstateAccount>;
  resourceOf(finding: EstateFinding): EstateResource;
  ruleOf(finding: EstateFinding): EstateRule;
  overrides: Map<
    string,
    { status: string; resolutionReason: string | null; notes: WizNote[]; dueAt: string | null }
  >;
  faults: Faults;
}

const filterTypeNames: Record<WizKind, string> = {
  issue: "IssueFilters",
  configuration: "ConfigurationFindingFilters",
  vulnerability: "VulnerabilityFindingFilters",
};

/** The filter keys the emulation implements; any other key is refused, as Wiz refuses unknown input fields. */
const filterKeys: Record<WizKind, string[]> = {
  issue: ["id", "status", "severity", "type", "createdAt", "statusChangedAt", "project"],
  configuration: ["id", "status", "severity", "result", "analyzedAt", "resource", "rule"],
  vulnerability: [
    "id",
    "status",
    "vendorSeverity",
    "firstSeenAt",
    "projectId",
    "subscriptionExternalId",
    "vulnerabilityExternalId",
    "hasExploit",
    "hasFix",
  ],
};

function graphqlError(message: string, code = "GRAPHQL_PARSE_FAILED"): Response {
  return jsonResponse(200, { data: null, errors: [{ message, extensions: { code } }] });
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function encodeCursor(offset: number, filter: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: filter })).toString("base64url");
}

function decodeCursor(cursor: string): { offset: number; filter: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      o?: unknown;
      f?: unknown;
    };
    if (typeof value.o !== "number" || typeof value.f !== "string") return undefined;
    return { offset: value.o, filter: value.f };
  } catch {
    return undefined;
  }
}

/** The Wiz-side state of a finding: the estate's, unless a mutation changed it. */
function effective(finding: EstateFinding, kind: WizKind, context: RenderContext) {
  const override = context.overrides.get(finding.reportedBy.wiz!);
  if (override) return override;
  const rejected = kind === "vulnerability" ? "IGNORED" : "REJECTED";
  const [status, resolutionReason] = (
    {
      open: ["OPEN", null],
      in_progress: [kind === "vulnerability" ? "OPEN" : "IN_PROGRESS", null],
      resolved: ["RESOLVED", kind === "issue" ? "ISSUE_FIXED" : null],
      risk_accepted: [rejected, "EXCEPTION"],
      suppressed: [rejected, "FALSE_POSITIVE"],
    } as const
  )[finding.status];
  return {
    status: status as string,
    resolutionReason: resolutionReason as string | null,
    notes: [] as WizNote[],
    dueAt: null as string | null,
  };
}

function issueType(finding: EstateFinding): "THREAT_DETECTION" | "CLOUD_CONFIGURATION" | "TOXIC_COMBINATION" {
  if (finding.category === "threat") return "THREAT_DETECTION";
  if (finding.category === "misconfiguration" || finding.category === "compliance")
    return "CLOUD_CONFIGURATION";
  return "TOXIC_COMBINATION";
}

function wizSeverity(severity: Severity, kind: WizKind): string {
  if (severity === "info") return kind === "issue" ? "INFORMATIONAL" : "NONE";
  return severity.toUpperCase();
}

const categoryNames: Record<Category, string> = {
  misconfiguration: "Configuration Hardening",
  vulnerability: "Vulnerability Assessment",
  identity: "Identity Management",
  exposure: "Network Exposure",
  threat: "Threat Detection",
  secret: "Secret Management",
  data: "Data Security",
  compliance: "Logging and Monitoring",
  other: "General",
};

/** `stableHash` of two parts, memoized: the same rules and resources are rendered on every page. */
const cachedHash = memoize((first: string, second: string) => stableHash(first, second), 500_000);

function ruleIdFor(kind: WizKind, finding: EstateFinding, rule: EstateRule, resourceType: string): string {
  const hash = cachedHash(rule.archetype, rule.title);
  if (kind === "vulnerability") return rule.vulnerability!.cve;
  if (kind === "configuration")
    return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(12, 24)}`;
  const type = issueType(finding);
  if (type === "THREAT_DETECTION")
    return wizGuardDutyRuleId(rule, resourceType) ?? `cer-${hash.slice(0, 12)}`;
  if (type === "CLOUD_CONFIGURATION")
    return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(12, 24)}`;
  return `wc-id-${parseInt(hash.slice(0, 6), 16) % 10_000}`;
}

function subCategories(finding: EstateFinding, rule: EstateRule) {
  const categoryName = categoryNames[finding.category];
  const controls = rule.controls.map((control) => ({
    title: `${control.control} ${rule.title}`,
    category: { name: categoryName, framework: { name: control.framework } },
  }));
  return controls.length > 0
    ? controls
    : [
        {
          title: rule.title,
          category: { name: categoryName, framework: { name: "Wiz for Risk Assessment" } },
        },
      ];
}

function graphId(resource: EstateResource): string {
  const hash = cachedHash("graph", resource.id);
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-9${hash.slice(17, 20)}-${hash.slice(12, 24)}`;
}

function consoleUrl(resource: EstateResource): string {
  switch (resource.cloud) {
    case "aws":
      return `https://console.aws.amazon.com/go/view?arn=${encodeURIComponent(resource.id)}`;
    case "azure":
      return `https://portal.azure.com/#resource${resource.id}`;
    case "gcp":
      return `https://console.cloud.google.com/home/dashboard?project=${resource.accountId}`;
    case "kubernetes":
      return "";
  }
}

function projectsOf(account: EstateAccount) {
  const slug = account.projectId.replace(/^proj-/, "");
  return [
    {
      id: account.projectId,
      name: slug.charAt(0).toUpperCase() + slug.slice(1),
      slug,
      businessUnit: "",
      riskProfile: { businessImpact: account.environment === "production" ? "HBI" : "MBI" },
    },
  ];
}

function render(
  kind: WizKind,
  finding: EstateFinding,
  index: number,
  context: RenderContext,
): Record<string, unknown> {
  const resource = context.resourceOf(finding);
  const rule = context.ruleOf(finding);
  const account = context.accounts.get(resource.accountId)!;
  const state = effective(finding, kind, context);
  const node: Record<string, unknown> =
    kind === "issue"
      ? renderIssue(finding, resource, rule, account, state)
      : kind === "configuration"
        ? renderConfiguration(finding, resource, rule, account, state)
        : renderVulnerability(finding, resource, rule, account, state);
  // Every fifth configuration finding is sparse: no remediation text, no target external id.
  if (kind === "configuration" && index % 5 === 4) {
    delete node.remediation;
    delete node.targetExternalId;
  }
  if (context.faults.malformed(index)) {
    // A field changes type, as when a vendor changes shape under us (a missing one only falls back).
    const holder = (
      kind === "issue" ? node.entitySnapshot : kind === "configuration" ? node.resource : node.vulnerableAsset
    ) as Record<string, unknown>;
    holder.type = { name: holder.type };
  }
  return node;
}

type State = ReturnType<typeof effective>;

function renderIssue(
  finding: EstateFinding,
  resource: EstateResource,
  rule: EstateRule,
  account: EstateAccount,
  state: State,
) {
  const type = issueType(finding);
  const ruleId = ruleIdFor("issue", finding, rule, resource.type);
  const sourceRule =
    type === "THREAT_DETECTION"
      ? {
          __typename: "CloudEventRule",
          id: ruleId,
          name: vendorRuleName("wiz", rule, resource.type),
          cloudEventRuleDescription: rule.description,
          sourceType: "CLOUDTRAIL",
          type: "DETECTION",
        }
      : type === "CLOUD_CONFIGURATION"
        ? {
            __typename: "CloudConfigurationRule",
            id: ruleId,
            name: vendorRuleName("wiz", rule, resource.type),
            cloudConfigurationRuleDescription: rule.description,
            remediationInstructions: rule.remediation,
            serviceType: toWizCloudPlatform(resource.cloud),
            securitySubCategories: subCategories(finding, rule),
          }
        : {
            __typename: "Control",
            id: ruleId,
            name: vendorRuleName("wiz", rule, resource.type),
            controlDescription: rule.description,
            resolutionRecommendation: rule.remediation,
            securitySubCategories: subCategories(finding, rule),
          };
  const hasTags = Object.keys(resource.tags).length > 0;
  return {
    id: finding.reportedBy.wiz!,
    type,
    status: state.status,
    severity: wizSeverity(finding.severity, "issue"),
    createdAt: finding.firstSeen,
    updatedAt: finding.lastSeen,
    statusChangedAt: finding.lastSeen,
    resolvedAt: state.status === "RESOLVED" ? finding.lastSeen : null,
    dueAt: state.dueAt,
    resolutionReason: state.resolutionReason,
    sourceRule,
    entitySnapshot: {
      id: graphId(resource),
      type: resource.graphType,
      nativeType: resource.nativeType,
      name: resource.name,
      status: "Active",
      cloudPlatform: toWizCloudPlatform(resource.cloud),
      cloudProviderURL: consoleUrl(resource),
      providerId: resource.id,
      region: resource.region ?? null,
      resourceGroupExternalId: resource.cloud === "azure" ? resource.id.split("/providers/")[0] : null,
      subscriptionExternalId: account.id,
      subscriptionName: account.name,
      subscriptionTags: {},
      tags: hasTags ? { ...resource.tags } : null,
      externalId: resource.id.split(/[/:]/).at(-1) ?? resource.id,
      createdAt: resource.createdAt,
    },
    projects: projectsOf(account),
    serviceTickets: [],
    notes: state.notes,
  };
}

function renderConfiguration(
  finding: EstateFinding,
  resource: EstateResource,
  rule: EstateRule,
  account: EstateAccount,
  state: State,
) {
  const ruleId = ruleIdFor("configuration", finding, rule, resource.type);
  return {
    id: finding.reportedBy.wiz!,
    result: "FAIL",
    severity: wizSeverity(finding.severity, "configuration"),
    status: state.status,
    firstSeenAt: finding.firstSeen,
    analyzedAt: finding.lastSeen,
    updatedAt: finding.lastSeen,
    remediation: rule.remediation,
    resolutionReason: state.resolutionReason,
    targetExternalId: resource.id.split(/[/:]/).at(-1) ?? resource.id,
    targetObjectProviderUniqueId: resource.id,
    resource: {
      id: graphId(resource),
      providerId: resource.id,
      name: resource.name,
      type: resource.graphType,
      nativeType: resource.nativeType,
      region: resource.region ?? null,
      cloudPlatform: toWizCloudPlatform(resource.cloud),
      status: "Active",
      tags: Object.entries(resource.tags).map(([key, value]) => ({ key, value })),
      projects: projectsOf(account).map(({ id, name }) => ({ id, name })),
    },
    rule: {
      id: ruleId,
      shortId: `${toWizCloudPlatform(resource.cloud)}-${String(parseInt(ruleId.slice(0, 4), 16) % 1000).padStart(3, "0")}`,
      name: vendorRuleName("wiz", rule, resource.type),
      description: rule.description,
      remediationInstructions: rule.remediation,
      securitySubCategories: subCategories(finding, rule),
    },
    subscription: {
      id: graphId({ ...resource, id: account.id }),
      name: account.name,
      externalId: account.id,
      cloudProvider: toWizCloudPlatform(account.cloud),
    },
  };
}

function renderVulnerability(
  finding: EstateFinding,
  resource: EstateResource,
  rule: EstateRule,
  account: EstateAccount,
  state: State,
) {
  const vulnerability = rule.vulnerability!;
  const vendorSeverity = wizSeverity(finding.severity, "vulnerability");
  return {
    id: finding.reportedBy.wiz!,
    portalUrl: `https://app.wiz.io/explorer/vulnerability-findings#~(entity~(~'${finding.reportedBy.wiz}*2cSECURITY_TOOL_FINDING))`,
    name: vulnerability.cve,
    CVEDescription: rule.description,
    CVSSSeverity: vendorSeverity,
    score: vulnerability.cvss,
    exploitabilityScore: Math.min(3.9, Math.round(vulnerability.cvss * 3.9) / 10),
    impactScore: Math.min(6, Math.round(vulnerability.cvss * 6) / 10),
    hasExploit: vulnerability.exploitAvailable,
    hasCisaKevExploit: vulnerability.knownExploited,
    status: state.status,
    vendorSeverity,
    firstDetectedAt: finding.firstSeen,
    lastDetectedAt: finding.lastSeen,
    resolvedAt: state.status === "RESOLVED" ? finding.lastSeen : null,
    description: rule.description,
    remediation: rule.remediation,
    detailedName: vulnerability.packageName,
    version: vulnerability.installedVersion,
    fixedVersion: vulnerability.fixedVersion ?? null,
    detectionMethod: "PACKAGE",
    link: `https://nvd.nist.gov/vuln/detail/${vulnerability.cve}`,
    locationPath:
      resource.cloud === "kubernetes"
        ? `/app/node_modules/${vulnerability.packageName}`
        : `/usr/lib/${vulnerability.packageName}`,
    resolutionReason: state.resolutionReason,
    epssSeverity: vulnerability.epss >= 0.5 ? "HIGH" : vulnerability.epss >= 0.1 ? "MEDIUM" : "LOW",
    epssPercentile: Math.round(vulnerability.epss * 1000) / 10,
    epssProbability: vulnerability.epss,
    vulnerableAsset: {
      id: graphId(resource),
      type: resource.graphType,
      name: resource.name,
      region: resource.region ?? null,
      providerUniqueId: resource.id,
      cloudProviderURL: consoleUrl(resource),
      cloudPlatform: toWizCloudPlatform(resource.cloud),
      status: "Active",
      subscriptionName: account.name,
      subscriptionExternalId: account.id,
      subscriptionId: graphId({ ...resource, id: account.id }),
      tags: { ...resource.tags },
    },
  };
}

type Predicate = (finding: EstateFinding) => boolean;

const predicates: Record<WizKind, (filterBy: Record<string, unknown>, context: RenderContext) => Predicate> =
  {
    issue: (filterBy, context) => {
      const checks = commonChecks(filterBy, "issue", context, "severity");
      const types = asArray(filterBy.type);
      const projects = asArray(filterBy.project);
      const created = timeWindow(filterBy.createdAt);
      const changed = timeWindow(filterBy.statusChangedAt);
      return (finding) =>
        checks(finding) &&
        (types.length === 0 || types.includes(issueType(finding))) &&
        (projects.length === 0 ||
          projects.includes(context.accounts.get(context.resourceOf(finding).accountId)!.projectId)) &&
        created(finding.firstSeen) &&
        changed(finding.lastSeen);
    },
    configuration: (filterBy, context) => {
      const checks = commonChecks(filterBy, "configuration", context, "severity");
      const results = asArray(filterBy.result);
      const analyzed = timeWindow(filterBy.analyzedAt);
      const resourceFilter = (filterBy.resource ?? {}) as { projectId?: unknown; subscriptionId?: unknown };
      const projects = asArray(resourceFilter.projectId);
      const ruleIds = asArray((filterBy.rule as { id?: unknown } | undefined)?.id);
      return (finding) => {
        const resource = context.resourceOf(finding);
        return (
          checks(finding) &&
          (results.length === 0 || results.includes("FAIL")) &&
          analyzed(finding.lastSeen) &&
          (projects.length === 0 || projects.includes(context.accounts.get(resource.accountId)!.projectId)) &&
          (ruleIds.length === 0 ||
            ruleIds.includes(
              ruleIdFor("configuration", finding, context.ruleOf(finding), context.resourceOf(finding).type),
            ))
        );
      };
    },
    vulnerability: (filterBy, context) => {
      const checks = commonChecks(filterBy, "vulnerability", context, "vendorSeverity");
      const firstSeen = timeWindow(filterBy.firstSeenAt);
      const projects = asArray(filterBy.projectId);
      const accounts = asArray(filterBy.subscriptionExternalId);
      const cves = asArray(filterBy.vulnerabilityExternalId);
      return (finding) =>
        checks(finding) &&
        firstSeen(finding.firstSeen) &&
        (accounts.length === 0 || accounts.includes(context.resourceOf(finding).accountId)) &&
        (projects.length === 0 ||
          projects.includes(context.accounts.get(context.resourceOf(finding).accountId)!.projectId)) &&
        (cves.length === 0 || cves.includes(context.ruleOf(finding).vulnerability?.cve)) &&
        (filterBy.hasExploit === undefined ||
          context.ruleOf(finding).vulnerability?.exploitAvailable === filterBy.hasExploit) &&
        (filterBy.hasFix === undefined ||
          (context.ruleOf(finding).vulnerability?.fixedVersion !== undefined) === filterBy.hasFix);
    },
  };

function commonChecks(
  filterBy: Record<string, unknown>,
  kind: WizKind,
  context: RenderContext,
  severityKey: string,
): Predicate {
  const ids = asArray(filterBy.id);
  const statuses = asArray(filterBy.status);
  const severities = asArray(filterBy[severityKey]);
  return (finding) =>
    (ids.length === 0 || ids.includes(finding.reportedBy.wiz)) &&
    (statuses.length === 0 || statuses.includes(effective(finding, kind, context).status)) &&
    (severities.length === 0 || severities.includes(wizSeverity(finding.severity, kind)));
}

function timeWindow(value: unknown): (instant: string) => boolean {
  const range = (value ?? {}) as { after?: unknown; before?: unknown };
  const after = typeof range.after === "string" ? Date.parse(range.after) : undefined;
  const before = typeof range.before === "string" ? Date.parse(range.before) : undefined;
  return (instant) => {
    const time = Date.parse(instant);
    return (after === undefined || time >= after) && (before === undefined || time <= before);
  };
}
