import type { EventEmitter } from "eventemitter3";
import type { Action } from "../../core/action.js";
import type { PipelineEvents } from "../../core/events.js";
import { createHttpClient } from "../../core/http.js";
import { type Remediator, type RollbackNote, rollbackNote } from "../../core/remediator.js";
import { resolveSecret, type Secret } from "../../core/secret.js";

/** Options of {@link pipelineTrigger}. */
export interface PipelineTriggerOptions {
  /** Named in deliveries and the audit log. @default "pipeline" */
  name?: string;
  /** The trigger endpoint, e.g. GitHub's `…/actions/workflows/fix.yml/dispatches`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: Secret;
  /** The JSON body for an action. @default { idempotencyKey, kind, caseId, rule, params, findings } */
  body?: (action: Action) => unknown;
  /** Extra headers, e.g. `{ accept: "application/vnd.github+json" }`. */
  headers?: Record<string, string>;
  /** How to undo what the pipeline does. */
  rollback: RollbackNote;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
}

/**
 * A remediator that triggers a CI/CD pipeline: one POST per action to a configured URL with a
 * bearer token. The POST is not retried blindly (a create); the approval ledger makes it once.
 * @example
 * const fix = pipelineTrigger({
 *   url: "https://api.github.com/repos/acme/infra/actions/workflows/fix.yml/dispatches",
 *   token: () => process.env.GITHUB_TOKEN!,
 *   headers: { accept: "application/vnd.github+json" },
 *   body: (action) => ({ ref: "main", inputs: { case: action.case.id, key: action.idempotencyKey } }),
 *   rollback: "Revert the pull request the workflow opened.",
 * });
 */
export function pipelineTrigger(options: PipelineTriggerOptions): Remediator {
  const name = options.name ?? "pipeline";
  let token: string | undefined;
  const http = createHttpClient({
    integration: name,
    fetch: options.fetch,
    events: options.events,
    secrets: () => [token],
    headers: async () => {
      token = await resolveSecret(options.token, { option: "token", integration: name });
      return { authorization: `Bearer ${token}` };
    },
    authHint: `check the token passed to pipelineTrigger({ name: "${name}" })`,
  });
  return {
    name,
    async remediate(action, { signal } = {}) {
      const response = await http.request<string>("POST", options.url, {
        json: (options.body ?? defaultBody)(action),
        headers: { ...options.headers, "idempotency-key": action.idempotencyKey },
        responseType: "text",
        signal,
      });
      return {
        status: "triggered",
        details: {
          url: options.url,
          status: response.status,
          ...(response.requestId ? { requestId: response.requestId } : {}),
        },
        rollback: rollbackNote(options.rollback, action),
      };
    },
  };
}

/** The default trigger body: the action without its case, plus the finding and resource ids. */
export function defaultBody(action: Action): Record<string, unknown> {
  return {
    idempotencyKey: action.idempotencyKey,
    kind: action.kind,
    caseId: action.case.id,
    rule: action.rule,
    params: action.params,
    findings: action.case.findings.map((finding) => ({
      id: finding.id,
      rule: finding.rule.id,
      resourceId: finding.resource.id,
      resourceType: finding.resource.type,
      accountId: finding.resource.accountId,
      region: finding.resource.region,
    })),
  };
}
