import type { Category } from "../../core/finding.js";

/** The compact form `scripts/generate-compliance-catalogs.ts` writes for the Prowler check catalog. */
export interface CheckTable {
  /** Adapter resource types (`aws.lambda.function`), referred to by position. */
  types: string[];
  /** `[check id, one-line title, position in types, Prowler severity, category]`, sorted by id. */
  checks: [id: string, title: string, type: number, severity: string, category: Category][];
}

/** One Prowler check of the catalog. */
export interface CatalogCheck {
  /** The Prowler check id: `awslambda_function_no_secrets_in_code`. */
  id: string;
  title: string;
  /** The resource type an adapter gives the check's resource: `aws.lambda.function`. */
  resourceType: string;
  /** Prowler's severity: `critical`, `high`, `medium`, `low` or `informational`. */
  severity: string;
  category: Category;
}

/** The Prowler check catalog, by id and by resource type. */
export interface CheckCatalog {
  byId: ReadonlyMap<string, CatalogCheck>;
  byResourceType: ReadonlyMap<string, readonly CatalogCheck[]>;
}

/** Loads the generated check catalog (about 100 kB) on first use, as its own chunk. */
export async function checkCatalog(): Promise<CheckCatalog> {
  if (loaded) return loaded;
  const { checksJson } = await import("./catalogs/checks.generated.js");
  const table = JSON.parse(checksJson) as CheckTable;
  const byId = new Map<string, CatalogCheck>();
  const byResourceType = new Map<string, CatalogCheck[]>();
  for (const [id, title, type, severity, category] of table.checks) {
    const check = { id, title, resourceType: table.types[type]!, severity, category };
    byId.set(id, check);
    const list = byResourceType.get(check.resourceType);
    if (list) list.push(check);
    else byResourceType.set(check.resourceType, [check]);
  }
  loaded = { byId, byResourceType };
  return loaded;
}

let loaded: CheckCatalog | undefined;
