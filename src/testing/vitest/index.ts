/**
 * The conformance suites every source, model, sink, store and queue backend passes, and the rule-testing harness, as
 * vitest suites (vitest is an optional peer dependency of this subpath only). `evaluateFixture`,
 * `emulationFetch`, the sandbox and the LLM emulators the suites run against are runner-free, in
 * `cloudsteward/testing`; the rule fixture types are exported from both.
 * @module cloudsteward/testing/vitest
 */

export type {
  ExpectedAction,
  RuleExpectation,
  RuleFixture,
  RuleFixtureContext,
  RuleFixtureResult,
  TestRulesOptions,
} from "../rules.js";
export {
  type LanguageModelTestContext,
  type TestLanguageModelOptions,
  testLanguageModel,
} from "./language-model-suite.js";
export { type TestQueueBackendOptions, testQueueBackend } from "./queue-suite.js";
export { expectDecision, testRules } from "./rules.js";
export {
  emulationTarget,
  type SinkContext,
  type SinkFault,
  type SinkTarget,
  type TestSinkOptions,
  testSink,
} from "./sink-suite.js";
export {
  type HarnessSourceSuiteOptions,
  type SandboxOptionsOf,
  type SandboxSourceSuiteOptions,
  type SourceHarness,
  type SourceHarnessContext,
  type SourceSuiteContext,
  type TestFindingSourceOptions,
  testFindingSource,
  type WriteBackCapability,
} from "./source-suite.js";
export { type TestStoreOptions, testStore } from "./store-suite.js";
