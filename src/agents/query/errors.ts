import { CloudstewardError } from "../../core/errors.js";

/**
 * A posture query that cannot run: an invalid field, a filter that needs something not given (the
 * Store, a framework), or a question it cannot answer. `field` names the query field at fault.
 */
export class QueryError extends CloudstewardError {
  /** The query field at fault, as a dotted path (`filters.framework`). */
  readonly field: string;
  constructor(message: string, options: { field: string; cause?: unknown }) {
    super(message, { code: "CONFIGURATION", cause: options.cause });
    this.field = options.field;
  }
}
