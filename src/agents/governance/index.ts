export {
  casesNamespace,
  type GovernanceOptions,
  type GovernanceResult,
  type GovernanceRun,
  governance,
} from "./governance.js";
