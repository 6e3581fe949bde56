import { aliasTable } from "./aliases.generated.js";
import { aliasKey } from "./text.js";

/**
 * The built-in alias table: rule identifiers from public rule catalogs that name an archetype on any
 * platform — Prowler check ids, AWS Security Hub control ids (`S3.8`), AWS Config rule names
 * (`s3-bucket-public-read-prohibited`) and Lacework policy ids (`LW_S3_1`, `lacework-global-72`), keyed
 * by `aliasKey`. Generated from the catalogs by `scripts/generate-archetype-aliases.ts`; parsed on
 * first use.
 * @example
 * builtInAliases().get(aliasKey("S3.8")); // "aws-s3-block-public-access-disabled"
 */
export function builtInAliases(): ReadonlyMap<string, string> {
  parsed ??= parseAliasTable(aliasTable);
  return parsed;
}

/**
 * Parses the generated table's compact form, `archetype:key key key;archetype:key…`, into a map
 * from each key (already an `aliasKey`) to its archetype id.
 */
export function parseAliasTable(table: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of table.split(";")) {
    const colon = group.indexOf(":");
    if (colon <= 0) continue;
    const archetype = group.slice(0, colon);
    for (const key of group.slice(colon + 1).split(" ")) if (key) map.set(aliasKey(key), archetype);
  }
  return map;
}

let parsed: Map<string, string> | undefined;
