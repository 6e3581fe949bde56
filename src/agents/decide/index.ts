export {
  type DecideCaseOptions,
  type DecideOptions,
  type DerivedAction,
  decide,
  decideCase,
  deriveActions,
} from "./decide.js";
