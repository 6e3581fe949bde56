/** @module cloudsteward/testing */
export * from "./factories.js";
export {
  type ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedResponse,
  scriptedModel,
} from "./scripted-model.js";
export { type TestStoreOptions, testStore } from "./store-suite.js";
