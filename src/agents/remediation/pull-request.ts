import type { EventEmitter } from "eventemitter3";
import type { Action } from "../../core/action.js";
import { ApiError, assertWritable, ConfigurationError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import { stableHash } from "../../core/fingerprint.js";
import { createHttpClient } from "../../core/http.js";
import { type Remediator, type RollbackNote, rollbackNote } from "../../core/remediator.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import type { TerraformFix } from "../drift/playbooks.js";

/** The file a pull request changes: where, and its new text given the text on the base branch. */
export interface PullRequestFile {
  /** Path in the repository, e.g. `infra/logs_override.tf.json`. */
  path: string;
  /** The new content; `current` is the file's text on the fix branch, `undefined` when it does not exist. */
  content: (current: string | undefined) => string;
}

/** Options of {@link pullRequestRemediation}. */
export interface PullRequestRemediationOptions {
  /** Named in deliveries and the audit log. @default "pull-request" */
  name?: string;
  /** The REST API root. @default "https://api.github.com" */
  apiUrl?: string;
  /** The repository holding the IaC. */
  owner: string;
  repo: string;
  /** The branch the pull request targets. @default "main" */
  base?: string;
  /** Sent as `Authorization: Bearer <token>`; needs `contents: write` and `pull_requests: write`. */
  token: Secret;
  /** Allow branches, commits and pull requests; without it every call throws `WriteDisabledError`. @default false */
  allowWrite?: boolean;
  /** The file to change for an action. @default terraformOverride() */
  file?: (action: Action) => PullRequestFile;
  /** How to undo the change once merged; named in the pull request body and the result. */
  rollback: RollbackNote;
  /** Custom fetch, for proxies and tests. */
  fetch?: typeof globalThis.fetch;
  /** Where `request-retried` events go. */
  events?: EventEmitter<PipelineEvents>;
}

interface PullRequest {
  number: number;
  html_url: string;
  state: string;
}

/**
 * A remediator that opens a pull request against the IaC on GitHub: a branch from `base`
 * (`GET …/git/ref/heads/{base}`, `POST …/git/refs`), one commit of the changed file
 * (`PUT …/contents/{path}` with the file's `sha`), and the pull request (`POST …/pulls`) whose body
 * names the drift or finding, the change and the rollback. Nothing is applied until a human merges
 * it. Idempotent under retry: the branch is `cloudsteward/fix-<hash of the idempotency key>`, and an
 * existing pull request from it (any state) is returned instead of opening a second one; an existing
 * branch or an already-committed change is reused.
 * @throws WriteDisabledError from `remediate` unless `allowWrite: true`.
 * @example
 * const pr = pullRequestRemediation({
 *   owner: "acme",
 *   repo: "infra",
 *   token: () => process.env.GITHUB_TOKEN!,
 *   allowWrite: true,
 *   file: terraformOverride("live/prod"),
 *   rollback: "Revert the merged pull request and apply.",
 * });
 */
export function pullRequestRemediation(options: PullRequestRemediationOptions): Remediator {
  const name = options.name ?? "pull-request";
  const base = options.base ?? "main";
  const file = options.file ?? terraformOverride();
  const repo = `/repos/${encodeURIComponent(options.owner)}/${encodeURIComponent(options.repo)}`;
  let token: string | undefined;
  const http = createHttpClient({
    integration: name,
    baseUrl: options.apiUrl ?? "https://api.github.com",
    fetch: options.fetch,
    events: options.events,
    secrets: () => [token],
    headers: async () => {
      token = await resolveSecret(options.token, { option: "token", integration: name });
      return {
        authorization: `Bearer ${token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
      };
    },
    authHint: `check the token passed to pullRequestRemediation({ name: "${name}" })`,
  });
  /** The answer, or undefined on a 404 (or on `status`, e.g. a 422 that means "already there"). */
  const orMissing = async <T>(call: Promise<T>, status = 404): Promise<T | undefined> => {
    try {
      return await call;
    } catch (error) {
      if (error instanceof ApiError && error.status === status) return undefined;
      throw error;
    }
  };

  return {
    name,
    async remediate(action, { signal } = {}) {
      assertWritable(name, options.allowWrite, "open a pull request");
      const branch = `cloudsteward/fix-${stableHash(action.idempotencyKey).slice(0, 16)}`;
      const head = `${options.owner}:${branch}`;
      const findPull = async () =>
        (
          await http.get<PullRequest[]>(`${repo}/pulls`, {
            searchParams: { head, state: "all" },
            signal,
          })
        )[0];
      const rollback = rollbackNote(options.rollback, action);
      const result = (pull: PullRequest, pullRequest: "opened" | "exists") => ({
        status: "triggered" as const,
        details: { pullRequest, url: pull.html_url, number: pull.number, state: pull.state, branch },
        rollback,
      });

      const existing = await findPull();
      if (existing) return result(existing, "exists");

      if (!(await orMissing(http.get(`${repo}/git/ref/heads/${branch}`, { signal })))) {
        const from = await http.get<{ object: { sha: string } }>(`${repo}/git/ref/heads/${base}`, { signal });
        // 422 "Reference already exists": a concurrent or killed run made it; reuse it.
        await orMissing(
          http.post(`${repo}/git/refs`, {
            json: { ref: `refs/heads/${branch}`, sha: from.object.sha },
            signal,
          }),
          422,
        );
      }

      const change = file(action);
      const contentsPath = `${repo}/contents/${change.path.split("/").map(encodeURIComponent).join("/")}`;
      const current = await orMissing(
        http.get<{ sha: string; content: string }>(contentsPath, { searchParams: { ref: branch }, signal }),
      );
      const before = current ? Buffer.from(current.content, "base64").toString("utf8") : undefined;
      const after = change.content(before);
      if (after !== before) {
        await http.put(contentsPath, {
          json: {
            message: `${titleOf(action)}\n\ncloudsteward case ${action.case.id}, idempotency key ${action.idempotencyKey}`,
            content: Buffer.from(after, "utf8").toString("base64"),
            branch,
            ...(current ? { sha: current.sha } : {}),
          },
          // A retry re-reads the file instead: a blind resend would be refused for a stale or missing sha.
          idempotent: false,
          signal,
        });
      }

      try {
        const opened = await http.post<PullRequest>(`${repo}/pulls`, {
          json: {
            title: titleOf(action),
            head: branch,
            base,
            body: pullRequestBody(action, change.path, rollback),
          },
          signal,
        });
        return result(opened, "opened");
      } catch (error) {
        // 422 "A pull request already exists": one was opened meanwhile; answer with it.
        const pull = error instanceof ApiError && error.status === 422 ? await findPull() : undefined;
        if (!pull) throw error;
        return result(pull, "exists");
      }
    },
  };
}

/**
 * The default file of {@link pullRequestRemediation}: the playbook's Terraform fix
 * (`params.fix.terraform`, a {@link TerraformFix}) for the resource at `params.fix.address`.
 * When the fix's type is the address's, an override file
 * (`<directory>/<type>_<name>_cloudsteward_override.tf.json`) sets its arguments on that resource,
 * which Terraform merges into the resource's block; otherwise a new file
 * (`<directory>/<fix type>_<name>_cloudsteward.tf.json`) adds a companion resource whose
 * `reference` argument is the resource's id (`${aws_s3_bucket.site.id}`). Only root-module
 * addresses (`aws_s3_bucket.logs`); for a resource in a module, or a playbook whose fix is not
 * plain Terraform, pass your own `file`.
 * @throws ConfigurationError when the action carries no root-module address, no Terraform fix,
 *   or a fix of another type with no `reference` to the resource.
 * @example
 * pullRequestRemediation({ owner: "acme", repo: "infra", token, rollback, file: terraformOverride("live/prod") });
 */
export function terraformOverride(directory = "."): (action: Action) => PullRequestFile {
  return (action) => {
    const fix = (action.params.fix ?? {}) as { address?: unknown; terraform?: Partial<TerraformFix> };
    const address =
      typeof fix.address === "string" ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(fix.address) : null;
    const terraform = fix.terraform;
    const refuse = (what: string) =>
      new ConfigurationError(
        `terraformOverride: action ${action.id} ${what} in params.fix (address ${JSON.stringify(fix.address ?? null)}); pass your own \`file\`.`,
        { option: "file" },
      );
    if (!address) throw refuse("has no root-module Terraform address");
    if (
      typeof terraform?.type !== "string" ||
      typeof terraform.arguments !== "object" ||
      !terraform.arguments
    ) {
      throw refuse("has no Terraform fix (the playbook's fix is not plain Terraform)");
    }
    const [, type, name] = address as unknown as [string, string, string];
    const prefix = directory === "." ? "" : `${directory.replace(/\/+$/, "")}/`;
    if (terraform.type === type) {
      return {
        path: `${prefix}${type}_${name}_cloudsteward_override.tf.json`,
        content: () => terraformJson(type, name, terraform.arguments as Record<string, unknown>),
      };
    }
    if (typeof terraform.reference !== "string") {
      throw refuse(`has a ${terraform.type} fix for a ${type} with no reference to it`);
    }
    const companion = { [terraform.reference]: `\${${type}.${name}.id}`, ...terraform.arguments };
    return {
      path: `${prefix}${terraform.type}_${name}_cloudsteward.tf.json`,
      content: () => terraformJson(terraform.type as string, name, companion),
    };
  };
}

function terraformJson(type: string, name: string, body: Record<string, unknown>): string {
  return `${JSON.stringify({ resource: { [type]: { [name]: body } } }, null, 2)}\n`;
}

// Internal helpers.

function titleOf(action: Action): string {
  const title = (action.params.fix as { title?: unknown } | undefined)?.title;
  return typeof title === "string" && title
    ? title
    : `cloudsteward: ${action.rule} for case ${action.case.id}`;
}

/** The body: what was found, the change and the rollback; finding text is quoted as data, never rendered. */
function pullRequestBody(action: Action, path: string, rollback: string): string {
  const findings = action.case.findings.map(
    (finding) => `- \`${finding.id}\` (${finding.rule.id}) on \`${finding.resource.id}\``,
  );
  const details = action.case.findings.map((finding) => finding.description).filter(Boolean);
  return [
    `Opened by cloudsteward for an approved remediation: case \`${action.case.id}\`, rule \`${action.rule}\`.`,
    "",
    "## Findings",
    ...findings,
    ...(details.length > 0 ? ["", "## What drifted", quoted(details.join("\n\n"))] : []),
    "",
    "## Change",
    `\`${path}\`:`,
    quoted(
      JSON.stringify((action.params.fix as { set?: unknown } | undefined)?.set ?? action.params, null, 2),
    ),
    "",
    "## Rollback",
    quoted(rollback),
    "",
    `Idempotency key: \`${action.idempotencyKey}\``,
  ].join("\n");
}

/** A fenced block longer than any backtick run in `text`, so it cannot close early. */
function quoted(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}
