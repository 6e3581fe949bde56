import type { Warning } from "../../core/report.js";
import type { FindingQuery } from "../../core/source.js";

/**
 * One `unsupported` warning per requested query filter that some of the selected finding families cannot
 * apply server-side; `describe` words the message from the filter and those families.
 */
export function clientSideFilterWarnings<Kind extends string>(
  source: string,
  query: FindingQuery,
  kinds: readonly Kind[],
  serverSide: Record<Kind, ReadonlySet<keyof FindingQuery>>,
  describe: (feature: keyof FindingQuery, clientSide: Kind[]) => string,
): Warning[] {
  const warnings: Warning[] = [];
  for (const feature of filters) {
    const value = query[feature];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const clientSide = kinds.filter((kind) => !serverSide[kind].has(feature));
    if (clientSide.length === 0) continue;
    warnings.push({
      type: "unsupported",
      source,
      feature: `filter.${feature}`,
      message: describe(feature, clientSide),
      details: { kinds: clientSide },
    });
  }
  return warnings;
}

// Internal helpers.

/** Every filter of a {@link FindingQuery} (all but the cursor). */
const filters: readonly (keyof FindingQuery)[] = [
  "severity",
  "status",
  "category",
  "createdAfter",
  "createdBefore",
  "updatedAfter",
  "accountIds",
  "projectIds",
  "frameworks",
];
