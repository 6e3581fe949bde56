import {
  type ArchetypeMatchFn,
  compileMatchers,
  explanationArchetypeFor,
  type MatchInput,
  matchInputOf,
} from "../../core/archetypes/match.js";
import { type ArchetypeMatcher, archetypeIds, archetypeMatchers } from "../../core/archetypes/matchers.js";
import { type Case, type DataClassification, type Environment, findingCountOf } from "../../core/case.js";
import { ConfigurationError, toErrorIssues } from "../../core/errors.js";
import type { Control, Finding, Platform, Severity } from "../../core/finding.js";
import { awsEntries } from "./archetypes/aws.js";
import { azureEntries } from "./archetypes/azure.js";
import { crossCloudEntries, genericEntry } from "./archetypes/cross.js";
import { gcpEntries } from "./archetypes/gcp.js";
import { kubernetesEntries } from "./archetypes/kubernetes.js";
import { buildCatalogEntries } from "./catalog/build.js";
import { awsRows } from "./catalog/rows-aws.js";
import { azureRows } from "./catalog/rows-azure.js";
import { gcpRows } from "./catalog/rows-gcp.js";
import { kubernetesRows } from "./catalog/rows-kubernetes.js";
import { type KnowledgeEntry, type KnowledgeEntryInput, knowledgeEntrySchema } from "./entry.js";
import { placeholdersIn, type RenderContext, renderTemplate } from "./render.js";

/** The id of the entry used when no archetype matches. */
export const GENERIC_ARCHETYPE_ID = "generic";

const handWritten: readonly KnowledgeEntry[] = [
  ...awsEntries,
  ...azureEntries,
  ...gcpEntries,
  ...kubernetesEntries,
  ...crossCloudEntries,
];

/**
 * Every built-in knowledge entry (AWS, Azure, GCP, Kubernetes, secrets, threats, vulnerabilities): the
 * hand-written archetypes, then one entry for every other archetype the matcher can return, written
 * from the catalog rows and the shared problem kinds (`catalog/`), with the CIS requirements the rule
 * catalogs map to it.
 */
export function defaultEntries(): readonly KnowledgeEntry[] {
  // Built on first call, not when `cloudsteward` is imported: the catalog makes ~870 entries.
  builtInEntries ??= [
    ...handWritten,
    ...buildCatalogEntries(
      archetypeIds,
      [...awsRows, ...azureRows, ...gcpRows, ...kubernetesRows],
      new Set(handWritten.map((entry) => entry.id)),
    ),
  ];
  return builtInEntries;
}
let builtInEntries: readonly KnowledgeEntry[] | undefined;

/** The template variables of one case, e.g. `resource.name` → `payments-exports`. */
export type TemplateVariables = Record<string, string | undefined>;

/** Everything explain needs about a case: the archetype's guidance, personalized, plus the context. */
export interface Facts {
  /** The knowledge entry used (`generic` when nothing specific matched). */
  archetypeId: string;
  /** What the matcher returned for the first finding, e.g. `cve:CVE-2021-44228`; undefined when nothing matched. */
  matchedId?: string;
  /** True when a specific archetype matched (not the generic entry). */
  specific: boolean;
  /** The entry's short name. */
  title: string;
  headline: string;
  risk: string;
  impact: string;
  /** Likely intents, most likely first. */
  intents: string[];
  remediationSteps: string[];
  /**
   * Where `remediationSteps` come from: the knowledge base, the platform's own remediation text (no
   * archetype matched), or only the rule's name (no archetype and no platform text).
   */
  remediationSource: "knowledge" | "platform" | "rule";
  snippets: { language: string; label: string; code: string }[];
  controls: Control[];
  /** Distinct framework names among `controls`. */
  frameworks: string[];
  consoleUrl?: string;
  /** The platform rule (policy) that fired. */
  policy: { id: string; name: string; platforms: Platform[] };
  resource: {
    id: string;
    name: string;
    type: string;
    region?: string;
    accountId: string;
    accountName?: string;
  };
  /** Number of distinct resources in the case. */
  resourceCount: number;
  findingCount: number;
  severity: Severity;
  owner?: string;
  team?: string;
  environment: Environment;
  dataClassification: DataClassification;
  internetExposed?: boolean;
  vulnerability?: Finding["vulnerability"];
  /** The entry's unrendered templates, for a model that writes per group with placeholders. */
  entry: KnowledgeEntry;
  /** The values the templates were filled with (untrusted: they come from the resource). */
  variables: TemplateVariables;
}

/** A set of archetypes with their matchers. */
export interface KnowledgeBase {
  /** Every entry, built-in and custom. */
  readonly entries: readonly KnowledgeEntry[];
  /** The entry with this id, if any. */
  get(archetypeId: string): KnowledgeEntry | undefined;
  /** The matched (dedup) archetype id of a finding, as `matchArchetype` computes it with this base's matchers. */
  match(input: MatchInput): string | undefined;
  /** The entry id that explains a case: a specific archetype, or `generic`. */
  archetypeFor(item: Case): string;
  /** The archetype's guidance, personalized with the case's resource, owner, environment and data classification. */
  factsFor(item: Case): Facts;
}

/**
 * Builds a knowledge base from entries. Later entries replace earlier ones with the same id, so
 * `createKnowledgeBase([...defaultEntries(), myEntry])` extends or overrides the defaults. Entries
 * with a `match` are recognised before the built-in keyword matchers.
 * @throws ConfigurationError naming the first invalid entry.
 * @example
 * const knowledge = createKnowledgeBase([
 *   ...defaultEntries(),
 *   { id: "acme-tagging", title: "Missing cost tags", headline: "{{resource.name}} has no cost-center tag", …, match: { resourceTypes: ["*"], keywords: [["cost-center"]] } },
 * ]);
 */
export function createKnowledgeBase(entries: readonly KnowledgeEntryInput[]): KnowledgeBase {
  const byId = new Map<string, KnowledgeEntry>();
  const customMatchers: ArchetypeMatcher[] = [];
  entries.forEach((input, index) => {
    const { match, ...entry } = input;
    const parsed = knowledgeEntrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = toErrorIssues(parsed.error.issues)[0];
      throw new ConfigurationError(
        `knowledge entry ${index} (${String(entry.id)}) is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}. Fix the entry or leave it out.`,
        { option: `entries[${index}]`, cause: parsed.error },
      );
    }
    byId.set(parsed.data.id, parsed.data);
    if (match) customMatchers.push({ ...match, id: parsed.data.id });
  });
  // Custom matchers are tried before every built-in one, whatever their resource types.
  const match: ArchetypeMatchFn = compileMatchers(archetypeMatchers, { before: customMatchers });

  const archetypeOf = (item: Case): { matchedId?: string; archetypeId: string } => {
    const first = item.findings[0] as Finding;
    const matchedId = match(matchInputOf(first));
    if (!matchedId) return { archetypeId: GENERIC_ARCHETYPE_ID };
    let explained = explanationArchetypeFor(matchedId, {
      severity: item.severity,
      exploitAvailable: item.findings.some((finding) => finding.vulnerability?.exploitAvailable),
      knownExploited: item.findings.some((finding) => finding.vulnerability?.knownExploited),
    });
    // A vulnerability the platform reported without its package (or without a CVE) gets steps that
    // say where to look it up, instead of "upgrade the affected package".
    if (explained === "vulnerable-package" || explained === "exploitable-critical-cve") {
      if (!first.vulnerability?.cve?.trim()) explained = "vulnerability-unidentified";
      else if (!first.vulnerability.packageName?.trim()) explained = "cve-package-unidentified";
    }
    return { matchedId, archetypeId: byId.has(explained) ? explained : GENERIC_ARCHETYPE_ID };
  };

  return {
    entries: [...byId.values()],
    get: (archetypeId) => byId.get(archetypeId),
    match,
    archetypeFor: (item) => archetypeOf(item).archetypeId,
    factsFor(item) {
      const { matchedId, archetypeId } = archetypeOf(item);
      const entry = byId.get(archetypeId) ?? genericEntry;
      return buildFacts(item, entry, matchedId);
    },
  };
}

/**
 * The built-in knowledge base: more than 850 archetypes across AWS, Azure, GCP and Kubernetes
 * (storage, identity, network, compute, databases, logging, keys, containers, serverless, secrets),
 * detected threats and vulnerabilities, with control mappings.
 */
export const defaultKnowledge: KnowledgeBase = {
  get entries() {
    return builtIn().entries;
  },
  get: (archetypeId) => builtIn().get(archetypeId),
  match: (input) => builtIn().match(input),
  archetypeFor: (item) => builtIn().archetypeFor(item),
  factsFor: (item) => builtIn().factsFor(item),
};

/** The template variables of a case: its first resource, owner, environment and data classification. */
export function templateVariables(item: Case): TemplateVariables {
  const first = item.findings[0] as Finding;
  const { resource, vulnerability } = first;
  const context = item.context;
  return {
    "resource.id": resource.id,
    "resource.shortId": shortIdOf(resource.id) || resource.name,
    "resource.name": resource.name || resource.id,
    "resource.type": resource.type,
    "resource.region": resource.region,
    "resource.accountId": resource.accountId,
    "resource.accountName": resource.accountName ?? resource.accountId,
    owner: context?.owner?.value ?? context?.team?.value,
    environment: context?.environment?.value,
    dataClassification: context?.dataClassification?.value,
    "rule.name": first.rule.name,
    "vulnerability.cve": vulnerability?.cve,
    "vulnerability.packageName": vulnerability?.packageName,
    "vulnerability.installedVersion": vulnerability?.installedVersion,
    "vulnerability.fixedVersion": vulnerability?.fixedVersion,
  };
}

/** Every placeholder name templates may use. */
export const templateVariableNames: readonly string[] = [
  "resource.id",
  "resource.shortId",
  "resource.name",
  "resource.type",
  "resource.region",
  "resource.accountId",
  "resource.accountName",
  "owner",
  "environment",
  "dataClassification",
  "rule.name",
  "vulnerability.cve",
  "vulnerability.packageName",
  "vulnerability.installedVersion",
  "vulnerability.fixedVersion",
];

/**
 * Fills a template for a case: prose (`text`), a URL (`url`), or a snippet language (`bash`,
 * `hcl`, `json`, `yaml`…), escaping the untrusted values for that context; missing values read as
 * placeholders such as `<region>`.
 */
export function personalize(
  template: string,
  variables: TemplateVariables,
  context: RenderContext = "text",
): string {
  return renderTemplate(template, variables, context, context === "text" ? proseDefaults : snippetDefaults);
}

const snippetDefaults: Record<string, string> = {
  "resource.region": "<region>",
  owner: "<owner>",
  environment: "<environment>",
  dataClassification: "<classification>",
  "vulnerability.cve": "<cve>",
  "vulnerability.packageName": "<package>",
  "vulnerability.installedVersion": "<installed-version>",
  "vulnerability.fixedVersion": "<fixed-version>",
};

const proseDefaults: Record<string, string> = {
  "resource.region": "its region",
  owner: "the resource owner",
  environment: "an unknown environment",
  dataClassification: "unclassified",
  "vulnerability.cve": "a known vulnerability",
  "vulnerability.packageName": "the affected package",
  "vulnerability.installedVersion": "(installed version)",
  "vulnerability.fixedVersion": "a fixed version",
};

function buildFacts(item: Case, entry: KnowledgeEntry, matchedId: string | undefined): Facts {
  const first = item.findings[0] as Finding;
  const variables = templateVariables(item);
  const text = (template: string) => personalize(template, variables);
  const named = namesResource(first.resource);
  const controls = entry.controls.length > 0 ? entry.controls : uniqueControls(item.findings);
  const generic = entry.id === GENERIC_ARCHETYPE_ID;
  const platformText = first.rule.remediation?.trim();
  const remediationSource = !generic ? "knowledge" : platformText ? "platform" : "rule";
  const consoleUrl =
    entry.consoleUrl && hasAll(entry.consoleUrl, variables)
      ? personalize(entry.consoleUrl, variables, "url")
      : first.source.url;
  return {
    archetypeId: entry.id,
    matchedId,
    specific: entry.id !== GENERIC_ARCHETYPE_ID,
    title: entry.title,
    // Every explanation names its resource: an entry written about the account (or a custom entry)
    // that leaves the resource out gets its name added.
    headline: withName(
      text(entry.headline),
      named,
      (headline) => `${headline} (${variables["resource.name"]})`,
    ),
    risk: text(entry.risk),
    impact: text(entry.impact),
    intents: entry.intents.map(text),
    remediationSteps:
      remediationSource === "platform"
        ? [
            `Platform guidance for “${first.rule.name}” (${platformNames(item)}, not from the knowledge base): ${platformText}`,
          ]
        : stepsNaming(entry.remediation.map(text), named, variables["resource.name"] ?? ""),
    remediationSource,
    snippets: entry.snippets.map((snippet) => ({
      language: snippet.language,
      label: snippet.label,
      code: personalize(snippet.code, variables, snippet.language),
    })),
    controls,
    frameworks: [...new Set(controls.map((control) => control.framework))],
    consoleUrl,
    policy: { id: first.rule.id, name: first.rule.name, platforms: item.platforms },
    resource: {
      id: first.resource.id,
      name: first.resource.name || first.resource.id,
      type: first.resource.type,
      region: first.resource.region,
      accountId: first.resource.accountId,
      accountName: first.resource.accountName,
    },
    resourceCount: item.resourceCount ?? new Set(item.findings.map((finding) => finding.resource.id)).size,
    findingCount: findingCountOf(item),
    severity: item.severity,
    owner: item.context?.owner?.value ?? item.context?.team?.value,
    team: item.context?.team?.value,
    environment: item.context?.environment?.value ?? "unknown",
    dataClassification: item.context?.dataClassification?.value ?? "unknown",
    internetExposed: item.context?.internetExposed?.value,
    vulnerability: first.vulnerability,
    entry,
    variables,
  };
}

/**
 * The last segment of a resource id, which CLIs take as the identifier: `sg-0a1b…` from an EC2 ARN,
 * the bucket from `arn:aws:s3:::bucket`, the user from `arn:aws:iam::…:user/jdoe`, the name from an
 * Azure resource id or a GCP full name.
 */
function shortIdOf(id: string): string {
  const trimmed = id.trim().replace(/\/+$/, "");
  const afterSlash = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return afterSlash.slice(afterSlash.lastIndexOf(":") + 1);
}

/** A test for text that names a resource: its display name, its id or the id's last segment. */
function namesResource(resource: Finding["resource"]): (text: string) => boolean {
  const candidates = [resource.name, resource.id, shortIdOf(resource.id)].filter(
    (value) => value.trim() !== "",
  );
  return (text) => candidates.length === 0 || candidates.some((value) => text.includes(value));
}

function withName(text: string, named: (text: string) => boolean, add: (text: string) => string): string {
  return named(text) ? text : add(text);
}

/** Steps of which at least one names the resource: the first is prefixed with it when none does. */
function stepsNaming(steps: string[], named: (text: string) => boolean, name: string): string[] {
  if (name === "" || steps.some(named)) return steps;
  const [first, ...rest] = steps;
  return [`For ${name}: ${first ?? ""}`, ...rest];
}

function platformNames(item: Case): string {
  return item.platforms.length > 0 ? item.platforms.join(", ") : "the platform";
}

function hasAll(template: string, variables: TemplateVariables): boolean {
  return placeholdersIn(template).every((name) => Boolean(variables[name]));
}

function uniqueControls(findings: readonly Finding[]): Control[] {
  const seen = new Map<string, Control>();
  for (const finding of findings) {
    for (const control of finding.rule.controls)
      seen.set(`${control.framework}\u0000${control.control}`, control);
  }
  return [...seen.values()];
}

// The built-in base is validated and compiled on first use, not when `cloudsteward` is imported.
let defaultBase: KnowledgeBase | undefined;
function builtIn(): KnowledgeBase {
  defaultBase ??= createKnowledgeBase(defaultEntries());
  return defaultBase;
}
