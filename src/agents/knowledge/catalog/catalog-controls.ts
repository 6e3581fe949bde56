import type { Control } from "../../../core/finding.js";
import { frameworks } from "../controls.js";
import { catalogControlTable } from "./controls.generated.js";

/**
 * The CIS benchmark requirements that cite an archetype's Prowler checks (CIS AWS 3.0, Azure 2.0,
 * GCP 2.0, Kubernetes 1.8, the versions `frameworks` names), from the table that
 * `scripts/generate-archetype-aliases.ts` derives from the rule catalogs.
 * @example
 * catalogControls("aws-rds-multi-az-disabled"); // [] or e.g. [{ framework: "CIS AWS Foundations 3.0", control: "2.3.3" }]
 */
export function catalogControls(archetypeId: string): Control[] {
  parsed ??= parse(catalogControlTable);
  return parsed.get(archetypeId) ?? [];
}

let parsed: Map<string, Control[]> | undefined;

function parse(table: string): Map<string, Control[]> {
  const map = new Map<string, Control[]>();
  for (const group of table.split(";")) {
    const [archetype, rest] = group.split("=");
    if (!archetype || !rest) continue;
    const list: Control[] = [];
    for (const part of rest.split("|")) {
      const [key, ids] = part.split(":");
      const framework = frameworks[key as keyof typeof frameworks];
      if (!framework || !ids) continue;
      for (const control of ids.split(",")) list.push({ framework, control });
    }
    map.set(archetype, list);
  }
  return map;
}
