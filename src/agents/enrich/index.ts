export type {
  ContextField,
  ContextProvider,
  ContextRequest,
  ProvidedContext,
  ProvidedValue,
  ProviderKind,
} from "../../core/context-provider.js";
export { type BlastRadius, estimateBlastRadius } from "./blast-radius.js";
export { type EnrichOptions, enrich } from "./enrich.js";
export { type CsvColumns, type CsvInput, type FromCsvOptions, fromCsv } from "./from-csv.js";
export { type FromFunctionOptions, fromFunction } from "./from-function.js";
export { type FromMapOptions, fromMap } from "./from-map.js";
export { type FromServiceNowCmdbOptions, fromServiceNowCmdb } from "./from-servicenow-cmdb.js";
export { type FromTagsOptions, fromTags } from "./from-tags.js";
export {
  type Criticality,
  createTagReader,
  defaultTagKeys,
  normalizeCriticality,
  normalizeDataClassification,
  normalizeEnvironment,
  normalizeExposure,
  readContextTags,
  type TagContext,
  type TagKeys,
  type TagReader,
} from "./normalize.js";
export { parseCsv } from "./parse-csv.js";
