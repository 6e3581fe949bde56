import { isFallbackArchetype } from "../../core/archetypes/match.js";
import type { Finding, Resource } from "../../core/finding.js";
import type { Store } from "../../core/store.js";
import { escapeMarkdown } from "../../sinks/render/markdown.js";
import { defaultKnowledge, type KnowledgeBase } from "../knowledge/knowledge-base.js";
import { type CatalogCheck, checkCatalog } from "./check-catalog.js";
import { bundledFrameworks } from "./framework.js";
import type { Framework } from "./types.js";

/** A resource of the estate as annexes need it: its type and an id to show as the first example. */
export type AnnexResource = Pick<Resource, "type" | "id">;

/** Options of {@link policyAnnexes}. */
export interface PolicyAnnexOptions {
  /** The estate's findings; their resources' types are what is looked at. */
  findings?: Iterable<Finding> | AsyncIterable<Finding>;
  /** A resource inventory, with or without findings. */
  resources?: Iterable<AnnexResource> | AsyncIterable<AnnexResource>;
  /** Where the resource types and services already seen are kept (namespace `namespace`). */
  store: Store;
  /** Explains checks through archetypes. @default defaultKnowledge */
  knowledge?: KnowledgeBase;
  /** Bundled framework keys or frameworks of your own whose requirements are listed. @default every bundled framework */
  frameworks?: readonly (string | Framework)[];
  /** The store namespace of the types and services seen. @default "compliance-annex-seen" */
  namespace?: string;
  /**
   * Record the types and services without drafting annexes: the first run over an estate that
   * already exists, where every type would otherwise be "new". @default false
   */
  baseline?: boolean;
  /** The instant recorded as first seen. @default now */
  at?: Date | string;
  /**
   * Writes the annex's Markdown from the same facts (a model). Its text is used only when every
   * snake_case id in it is a catalog check or a requirement id of the frameworks; otherwise the
   * template stays and `warnings` names the ids.
   */
  draft?: (facts: PolicyAnnexFacts) => Promise<string>;
}

/** A catalog check that applies to the new resource type. */
export interface AnnexCheck {
  id: string;
  title: string;
  severity: string;
  /** The resource type the catalog gives the check (another type of the same service when `match` is `service`). */
  resourceType: string;
  /** The knowledge-base archetype that explains the check, if any. */
  archetype?: string;
}

/** A framework requirement that cites one of the checks (or, for a framework of your own, a covering archetype). */
export interface AnnexRequirement {
  framework: string;
  frameworkName: string;
  requirement: string;
  title: string;
  section: string;
  /** The checks (or archetypes) through which it applies. */
  through: string[];
}

/** A knowledge-base archetype that explains some of the checks. */
export interface AnnexCoverage {
  archetype: string;
  title: string;
  checks: string[];
}

/** Something the knowledge base does not cover: a check no archetype explains, or a type with no catalog check. */
export interface AnnexGap {
  /** A check id, or the resource type itself. */
  id: string;
  title: string;
  reason: string;
}

/** The facts of one annex, as {@link PolicyAnnexOptions.draft} receives them. */
export interface PolicyAnnexFacts {
  /** `aws.lambda.function`. */
  resourceType: string;
  /** `<cloud>.<service>`: `aws.lambda`. */
  service: string;
  /** True when the service too was seen for the first time. */
  newService: boolean;
  firstSeen: string;
  /** The first resource of the type seen. */
  example: string;
  /** Resources of the type in this run. */
  resources: number;
  /** `type`: checks of this exact resource type; `service`: none exist, so the service's checks; `none`: the catalog has neither. */
  match: "type" | "service" | "none";
  checks: AnnexCheck[];
  requirements: AnnexRequirement[];
  covered: AnnexCoverage[];
  gaps: AnnexGap[];
}

/** A drafted annex: its facts and its Markdown. */
export interface PolicyAnnex extends PolicyAnnexFacts {
  markdown: string;
  /** `model` when `draft` wrote the Markdown and it passed the id check. */
  draftedBy: "template" | "model";
}

/** What {@link policyAnnexes} found. */
export interface PolicyAnnexResult {
  /** Resource types seen for the first time, sorted. */
  newTypes: string[];
  /** Services (`<cloud>.<service>`) seen for the first time, sorted. */
  newServices: string[];
  /** One per new type (none with `baseline`). */
  annexes: PolicyAnnex[];
  /** Model drafts that were set aside, and why. */
  warnings: string[];
}

/**
 * Finds the resource types and services that appear in the estate for the first time and drafts a
 * policy annex for each: the Prowler checks of the catalog that apply, the framework requirements that
 * cite them, what the knowledge base explains and what it does not. The types seen are kept in the
 * store, so a type is new once, across runs and processes.
 * @example
 * const { annexes } = await policyAnnexes({ findings, store, frameworks: ["soc2", "cis-aws-7.0"] });
 * for (const annex of annexes) await writeFile(`annex-${annex.resourceType}.md`, annex.markdown);
 */
export async function policyAnnexes(options: PolicyAnnexOptions): Promise<PolicyAnnexResult> {
  const namespace = options.namespace ?? "compliance-annex-seen";
  const firstSeen = new Date(options.at ?? Date.now()).toISOString();
  const seen = new Map<string, { example: string; resources: Set<string> }>();
  const note = (resource: AnnexResource) => {
    const entry = seen.get(resource.type);
    if (entry) entry.resources.add(resource.id);
    else seen.set(resource.type, { example: resource.id, resources: new Set([resource.id]) });
  };
  for await (const finding of options.findings ?? []) note(finding.resource);
  for await (const resource of options.resources ?? []) note(resource);

  const newTypes: string[] = [];
  const newServices = new Set<string>();
  for (const type of [...seen.keys()].sort()) {
    const service = serviceOf(type);
    const record = { firstSeen, example: seen.get(type)!.example };
    if (await options.store.setIfAbsent(namespace, `service:${service}`, record)) newServices.add(service);
    if (await options.store.setIfAbsent(namespace, `type:${type}`, record)) newTypes.push(type);
  }
  const result: PolicyAnnexResult = { newTypes, newServices: [...newServices], annexes: [], warnings: [] };
  if (options.baseline || newTypes.length === 0) return result;

  const catalog = await checkCatalog();
  const knowledge = options.knowledge ?? defaultKnowledge;
  const frameworks =
    options.frameworks === undefined
      ? bundledFrameworks()
      : options.frameworks.map((framework) =>
          typeof framework === "string" ? bundledFrameworks([framework])[0]! : framework,
        );
  const knownIds = new Set(catalog.byId.keys());
  for (const framework of frameworks)
    for (const requirement of framework.requirements) knownIds.add(requirement.id);

  for (const type of newTypes) {
    const entry = seen.get(type)!;
    const service = serviceOf(type);
    const [match, catalogChecks] = checksFor(type, catalog.byResourceType);
    const checks: AnnexCheck[] = catalogChecks.map((check) => {
      const archetype = knowledge.match({
        platform: "prowler",
        ruleId: check.id,
        ruleName: check.title,
        title: check.title,
        category: check.category,
        resourceType: check.resourceType,
      });
      const explained = archetype !== undefined && knowledge.get(archetype) !== undefined;
      return {
        id: check.id,
        title: check.title,
        severity: check.severity,
        resourceType: check.resourceType,
        ...(explained && !isFallbackArchetype(archetype) && !archetype.startsWith("cve:")
          ? { archetype }
          : {}),
      };
    });
    const facts: PolicyAnnexFacts = {
      resourceType: type,
      service,
      newService: newServices.has(service),
      firstSeen,
      example: entry.example,
      resources: entry.resources.size,
      match,
      checks,
      requirements: requirementsFor(checks, frameworks),
      covered: coverageOf(checks, knowledge),
      gaps: gapsOf(type, checks),
    };
    let markdown = annexMarkdown(facts);
    let draftedBy: PolicyAnnex["draftedBy"] = "template";
    if (options.draft) {
      try {
        const written = await options.draft(facts);
        const unknown = unknownIds(written, knownIds);
        if (unknown.length === 0 && written.trim() !== "") {
          markdown = written;
          draftedBy = "model";
        } else
          result.warnings.push(
            `annex ${type}: the drafted text names ids that are neither catalog checks nor requirements (${unknown.slice(0, 5).join(", ")}); the template is kept`,
          );
      } catch (error) {
        result.warnings.push(
          `annex ${type}: drafting failed (${(error as Error).message}); the template is kept`,
        );
      }
    }
    result.annexes.push({ ...facts, markdown, draftedBy });
  }
  return result;
}

/**
 * The Markdown annex of a new resource type, from its facts alone.
 * @example
 * annexMarkdown(annex); // "# Policy annex: aws.lambda.function\n…"
 */
export function annexMarkdown(facts: PolicyAnnexFacts): string {
  const lines: string[] = [`# Policy annex: ${code(facts.resourceType)}`, ""];
  lines.push(
    `First seen ${facts.firstSeen} (${code(facts.example)}; ${count(facts.resources, "resource")} of the type in that run).` +
      (facts.newService ? ` The service ${code(facts.service)} is new to the estate too.` : ""),
    "",
  );

  lines.push("## Checks that apply", "");
  if (facts.match === "none")
    lines.push(
      "The check catalog has no check for this resource type or its service: nothing assesses it yet.",
      "",
    );
  else {
    lines.push(
      facts.match === "type"
        ? `${count(facts.checks.length, "Prowler check")} of the catalog assess this resource type.`
        : `The catalog has no check for this exact type; ${count(facts.checks.length, "check")} of the service ${code(facts.service)} may apply.`,
      "",
      "| Check | Title | Severity | Knowledge base |",
      "| --- | --- | --- | --- |",
      ...facts.checks.map(
        (check) =>
          `| ${code(check.id)} | ${cell(check.title)} | ${check.severity} | ${check.archetype ? code(check.archetype) : "not covered"} |`,
      ),
      "",
    );
  }

  lines.push("## Requirements that apply", "");
  if (facts.requirements.length === 0)
    lines.push("No requirement of the selected frameworks cites these checks.", "");
  else {
    const byFramework = new Map<string, AnnexRequirement[]>();
    for (const requirement of facts.requirements)
      byFramework.set(requirement.frameworkName, [
        ...(byFramework.get(requirement.frameworkName) ?? []),
        requirement,
      ]);
    lines.push(
      `${count(facts.requirements.length, "requirement")} of ${count(byFramework.size, "framework")} cite these checks.`,
      "",
    );
    for (const [name, requirements] of byFramework) {
      lines.push(`### ${cell(name)}`, "", "| Requirement | Title | Through |", "| --- | --- | --- |");
      for (const requirement of requirements)
        lines.push(
          `| ${code(requirement.requirement)} | ${cell(requirement.title)} | ${requirement.through.map(code).join(", ")} |`,
        );
      lines.push("");
    }
  }

  lines.push("## What the knowledge base covers", "");
  if (facts.covered.length === 0) lines.push("No knowledge-base archetype explains these checks.", "");
  else
    lines.push(
      ...facts.covered.map(
        (coverage) =>
          `- ${cell(coverage.title)} (${code(coverage.archetype)}): ${coverage.checks.map(code).join(", ")}`,
      ),
      "",
    );

  lines.push("## What it does not cover", "");
  if (facts.gaps.length === 0) lines.push("Every check has a knowledge-base explanation.", "");
  else lines.push(...facts.gaps.map((gap) => `- ${code(gap.id)} ${cell(gap.title)}: ${gap.reason}`), "");

  lines.push(
    "## For the policy owner",
    "",
    `- Name the owner of ${code(facts.resourceType)} resources and add the type to the policy's scope.`,
    facts.checks.length > 0
      ? `- Confirm the scanner runs the ${count(facts.checks.length, "check")} above: a requirement is only as strong as the scanning behind it.`
      : "- Decide how the type is assessed: no catalog check covers it, so its requirements stay not assessed.",
  );
  if (facts.gaps.length > 0)
    lines.push(
      `- Write guidance for the ${count(facts.gaps.length, "item")} the knowledge base does not cover, or accept them as they are.`,
    );
  return `${lines.join("\n")}\n`;
}

// --- Internal helpers ---------------------------------------------------------------------------------

/** `aws.lambda.function` → `aws.lambda`; `kubernetes.pod` → `kubernetes.pod`. */
function serviceOf(type: string): string {
  return type.split(".").slice(0, 2).join(".");
}

function checksFor(
  type: string,
  byResourceType: ReadonlyMap<string, readonly CatalogCheck[]>,
): [PolicyAnnexFacts["match"], readonly CatalogCheck[]] {
  const exact = byResourceType.get(type);
  if (exact) return ["type", exact];
  const prefix = `${serviceOf(type)}.`;
  const service = [...byResourceType]
    .filter(([other]) => other.startsWith(prefix))
    .flatMap(([, checks]) => checks);
  return service.length > 0 ? ["service", service] : ["none", []];
}

function requirementsFor(
  checks: readonly AnnexCheck[],
  frameworks: readonly Framework[],
): AnnexRequirement[] {
  const checkIds = new Set(checks.map((check) => check.id));
  const archetypes = new Set(checks.flatMap((check) => (check.archetype ? [check.archetype] : [])));
  const requirements: AnnexRequirement[] = [];
  for (const framework of frameworks)
    for (const requirement of framework.requirements) {
      const through = [
        ...requirement.checks.filter((check) => checkIds.has(check)),
        ...(requirement.rules ?? []).filter((rule) => checkIds.has(rule)),
        ...(requirement.archetypes ?? []).filter((archetype) => archetypes.has(archetype)),
      ];
      if (through.length > 0)
        requirements.push({
          framework: framework.key,
          frameworkName: framework.name,
          requirement: requirement.id,
          title: requirement.title,
          section: requirement.section,
          through: [...new Set(through)],
        });
    }
  return requirements;
}

function coverageOf(checks: readonly AnnexCheck[], knowledge: KnowledgeBase): AnnexCoverage[] {
  const byArchetype = new Map<string, string[]>();
  for (const check of checks)
    if (check.archetype)
      byArchetype.set(check.archetype, [...(byArchetype.get(check.archetype) ?? []), check.id]);
  return [...byArchetype].map(([archetype, ids]) => ({
    archetype,
    title: knowledge.get(archetype)!.title,
    checks: ids,
  }));
}

function gapsOf(type: string, checks: readonly AnnexCheck[]): AnnexGap[] {
  if (checks.length === 0)
    return [
      {
        id: type,
        title: "the resource type",
        reason: "no catalog check assesses it and no archetype explains it",
      },
    ];
  return checks
    .filter((check) => check.archetype === undefined)
    .map((check) => ({
      id: check.id,
      title: check.title,
      reason: "no knowledge-base archetype explains it or its fix",
    }));
}

/** snake_case ids of three parts or more (the shape of Prowler checks and of ids like `cc_6_1`) that are not known. */
function unknownIds(text: string, known: ReadonlySet<string>): string[] {
  const unknown = new Set<string>();
  for (const [id] of text.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}\b/g))
    if (!known.has(id)) unknown.add(id);
  return [...unknown];
}

function code(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}

function cell(value: string): string {
  return escapeMarkdown(value).replace(/\n/g, " ");
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString("en-US")} ${noun}${value === 1 ? "" : "s"}`;
}
