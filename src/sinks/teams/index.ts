/** @module cloudsteward/sinks/teams */
export { type AdaptiveCard, renderAdaptiveCard } from "../render/adaptive-card.js";
export { type TeamsOptions, type TeamsSink, teams } from "./teams.js";
