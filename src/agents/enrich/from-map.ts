import type { ContextProvider, ProvidedContext } from "../../core/context-provider.js";

/** Options of {@link fromMap}. */
export interface FromMapOptions {
  /** The provenance of its values. @default "map" */
  name?: string;
}

/**
 * Context from a static map keyed by resource id, resource name or account id (looked up in that
 * order; exact first, then case-insensitively), so one entry can cover a whole account.
 * @example
 * fromMap({ "123456789012": { owner: "platform", environment: "production" }, "acme-logs": { owner: "sre" } });
 */
export function fromMap(map: Record<string, ProvidedContext>, options: FromMapOptions = {}): ContextProvider {
  const exact = new Map(Object.entries(map));
  const lowered = new Map<string, ProvidedContext>();
  for (const [key, value] of Object.entries(map)) {
    if (!lowered.has(key.toLowerCase())) lowered.set(key.toLowerCase(), value);
  }
  return {
    name: options.name ?? "map",
    kind: "map",
    lookup({ resource }) {
      for (const key of [resource.id, resource.name, resource.accountId]) {
        if (key === "") continue;
        const entry = exact.get(key) ?? lowered.get(key.toLowerCase());
        if (entry !== undefined) return entry;
      }
      return undefined;
    },
  };
}
