import type { Case } from "./case.js";
import type { Finding, Resource } from "./finding.js";

/** Every context value a provider can supply, in the order `enrich` resolves them. */
export const contextFields = [
  "owner",
  "team",
  "environment",
  "criticality",
  "internetExposed",
  "dataClassification",
] as const;

/** The context values a provider can supply. */
export type ContextField = (typeof contextFields)[number];

/**
 * What kind of source a provider is; `enrich` resolves disagreements by kind
 * (default order: `function` > `cmdb` > `csv` = `map` > `tags`).
 */
export type ProviderKind = "function" | "cmdb" | "csv" | "map" | "tags";

/**
 * One value from a provider: a raw value (normalized by `enrich`: `prd` → `production`), or the value
 * with a more precise provenance than the provider's name, e.g. `{ value: "payments", source: "tag:team" }`.
 */
export type ProvidedValue = string | boolean | { value: string | boolean; source: string };

/** What a provider knows about one resource. Missing fields mean "no opinion". */
export type ProvidedContext = Partial<Record<ContextField, ProvidedValue | undefined>>;

/** What a provider is asked about: one resource of a case. */
export interface ContextRequest {
  /** The resource to look up. */
  resource: Resource;
  /** The case's findings on this resource. */
  findings: readonly Finding[];
  /** The whole case (answers are cached per resource, so depend on it only with `cacheable: false`). */
  case: Case;
  /** Aborts with the run; pass it to any request. */
  signal: AbortSignal;
}

/**
 * A source of owner and business context for resources (tags, a CMDB, a CSV export, a function).
 * @example
 * const provider: ContextProvider = {
 *   name: "inventory",
 *   kind: "function",
 *   lookup: ({ resource }) => ({ owner: inventory.ownerOf(resource.id) }),
 * };
 */
export interface ContextProvider {
  /** Used as the provenance of its values, e.g. `cmdb:servicenow`, `csv`. */
  readonly name: string;
  readonly kind: ProviderKind;
  /**
   * Whether answers may be cached per resource (in memory for the run, and in the Store when `enrich`
   * is asked to). Providers that read the finding itself, like tags, set it to false.
   * @default true
   */
  readonly cacheable?: boolean;
  /** Looks a resource up. Throwing marks this provider failed for this resource only. */
  lookup(request: ContextRequest): ProvidedContext | undefined | Promise<ProvidedContext | undefined>;
}
