/** The explain stage: owner-facing explanations from the knowledge base, or from a model grounded in it. */
export {
  EXPLAIN_CACHE_NAMESPACE,
  type ExplainOptions,
  type ExplainPromptInput,
  explain,
  explainPrompt,
  explanationFromFacts,
  type ModelExplanation,
  modelExplanationSchema,
} from "./explain.js";
