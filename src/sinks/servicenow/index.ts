/** @module cloudsteward/sinks/servicenow */
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
export { type ServiceNowCredentials, serviceNowAuthorization } from "./auth.js";
