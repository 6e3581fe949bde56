import { CloudstewardError, type ErrorIssue } from "../../core/errors.js";

/**
 * A request the policy does not allow, a decision nobody may make, or an exception that does not
 * exist or is past the state asked for. `field` names what is wrong (`requestedUntil`, `requester`,
 * `scope`, `principal`, `id`, `state`…).
 */
export class ExceptionError extends CloudstewardError {
  /** The request field (or decision input) at fault, as a dotted path. */
  readonly field: string;
  /** Every problem found, when the request's shape was invalid. */
  readonly issues: ErrorIssue[];
  constructor(message: string, options: { field: string; issues?: ErrorIssue[]; cause?: unknown }) {
    super(message, { code: "POLICY", cause: options.cause });
    this.field = options.field;
    this.issues = options.issues ?? [{ path: options.field.split("."), message }];
  }
}
