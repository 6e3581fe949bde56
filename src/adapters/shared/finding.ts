import { ruleKeyFor } from "../../core/archetypes/match.js";
import { type Finding, findingId } from "../../core/finding.js";
import { dedupKey } from "../../core/fingerprint.js";

/** What an adapter maps from one native record; {@link assembleFinding} adds the ids. */
export interface FindingParts {
  source: Finding["source"];
  category: Finding["category"];
  severity: Finding["severity"];
  status: Finding["status"];
  title: string;
  description: string;
  rule: Finding["rule"];
  resource: Finding["resource"];
  firstSeen: string;
  lastSeen: string;
  vulnerability?: Finding["vulnerability"];
  /** The native record, when `keepRaw` is set. */
  raw?: unknown;
}

/**
 * Builds a Finding from mapped, range-checked parts: its id (`<platform>:<nativeId>`) and its `dedupKey`
 * from the rule's specific archetype, or `<platform>:<ruleId>` (never a category fallback, which would
 * merge unrelated rules). Field by field from mapped values, so it is a valid Finding by construction
 * (the adapter tests parse every output with findingSchema) without a second schema pass.
 * @example
 * const finding = assembleFinding({ source, category, severity, status, title, description, rule, resource, firstSeen, lastSeen });
 */
export function assembleFinding(parts: FindingParts): Finding {
  const { source, rule, resource } = parts;
  const archetype = ruleKeyFor({
    platform: source.platform,
    ruleId: rule.id,
    ruleName: rule.name,
    title: parts.title,
    category: parts.category,
    resourceType: resource.type,
    cve: parts.vulnerability?.cve,
  });
  const finding: Finding = {
    id: findingId(source.platform, source.nativeId),
    dedupKey: dedupKey(archetype, resource),
    source,
    category: parts.category,
    severity: parts.severity,
    status: parts.status,
    title: parts.title,
    description: parts.description,
    rule,
    resource,
    firstSeen: parts.firstSeen,
    lastSeen: parts.lastSeen,
  };
  if (parts.vulnerability !== undefined) finding.vulnerability = parts.vulnerability;
  if (parts.raw !== undefined) finding.raw = parts.raw;
  return finding;
}
