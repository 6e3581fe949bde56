import type { Action } from "../../core/action.js";
import { describeChange } from "../../core/case-change.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Severity } from "../../core/finding.js";
import { createHttpClient } from "../../core/http.js";
import {
  type ExternalRef,
  ledgerOptionsOf,
  type SyncableSink,
  type TicketLedgerOptions,
  ticketSink,
  trackingId,
} from "../../core/ledger.js";
import type { RateLimit } from "../../core/rate-limiter.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";
import type { HttpSinkOptions } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { type AdfDocument, adfParagraphs, renderAdf } from "../render/adf.js";
import { caseView, emailAddress, truncate } from "../render/view.js";

/** The `fields` object of a Jira create request. */
export type JiraFields = Record<string, unknown> & {
  project?: { key: string } | { id: string };
  issuetype?: { name: string } | { id: string };
  summary?: string;
  description?: AdfDocument;
  labels?: string[];
};

/** Options of {@link jira}. */
export interface JiraOptions extends HttpSinkOptions, TicketLedgerOptions {
  /** Your site, e.g. `https://acme.atlassian.net` (or `https://api.atlassian.com/ex/jira/{cloudId}` for scoped tokens). @default process.env.JIRA_BASE_URL */
  baseUrl?: string;
  /** The Atlassian account email of the API token. @default process.env.JIRA_EMAIL */
  email?: string;
  /** API token, or a function returning one (called before every request). @default process.env.JIRA_API_TOKEN */
  apiToken?: Secret;
  /** The project tickets are created in, e.g. `SEC`. */
  projectKey: string;
  /** @default "Task" */
  issueType?: string;
  /** Where the ticket ledger lives; use the pipeline's durable store so reruns and workers share it. @default memoryStore() */
  store?: Store;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 10 } */
  rateLimit?: RateLimit | false;
  /** Assign tickets to the owner looked up by email (`action.params.assigneeEmail`, else the case owner when it is an email). @default false */
  assignByEmail?: boolean;
  /** Component names set on every ticket (plus `action.params.components`). */
  components?: string[];
  /** Extra labels on every ticket (plus `action.params.labels`). */
  labels?: string[];
  /** Jira priority name per severity. @default Highest, High, Medium, Low, Lowest */
  priorities?: Partial<Record<Severity, string>>;
  /**
   * How long the search may lag behind a create: after an ambiguous create (a lost response, a 5xx)
   * nothing is created again until a search this long afterwards finds nothing. @default 120_000
   */
  settleMs?: number;
  /** Override the fields of a create; the tracking labels are always added back. */
  toFields?: (action: Action, defaults: JiraFields) => JiraFields;
  /** Write finding text into tickets without masking secrets. @default false */
  raw?: boolean;
}

/** A Jira issue as the search and issue endpoints return it (the fields cloudsteward reads). */
export interface JiraIssue {
  id: string;
  key: string;
  fields?: {
    summary?: string;
    labels?: string[];
    status?: { name: string; statusCategory?: { key: "new" | "indeterminate" | "done" | string } };
    resolution?: { name: string } | null;
    updated?: string;
  };
  /** With `expand=changelog`: the issue's changes, most recent first. */
  changelog?: {
    histories?: { author?: { accountId?: string }; created?: string; items?: { field?: string }[] }[];
  };
}

/** The Jira sink: a {@link SyncableSink} (exactly-once delivery, `reconcile`, two-way status sync). */
export interface JiraSink extends SyncableSink {
  /** Runs a JQL query through `/rest/api/3/search/jql`, paging with `nextPageToken`. */
  search(jql: string, options?: { fields?: string[]; signal?: AbortSignal }): AsyncIterable<JiraIssue>;
  /**
   * Comments on an issue (one paragraph per line; the text is yours, not a case's) and, when it is in
   * a done status, moves it back through the workflow's transition to a to-do or in-progress status.
   * @throws ConfigurationError when the workflow has no such transition.
   */
  reopen(issueKey: string, comment: string[], options?: { signal?: AbortSignal }): Promise<void>;
}

const defaultPriorities: Record<Severity, string> = {
  critical: "Highest",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Lowest",
};

/** The label every cloudsteward ticket carries, so reconciliation can list them. */
export const jiraTrackingLabel = "cloudsteward";

/**
 * Deliver ticket actions as Jira Cloud issues (REST v3), exactly once per idempotency key, with
 * comments when the case changes, transitions to done when every finding is resolved and
 * reopening on regression.
 * @example
 * const sink = jira({ baseUrl: "https://acme.atlassian.net", email: "bot@acme.com", apiToken, projectKey: "SEC" });
 * const delivery = await sink.deliver(action); // { status: "created", ref: { id: "SEC-17", url } }
 */
export function jira(options: JiraOptions): JiraSink {
  const priorities = { ...defaultPriorities, ...options.priorities };
  const accountIds = new Map<string, string | undefined>();
  // Jira search is eventually consistent: ids we created recently are passed as `reconcileIssues`.
  const recentIds: number[] = [];
  let token: string | undefined;

  const baseUrl = () => {
    const value = optionOrEnv(options.baseUrl, "JIRA_BASE_URL");
    if (!value) {
      throw new ConfigurationError(
        "jira: baseUrl is missing. Pass `baseUrl` to jira() or set JIRA_BASE_URL.",
        {
          option: "baseUrl",
          env: "JIRA_BASE_URL",
        },
      );
    }
    return value.replace(/\/+$/, "");
  };
  const http = createHttpClient({
    integration: "jira",
    fetch: options.fetch,
    headers: async () => {
      const email = optionOrEnv(options.email, "JIRA_EMAIL");
      if (!email) {
        throw new ConfigurationError("jira: email is missing. Pass `email` to jira() or set JIRA_EMAIL.", {
          option: "email",
          env: "JIRA_EMAIL",
        });
      }
      token = await resolveSecret(options.apiToken, {
        env: "JIRA_API_TOKEN",
        option: "apiToken",
        integration: "jira",
      });
      return {
        authorization: `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`,
        accept: "application/json",
      };
    },
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? { requestsPerSecond: 10 }),
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => [token],
    authHint:
      "check JIRA_EMAIL/JIRA_API_TOKEN (scoped tokens need the api.atlassian.com/ex/jira/{cloudId} URL)",
    errorDetail: jiraErrorDetail,
  });
  const url = (path: string) => `${baseUrl()}${path}`;
  const refOf = (issue: { key: string }): ExternalRef => ({
    id: issue.key,
    url: `${baseUrl()}/browse/${issue.key}`,
  });
  const project = () => `project = ${jqlString(options.projectKey)}`;

  async function* search(jql: string, call: { fields?: string[]; signal?: AbortSignal } = {}) {
    let nextPageToken: string | undefined;
    do {
      const page = await http.post<{ issues: JiraIssue[]; isLast?: boolean; nextPageToken?: string }>(
        url("/rest/api/3/search/jql"),
        {
          json: {
            jql,
            fields: call.fields ?? ["summary", "status", "labels"],
            maxResults: 100,
            ...(nextPageToken ? { nextPageToken } : {}),
            ...(recentIds.length > 0 ? { reconcileIssues: recentIds } : {}),
          },
          idempotent: true,
          signal: call.signal,
        },
      );
      yield* page.issues;
      nextPageToken = page.isLast === false ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }

  async function accountIdFor(email: string, signal?: AbortSignal): Promise<string | undefined> {
    if (accountIds.has(email)) return accountIds.get(email);
    const users = await http.get<{ accountId: string; emailAddress?: string; active?: boolean }[]>(
      url("/rest/api/3/user/search"),
      { searchParams: { query: email }, signal },
    );
    // Jira often hides emailAddress (privacy settings): trust an exact match, else a single result whose
    // address is hidden; never a user whose visible address differs.
    const candidates = users.filter(
      (user) =>
        user.active !== false &&
        (!user.emailAddress || user.emailAddress.toLowerCase() === email.toLowerCase()),
    );
    const match =
      candidates.find((user) => user.emailAddress) ?? (candidates.length === 1 ? candidates[0] : undefined);
    accountIds.set(email, match?.accountId);
    return match?.accountId;
  }

  async function fieldsFor(action: Action, signal?: AbortSignal): Promise<JiraFields> {
    const view = caseView(action.case, { dueDate: action.dueDate, raw: options.raw });
    const labels = [jiraTrackingLabel, `cs-${trackingId(action.idempotencyKey)}`];
    const extraLabels = [...(options.labels ?? []), ...stringList(action.params.labels)].map((label) =>
      label.replace(/\s+/g, "-"),
    );
    const components = [...(options.components ?? []), ...stringList(action.params.components)];
    const fields: JiraFields = {
      project: { key: options.projectKey },
      issuetype: { name: options.issueType ?? "Task" },
      summary: truncate(view.title, 255),
      description: renderAdf(action.case, { dueDate: action.dueDate, raw: options.raw }),
      labels: [...new Set([...labels, ...extraLabels])],
      priority: { name: priorities[action.case.severity] },
      ...(action.dueDate ? { duedate: action.dueDate } : {}),
      ...(components.length > 0 ? { components: components.map((name) => ({ name })) } : {}),
    };
    const email = assigneeEmail(action);
    if (options.assignByEmail && email) {
      const accountId = await accountIdFor(email, signal);
      if (accountId) fields.assignee = { accountId };
    }
    const custom = options.toFields ? options.toFields(action, fields) : fields;
    return { ...custom, labels: [...new Set([...labels, ...(custom.labels ?? [])])] };
  }

  async function statusOf(issueKey: string, signal?: AbortSignal, changelog = false): Promise<JiraIssue> {
    return http.get<JiraIssue>(url(`/rest/api/3/issue/${encodeURIComponent(issueKey)}`), {
      searchParams: {
        fields: "status,resolution,updated,labels",
        ...(changelog ? { expand: "changelog" } : {}),
      },
      signal,
    });
  }

  async function transition(issueKey: string, to: "done" | "reopen", signal?: AbortSignal): Promise<void> {
    const issue = await statusOf(issueKey, signal);
    const category = issue.fields?.status?.statusCategory?.key;
    if (to === "done" ? category === "done" : category !== "done") return;
    const { transitions } = await http.get<{
      transitions: { id: string; name: string; to?: { statusCategory?: { key: string } } }[];
    }>(url(`/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`), { signal });
    const wanted = to === "done" ? ["done"] : ["new", "indeterminate"];
    const choice = wanted
      .map((key) => transitions.find((candidate) => candidate.to?.statusCategory?.key === key))
      .find(Boolean);
    if (!choice) {
      // Jira answered fine: the project's workflow lacks the transition, which only its admin can add.
      throw new ConfigurationError(
        `jira: ${issueKey} has no transition to a "${wanted.join('" or "')}" status in its workflow; add one or transition it by hand`,
      );
    }
    await http.request("POST", url(`/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`), {
      json: { transition: { id: choice.id } },
      responseType: "none",
      idempotent: true,
      signal,
    });
  }

  return {
    ...ticketSink("jira", ledgerOptionsOf(options, 120_000), {
      async find(key, signal) {
        const jql = `${project()} AND labels = ${jqlString(`cs-${trackingId(key)}`)} ORDER BY created ASC`;
        for await (const issue of search(jql, { signal })) return refOf(issue);
        return undefined;
      },
      async create(action, signal) {
        const fields = await fieldsFor(action, signal);
        const created = await http.post<{ id: string; key: string }>(url("/rest/api/3/issue"), {
          json: { fields },
          signal,
        });
        recentIds.push(Number(created.id));
        if (recentIds.length > 50) recentIds.shift();
        return refOf(created);
      },
      async update(action, ref, change, signal) {
        const issuePath = `/rest/api/3/issue/${encodeURIComponent(ref.id)}`;
        await http.post(url(`${issuePath}/comment`), {
          json: { body: adfParagraphs(describeChange(change, action.case, { raw: options.raw })) },
          signal,
        });
        if (change.severity) {
          await http.request("PUT", url(issuePath), {
            json: { fields: { priority: { name: priorities[action.case.severity] } } },
            searchParams: { notifyUsers: false },
            responseType: "none",
            signal,
          });
        }
        if (change.resolved) await transition(ref.id, "done", signal);
        if (change.regressed) await transition(ref.id, "reopen", signal);
      },
      async status(issueKey, signal) {
        const issue = await statusOf(issueKey, signal, true);
        const category = issue.fields?.status?.statusCategory?.key;
        const changedBy = statusAuthor(issue);
        return {
          ref: refOf(issue),
          state: category === "done" ? "done" : category === "indeterminate" ? "in_progress" : "open",
          nativeStatus: issue.fields?.status?.name ?? "unknown",
          resolution: issue.fields?.resolution?.name,
          updatedAt: issue.fields?.updated,
          ...(changedBy ? { changedBy } : {}),
        };
      },
      async *listTracked({ signal } = {}) {
        const jql = `${project()} AND labels = ${jqlString(jiraTrackingLabel)} ORDER BY created ASC`;
        for await (const issue of search(jql, { fields: ["labels"], signal })) {
          for (const label of issue.fields?.labels ?? []) {
            if (label.startsWith("cs-")) yield { trackingId: label.slice(3), ref: refOf(issue) };
          }
        }
      },
    }),
    search,
    async reopen(issueKey, comment, { signal } = {}) {
      await http.post(url(`/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`), {
        json: { body: adfParagraphs(comment) },
        signal,
      });
      await transition(issueKey, "reopen", signal);
    },
  };
}

/** Quotes a value for JQL. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The account id of whoever made the issue's latest status change, from its changelog. */
function statusAuthor(issue: JiraIssue): string | undefined {
  let latest: { at: number; accountId: string } | undefined;
  for (const history of issue.changelog?.histories ?? []) {
    const at = Date.parse(history.created ?? "");
    const accountId = history.author?.accountId;
    if (!accountId || !history.items?.some((item) => item.field === "status")) continue;
    // The order of `histories` is not relied on: the latest `created` wins.
    if (!latest || at > latest.at) latest = { at, accountId };
  }
  return latest?.accountId;
}

/** The assignee's address, only when the value is exactly one well-formed address. */
function assigneeEmail(action: Action): string | undefined {
  return emailAddress(action.params.assigneeEmail) ?? emailAddress(action.case.context?.owner?.value);
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function jiraErrorDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(errorMessages) ? errorMessages.filter((m) => typeof m === "string") : [];
  if (typeof errors === "object" && errors !== null) {
    for (const [field, message] of Object.entries(errors)) messages.push(`${field}: ${String(message)}`);
  }
  return messages.length > 0 ? messages.join("; ") : undefined;
}
