import type { ContextProvider, ProvidedContext } from "../../core/context-provider.js";
import {
  contextTagRank,
  createTagReader,
  createUnreadableTagReader,
  environmentInName,
  type TagKeys,
} from "./normalize.js";

/** Options of {@link fromTags}. */
export interface FromTagsOptions {
  /** Tag keys for the owner, in order of preference. @default defaultTagKeys.owner */
  ownerKeys?: string[];
  /** @default defaultTagKeys.team */
  teamKeys?: string[];
  /** @default defaultTagKeys.environment */
  environmentKeys?: string[];
  /** @default defaultTagKeys.dataClassification */
  dataClassificationKeys?: string[];
  /** @default defaultTagKeys.criticality */
  criticalityKeys?: string[];
  /** @default defaultTagKeys.internetExposed */
  internetExposedKeys?: string[];
  /** Owner and team value aliases, keys in lower case, e.g. `{ "jdoe@acme.com": "payments" }`. @default {} */
  aliases?: Record<string, string>;
}

/**
 * Context from the resource's own tags (each value's provenance is `tag:<key>`). Tags are set by
 * whoever owns the resource, so they rank lowest by default. When no tag names the environment, the
 * one environment word in the resource's name is read (`payments-api-deve` → development, provenance
 * `resource-name`); a name with none or several leaves it unknown.
 * @example
 * enrich({ providers: [fromTags({ ownerKeys: ["owner", "Owner", "team"] })] });
 */
export function fromTags(options: FromTagsOptions = {}): ContextProvider {
  const read = createTagReader(
    {
      ...(options.ownerKeys && { owner: options.ownerKeys }),
      ...(options.teamKeys && { team: options.teamKeys }),
      ...(options.environmentKeys && { environment: options.environmentKeys }),
      ...(options.dataClassificationKeys && { dataClassification: options.dataClassificationKeys }),
      ...(options.criticalityKeys && { criticality: options.criticalityKeys }),
      ...(options.internetExposedKeys && { internetExposed: options.internetExposedKeys }),
    },
    options.aliases,
  );
  const keys: Partial<TagKeys> = {
    ...(options.environmentKeys && { environment: options.environmentKeys }),
    ...(options.dataClassificationKeys && { dataClassification: options.dataClassificationKeys }),
    ...(options.criticalityKeys && { criticality: options.criticalityKeys }),
    ...(options.internetExposedKeys && { internetExposed: options.internetExposedKeys }),
  };
  const unreadable = createUnreadableTagReader(keys);
  return {
    name: "tags",
    kind: "tags",
    cacheable: false,
    lookup({ resource }) {
      const tags = read(resource.tags);
      const result: ProvidedContext = {};
      for (const [field, entry] of Object.entries(tags)) {
        result[field as keyof ProvidedContext] = { value: entry.value, source: `tag:${entry.key}` };
      }
      // A tag that names a guarded value unreadably is passed on as written: enrich routes it as the
      // most guarded value instead of as if the tag were absent (fail closed).
      // It also outranks a readable value from a lower-ranked key or a provider convention (a stack name).
      for (const [field, entry] of Object.entries(unreadable(resource.tags))) {
        const readable = tags[field as keyof typeof tags];
        if (readable === undefined || entry.rank < contextTagRank(field as keyof TagKeys, readable.key, keys))
          result[field as keyof ProvidedContext] = { value: entry.value, source: `tag:${entry.key}` };
      }
      // No tag names the environment: the resource's own name may (`payments-api-deve` → development).
      const named = result.environment === undefined ? environmentInName(resource.name) : undefined;
      if (named) result.environment = { value: named, source: "resource-name" };
      return result;
    },
  };
}
