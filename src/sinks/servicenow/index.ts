/** @module cloudsteward/sinks/servicenow */

export { type ServiceNowCredentials, serviceNowAuthorization } from "./auth.js";
export {
  type ServiceNowFieldMap,
  type ServiceNowOptions,
  type ServiceNowSink,
  serviceNowCorrelationDisplay,
  servicenow,
} from "./servicenow.js";
export {
  type ServiceNowChoice,
  type ServiceNowStates,
  serviceNowStates,
  serviceNowStatesFromChoices,
} from "./states.js";
