import { catalogJson } from "./catalogs/frameworks.generated.js";
import type { Framework, FrameworkSource } from "./types.js";

/**
 * The compact form `scripts/generate-compliance-catalogs.ts` writes: check ids once, referred to by
 * position from the archetypes and requirements.
 */
export interface CatalogTable {
  /** Prowler check ids. */
  checks: string[];
  /** Archetype id → positions in `checks` of the Prowler checks it covers. */
  archetypes: Record<string, number[]>;
  frameworks: {
    key: string;
    name: string;
    version?: string;
    source: FrameworkSource;
    sections: string[];
    /** `[id, title, position in sections, positions in checks]`. */
    requirements: [id: string, title: string, section: number, checks: number[]][];
  }[];
}

/** The bundled catalogs, parsed on first use. */
export interface BundledCatalog {
  frameworks: readonly Framework[];
  /** Archetype id → the Prowler checks it covers. */
  archetypeChecks: ReadonlyMap<string, readonly string[]>;
}

/** Parses the generated table once and returns the bundled frameworks and the archetype → checks join. */
export function bundledCatalog(): BundledCatalog {
  if (parsed) return parsed;
  const table = JSON.parse(catalogJson) as CatalogTable;
  const checksOf = (positions: readonly number[]) => positions.map((position) => table.checks[position]!);
  parsed = {
    frameworks: table.frameworks.map((framework) => ({
      key: framework.key,
      name: framework.name,
      ...(framework.version === undefined ? {} : { version: framework.version }),
      source: framework.source,
      requirements: framework.requirements.map(([id, title, section, checks]) => ({
        id,
        title,
        section: framework.sections[section]!,
        checks: checksOf(checks),
      })),
    })),
    archetypeChecks: new Map(
      Object.entries(table.archetypes).map(([archetype, checks]) => [archetype, checksOf(checks)]),
    ),
  };
  return parsed;
}

let parsed: BundledCatalog | undefined;
