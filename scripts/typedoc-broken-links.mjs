// A TypeDoc plugin (typedoc.json "plugin"): a TSDoc `{@link}` that resolves to nothing fails
// `npm run docs:api`, while TypeDoc's other validation warnings (a public type that refers to one no
// entry exports) stay visible but do not fail the run. TypeDoc has one switch for all validation
// warnings (`treatValidationWarningsAsErrors`); this splits it. typedoc.json pins `lang: "en"`, the
// language of the message matched here.
export function load(app) {
  const { logger } = app;
  const warn = logger.validationWarning.bind(logger);
  logger.validationWarning = (text, ...rest) =>
    String(text).startsWith("Failed to resolve link") ? logger.error(text, ...rest) : warn(text, ...rest);
}
