/** @module cloudsteward/adapters/ocsf */
export { type NormalizeOptions, normalize } from "./normalize.js";
export { type OcsfOptions, ocsf } from "./ocsf.js";
export type { OcsfInput } from "./read.js";
