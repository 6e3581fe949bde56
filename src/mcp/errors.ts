import { CloudstewardError } from "../core/errors.js";

/**
 * A tool call the MCP server could not carry out: `code` is `POLICY` when the policy or the caller's
 * scopes refused a proposal, `NOT_FOUND` when what it names (a case, a finding) is not in the Store.
 * The client receives the message as an error result; the audit log records the call as `refused`
 * (`POLICY`) or `error`.
 */
export class McpToolError extends CloudstewardError {
  /** The tool that failed, e.g. `propose_action`. */
  readonly tool: string;
  constructor(message: string, options: { tool: string; code: "POLICY" | "NOT_FOUND"; cause?: unknown }) {
    super(message, { code: options.code, cause: options.cause });
    this.tool = options.tool;
  }
}
