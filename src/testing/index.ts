/**
 * The sandbox, the emulations, the estate, fixture factories, the scripted model, the LLM emulators and
 * the rule-fixture runner. Imports no test runner and no msw, so it works in any app and any runner;
 * the vitest conformance suites are in `cloudsteward/testing/vitest`, msw handlers in
 * `cloudsteward/testing/msw`.
 * @module cloudsteward/testing
 */

export {
  type SandboxComplianceHistory,
  type SandboxComplianceOptions,
  sandboxComplianceHistory,
} from "./compliance-history.js";
export {
  type Estate,
  type EstateAccount,
  type EstateFinding,
  type EstateOptions,
  type EstateOwner,
  type EstateResource,
  type EstateRule,
  type EstateTeam,
  estateRules,
  generateEstate,
  mulberry32,
} from "./estate.js";
export * from "./factories.js";
export {
  anthropicEmulator,
  bedrockEmulator,
  type CapturedRequest,
  type EmulatedReply,
  type LlmEmulator,
  type OpenAIChatEmulatorOptions,
  openaiChatEmulator,
} from "./llm-emulators.js";
export {
  type ExpectedAction,
  evaluateFixture,
  type RuleExpectation,
  type RuleFixture,
  type RuleFixtureContext,
  type RuleFixtureResult,
  type TestRulesOptions,
} from "./rules.js";
export {
  type DriftEstate,
  type DriftEstateCall,
  type DriftEstateOptions,
  driftEstate,
} from "./sandbox/drift.js";
export { type Emulation, emulationFetch, type SandboxFaults } from "./sandbox/emulation.js";
export { type EmulationFactory, type EmulationName, emulations } from "./sandbox/emulations.js";
export { createFaults, type FaultStats, type Faults } from "./sandbox/faults.js";
export {
  type JiraEmulation,
  type JiraEmulationOptions,
  type JiraHistory,
  type JiraIssueUpdatedEvent,
  type JiraSandboxOptions,
  jiraEmulation,
} from "./sandbox/jira.js";
export {
  type LaceworkEmulation,
  type LaceworkWrite,
  laceworkEmulation,
  sandboxLaceworkApiKey,
  sandboxLaceworkApiSecret,
} from "./sandbox/lacework.js";
export type { SandboxEstateOptions } from "./sandbox/mount.js";
export { type OrcaEmulation, type OrcaWrite, orcaEmulation, sandboxOrcaApiToken } from "./sandbox/orca.js";
export {
  type PrismaEmulation,
  type PrismaWrite,
  prismaEmulation,
  sandboxPrismaAccessKeyId,
  sandboxPrismaSecretKey,
} from "./sandbox/prisma.js";
export { type Sandbox, type SandboxOptions, startSandbox } from "./sandbox/server.js";
export {
  type ServiceNowEmulation,
  type ServiceNowEmulationOptions,
  type ServiceNowSandboxOptions,
  type ServiceNowStateChange,
  servicenowEmulation,
} from "./sandbox/servicenow.js";
export {
  type SlackEmulation,
  type SlackEmulationOptions,
  type SlackSandboxOptions,
  slackEmulation,
} from "./sandbox/slack.js";
export {
  type EmulatedTeamsCard,
  type TeamsEmulation,
  type TeamsSandboxOptions,
  teamsEmulation,
} from "./sandbox/teams.js";
export {
  sandboxWizClientId,
  sandboxWizClientSecret,
  type WizEmulation,
  type WizWrite,
  wizEmulation,
} from "./sandbox/wiz.js";
export {
  type ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedResponse,
  scriptedModel,
} from "./scripted-model.js";
export { countingStage, type WebhookStormResult, webhookStorm } from "./storm.js";
