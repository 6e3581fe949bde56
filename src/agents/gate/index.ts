export {
  draftsNamespace,
  type GateDecision,
  type GateDraft,
  type GateOptions,
  gate,
  gateDrafts,
} from "./gate.js";
