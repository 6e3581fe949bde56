/**
 * The knowledge base of rule archetypes: a light matcher (`matchArchetype`, imported by every
 * adapter) and the guidance used by `explain` (`defaultKnowledge`, `createKnowledgeBase`).
 */

export {
  type ArchetypeMatchFn,
  compileMatchers,
  explanationArchetypeFor,
  type MatchInput,
  matchArchetype,
  matchInputOf,
  ruleKeyFor,
  type VulnerabilityFacts,
} from "../../core/archetypes/match.js";
export {
  type ArchetypeMatcher,
  archetypeIds,
  archetypeMatchers,
  categoryFallbacks,
  vulnerabilityArchetypes,
} from "../../core/archetypes/matchers.js";
export { compensatingControlsByWeakness, compensatingControlsFor } from "./compensating.js";
export { bundles, controls, frameworks } from "./controls.js";
export {
  type CompensatingControlGuide,
  compensatingControlGuideSchema,
  type KnowledgeEntry,
  type KnowledgeEntryInput,
  knowledgeEntrySchema,
} from "./entry.js";
export {
  createKnowledgeBase,
  defaultEntries,
  defaultKnowledge,
  type Facts,
  GENERIC_ARCHETYPE_ID,
  type KnowledgeBase,
  personalize,
  type TemplateVariables,
  templateVariableNames,
  templateVariables,
} from "./knowledge-base.js";
export { placeholdersIn, type RenderContext, renderTemplate } from "./render.js";
