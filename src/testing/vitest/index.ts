/**
 * @module cloudsteward/testing/vitest
 * The conformance suites every source, model, sink and store passes, and the rule-testing harness, as
 * vitest suites (vitest is an optional peer dependency of this subpath only).
 */

export {
  type LanguageModelTestContext,
  type TestLanguageModelOptions,
  testLanguageModel,
} from "./language-model-suite.js";
export {
  type ExpectedAction,
  evaluateFixture,
  expectDecision,
  type RuleExpectation,
  type RuleFixture,
  type RuleFixtureContext,
  type RuleFixtureResult,
  type TestRulesOptions,
  testRules,
} from "./rules.js";
export {
  emulationFetch,
  emulationTarget,
  type SinkContext,
  type SinkFault,
  type SinkTarget,
  type TestSinkOptions,
  testSink,
} from "./sink-suite.js";
export {
  type SandboxOptionsOf,
  type SourceSuiteContext,
  type TestFindingSourceOptions,
  testFindingSource,
  type WriteBackCapability,
} from "./source-suite.js";
export { type TestStoreOptions, testStore } from "./store-suite.js";
