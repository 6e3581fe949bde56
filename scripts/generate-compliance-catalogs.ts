/**
 * Regenerates `src/agents/compliance/catalogs/frameworks.generated.ts`, the framework catalogs the
 * compliance agent ships, from `../shared/reference/catalogs` (Prowler's compliance files; see
 * PROVENANCE.md there and NOTICE):
 *
 * - per framework: its name, version and source, its sections, and per requirement the id, a one-line
 *   title, its section and the Prowler checks that assess it;
 * - per archetype: the Prowler checks it covers — the archetype the built-in matcher gives each check
 *   from its id, title and the resource type an adapter gives it (`test/__fixtures__/catalogs/rule-names.json`,
 *   written by `scripts/generate-archetype-aliases.ts`), so a finding reaches requirements through its
 *   archetype.
 *
 * It also writes `src/agents/compliance/catalogs/checks.generated.ts`, the Prowler check catalog policy
 * annexes read: per check its id, one-line title, severity (`prowler-checks.jsonl`), category and that
 * same adapter resource type.
 *
 * PCI DSS 4.0 comes as one entry per provider and Prowler sub-id (`1.2.5.1`); they are merged into the
 * real requirement (`1.2.5`), titled by its section text.
 *
 * Usage: `npx tsx scripts/generate-compliance-catalogs.ts [--catalogs <dir>] [--check]`
 * (`--check` exits 1 when the committed file differs from a fresh generation, and writes nothing).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CatalogTable } from "../src/agents/compliance/catalog-table.js";
import type { CheckTable } from "../src/agents/compliance/check-catalog.js";
import { isFallbackArchetype, matchArchetype } from "../src/core/archetypes/match.js";
import type { Category } from "../src/core/finding.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const catalogsOption = args.indexOf("--catalogs");
const catalogs = resolve(
  root,
  catalogsOption >= 0 ? args[catalogsOption + 1]! : "../shared/reference/catalogs",
);
const target = join(root, "src/agents/compliance/catalogs/frameworks.generated.ts");
const checksTarget = join(root, "src/agents/compliance/catalogs/checks.generated.ts");

/** The bundled frameworks: catalog file → the key users name it by. */
const bundled: [file: string, key: string][] = [
  ["soc2.json", "soc2"],
  ["iso27001-2022.json", "iso27001-2022"],
  ["pci-dss-4.0.json", "pci-dss-4.0"],
  ["hipaa.json", "hipaa"],
  ["nist-800-53-rev5.json", "nist-800-53-r5"],
  ["nist-csf-2.0.json", "nist-csf-2.0"],
  ["cis-aws-foundations-7.0.json", "cis-aws-7.0"],
  ["cis-azure-foundations-6.0.json", "cis-azure-6.0"],
  ["cis-gcp-foundations-5.0.json", "cis-gcp-5.0"],
  ["cis-kubernetes-2.0.1.json", "cis-kubernetes-2.0.1"],
];

interface SourceRequirement {
  id: string;
  title: string;
  section: string;
  pciRequirement?: string;
  /** Set on PCI DSS entries only (one per provider and Prowler sub-id). */
  provider?: string;
  checks: Record<string, string[]>;
}

interface SourceFramework {
  framework: string;
  name: string;
  version: string | null;
  source: { repository: string; paths: string[]; commit: string; license: string };
  requirements: SourceRequirement[];
}

function main(): void {
  const checkIndex = new Map<string, number>();
  const indexOf = (check: string): number => {
    let index = checkIndex.get(check);
    if (index === undefined) {
      index = checkIndex.size;
      checkIndex.set(check, index);
    }
    return index;
  };

  const frameworks: CatalogTable["frameworks"] = bundled.map(([file, key]) => {
    const source = JSON.parse(readFileSync(join(catalogs, "frameworks", file), "utf8")) as SourceFramework;
    const merged = new Map<string, { title: string; section: string; checks: Set<string> }>();
    for (const requirement of source.requirements) {
      const pci =
        requirement.provider === undefined
          ? undefined
          : (requirement.pciRequirement ??
            /^([A-Z]?[\d.]+?):/.exec(requirement.section)?.[1] ??
            requirement.id);
      const id = pci ?? requirement.id;
      const entry = merged.get(id) ?? {
        title: pci ? requirement.section.replace(/^[A-Z]?[\d.]+:\s*/, "") : requirement.title,
        section: pci ? `Requirement ${pci.split(".")[0]}` : requirement.section,
        checks: new Set<string>(),
      };
      for (const checks of Object.values(requirement.checks))
        for (const check of checks) entry.checks.add(check);
      merged.set(id, entry);
    }
    const sections = [...new Set([...merged.values()].map((entry) => entry.section))];
    return {
      key,
      name: source.framework,
      version: source.version ?? undefined,
      source: {
        repository: source.source.repository,
        paths: source.source.paths,
        commit: source.source.commit,
        license: source.source.license,
      },
      sections,
      requirements: [...merged].map(([id, entry]) => [
        id,
        entry.title,
        sections.indexOf(entry.section),
        [...entry.checks].sort().map(indexOf),
      ]),
    };
  });

  const names = JSON.parse(
    readFileSync(join(root, "test/__fixtures__/catalogs/rule-names.json"), "utf8"),
  ) as { prowler: [string, string, string, string, Category][] };
  const archetypes: Record<string, number[]> = {};
  for (const [, checkId, title, resourceType, category] of names.prowler) {
    const archetype = matchArchetype({
      platform: "prowler",
      ruleId: checkId,
      ruleName: title,
      title,
      category,
      resourceType,
    });
    if (!archetype || isFallbackArchetype(archetype) || archetype.startsWith("cve:")) continue;
    archetypes[archetype] = [...(archetypes[archetype] ?? []), indexOf(checkId)];
  }
  const sortedArchetypes = Object.fromEntries(
    Object.entries(archetypes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([archetype, checks]) => [archetype, checks.sort((a, b) => a - b)]),
  );

  const table: CatalogTable = { checks: [...checkIndex.keys()], archetypes: sortedArchetypes, frameworks };
  const text = `${header}\n/** The bundled framework catalogs (JSON of a \`CatalogTable\`); parsed by \`bundledFrameworks\`. */\nexport const catalogJson: string = ${chunked(JSON.stringify(table))};\n`;

  const checksText = `${header}\n/** The Prowler check catalog (JSON of a \`CheckTable\`); parsed by \`checkCatalog\`. */\nexport const checksJson: string = ${chunked(JSON.stringify(checkTable(names.prowler)))};\n`;
  const outputs: [file: string, text: string][] = [
    [target, text],
    [checksTarget, checksText],
  ];

  if (args.includes("--check")) {
    for (const [file, content] of outputs) {
      const formatted = execFileSync("npx", ["biome", "format", `--stdin-file-path=${file}`], {
        cwd: root,
        input: content,
        encoding: "utf8",
      });
      if (formatted !== readFileSync(file, "utf8")) {
        console.error(`${file} is out of step with ${catalogs}: run scripts/generate-compliance-catalogs.ts`);
        process.exit(1);
      }
    }
    console.log("frameworks.generated.ts and checks.generated.ts are in step with the catalogs.");
    return;
  }
  for (const [file, content] of outputs) {
    writeFileSync(file, content);
    execFileSync("npx", ["biome", "format", "--write", file], { cwd: root, stdio: "ignore" });
  }
  const requirementCount = frameworks.reduce((sum, framework) => sum + framework.requirements.length, 0);
  console.log(
    `${frameworks.length} frameworks, ${requirementCount} requirements, ${checkIndex.size} checks, ${Object.keys(sortedArchetypes).length} archetypes with checks.`,
  );
}

/** Every Prowler check with its title, severity, category and adapter resource type, sorted by id. */
function checkTable(prowler: readonly [string, string, string, string, Category][]): CheckTable {
  const severityOf = new Map<string, string>();
  for (const line of readFileSync(join(catalogs, "prowler-checks.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const check = JSON.parse(line) as { CheckID: string; Severity: string };
    severityOf.set(check.CheckID, check.Severity);
  }
  const types: string[] = [];
  const typeIndex = new Map<string, number>();
  const checks = [...prowler]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([, id, title, resourceType, category]): CheckTable["checks"][number] => {
      let index = typeIndex.get(resourceType);
      if (index === undefined) {
        index = types.length;
        types.push(resourceType);
        typeIndex.set(resourceType, index);
      }
      return [id, title, index, severityOf.get(id) ?? "medium", category];
    });
  return { types, checks };
}

/** A long string as an array of pieces of about 100 characters joined at load (a `+` chain this long strains tsc). */
function chunked(text: string): string {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += 96)
    pieces.push(`  ${JSON.stringify(text.slice(index, index + 96))},`);
  return `[\n${pieces.join("\n")}\n].join("")`;
}

const header =
  "// Generated by scripts/generate-compliance-catalogs.ts from the rule catalogs; do not edit by hand.";

main();
