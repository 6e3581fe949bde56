import type { JiraOptions } from "../../sinks/jira/jira.js";
import type { Estate } from "../estate.js";
import type { Emulation, SandboxFaults } from "./emulation.js";
import { createFaults, droppedConnection, type Faults, jsonResponse, maxSearchLag } from "./faults.js";

/** What `startSandbox()` exposes as `sandbox.jira`: the options `jira()` takes, minus `projectKey`. */
export type JiraSandboxOptions = Required<Pick<JiraOptions, "baseUrl" | "email" | "apiToken" | "settleMs">>;

/** Options of {@link jiraEmulation}. */
export interface JiraEmulationOptions {
  /** The account the emulation accepts. @default { email: "bot@example.com", apiToken: "sandbox-jira-token" } */
  credentials?: { email: string; apiToken: string };
  /** Users `/rest/api/3/user/search` finds (any `*@example.com` address also resolves). */
  users?: { accountId: string; emailAddress: string; displayName: string }[];
  /** The sandbox estate: its owners become Jira users. */
  estate?: Estate;
  /** Fault configuration, or the sandbox's fault machinery for this emulation. */
  faults?: SandboxFaults | Faults;
  /** The clock the search lag (`faults.searchLagMs`) runs on. @default Date.now */
  clock?: () => number;
}

/** A stored issue, as the emulation keeps it. */
export interface EmulatedJiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & {
    labels: string[];
    status: JiraStatus;
    resolution: { name: string } | null;
  };
  comments: { id: string; body: unknown; created: string }[];
  /** Status changes, oldest first, as `expand=changelog` and webhooks report them. */
  histories: JiraHistory[];
  created: number;
}

/** One changelog entry: who changed the status, when, from what to what. */
export interface JiraHistory {
  id: string;
  author: { accountId: string; emailAddress?: string; displayName: string };
  created: string;
  items: {
    field: "status";
    fieldtype: "jira";
    from: string;
    fromString: string;
    to: string;
    toString: string;
  }[];
}

/** The Jira emulation, with inspection and "human" helpers for tests. */
export interface JiraEmulation extends Emulation<JiraSandboxOptions> {
  readonly faults: Faults;
  /** Every issue created so far, in creation order. */
  issues(): EmulatedJiraIssue[];
  /** Moves an issue to the status of a category, as a person would in the UI. */
  setStatus(key: string, category: "new" | "indeterminate" | "done"): void;
  /**
   * Moves an issue to a status of its workflow by name (an `Exception` issue: `Approved`, `Rejected`,
   * `Awaiting Approval`), as the user with account id `by` would, and returns the `jira:issue_updated`
   * webhook body Jira would send for it.
   */
  transition(key: string, status: string, by: string): JiraIssueUpdatedEvent;
}

/** The `jira:issue_updated` webhook body of a status change (the fields cloudsteward reads). */
export interface JiraIssueUpdatedEvent {
  timestamp: number;
  webhookEvent: "jira:issue_updated";
  issue_event_type_name: "issue_generic";
  user: JiraHistory["author"];
  issue: { id: string; key: string; fields: { status: JiraStatus; labels: string[]; issuetype: unknown } };
  changelog: { id: string; items: JiraHistory["items"] };
}

interface JiraStatus {
  id: string;
  name: string;
  statusCategory: { id: number; key: "new" | "indeterminate" | "done"; name: string };
}

const statuses: Record<"new" | "indeterminate" | "done", JiraStatus> = {
  new: { id: "10000", name: "To Do", statusCategory: { id: 2, key: "new", name: "To Do" } },
  indeterminate: {
    id: "3",
    name: "In Progress",
    statusCategory: { id: 4, key: "indeterminate", name: "In Progress" },
  },
  done: { id: "10001", name: "Done", statusCategory: { id: 3, key: "done", name: "Done" } },
};
const transitions = [
  { id: "11", name: "To Do", to: statuses.new },
  { id: "21", name: "In Progress", to: statuses.indeterminate },
  { id: "31", name: "Done", to: statuses.done },
];
/** The workflow of the `Exception` issue type: awaiting approval, then approved or rejected. */
const exceptionStatuses: Record<"awaiting" | "approved" | "rejected", JiraStatus> = {
  awaiting: {
    id: "10100",
    name: "Awaiting Approval",
    statusCategory: { id: 2, key: "new", name: "To Do" },
  },
  approved: { id: "10101", name: "Approved", statusCategory: { id: 3, key: "done", name: "Done" } },
  rejected: { id: "10102", name: "Rejected", statusCategory: { id: 3, key: "done", name: "Done" } },
};
const exceptionTransitions = [
  { id: "41", name: "Approve", to: exceptionStatuses.approved },
  { id: "51", name: "Reject", to: exceptionStatuses.rejected },
  { id: "61", name: "Reopen", to: exceptionStatuses.awaiting },
];
const issueTypes = ["Task", "Bug", "Story", "Epic", "Exception"];
const botAuthor = { accountId: "sandbox-bot", displayName: "cloudsteward" };
const priorities = ["Highest", "High", "Medium", "Low", "Lowest"];

/**
 * A stateful emulation of the Jira Cloud REST API v3 subset cloudsteward uses: create, read,
 * edit, comment, transitions, enhanced JQL search (`/rest/api/3/search/jql` with `nextPageToken`;
 * the removed `/rest/api/3/search` answers 410) and user search, with Basic auth and Jira's error bodies.
 * @example
 * const emulation = jiraEmulation();
 * const sink = jira({ ...emulation.options("http://127.0.0.1:4010/jira"), projectKey: "SEC", fetch: emulationFetch });
 */
export function jiraEmulation(options: JiraEmulationOptions = {}): JiraEmulation {
  const credentials = options.credentials ?? { email: "bot@example.com", apiToken: "sandbox-jira-token" };
  const faults = options.faults && "before" in options.faults ? options.faults : createFaults(options.faults);
  const users = [
    ...(options.users ?? []),
    ...(options.estate?.owners ?? []).map((owner) => ({
      accountId: owner.jiraAccountId,
      emailAddress: owner.email,
      displayName: owner.name,
    })),
  ];
  const clock = options.clock ?? Date.now;
  const issues: EmulatedJiraIssue[] = [];
  /** When each issue (by id) shows up in searches. */
  const visibleAt = new Map<string, number>();
  const byKey = new Map<string, EmulatedJiraIssue>();
  const counters = new Map<string, number>();
  let commentId = 10_000;

  const findIssue = (idOrKey: string) => byKey.get(idOrKey) ?? issues.find((issue) => issue.id === idOrKey);
  const setStatus = (
    issue: EmulatedJiraIssue,
    status: JiraStatus,
    author: JiraHistory["author"] = botAuthor,
  ) => {
    const from = issue.fields.status;
    issue.fields.status = status;
    issue.fields.resolution = status.statusCategory.key === "done" ? { name: "Done" } : null;
    const at = new Date().toISOString();
    issue.fields.updated = at;
    issue.histories.push({
      id: String(20_000 + issues.reduce((sum, item) => sum + item.histories.length, 0)),
      author,
      created: at,
      items: [
        {
          field: "status",
          fieldtype: "jira",
          from: from.id,
          fromString: from.name,
          to: status.id,
          toString: status.name,
        },
      ],
    });
  };
  const workflowOf = (issue: EmulatedJiraIssue) =>
    (issue.fields.issuetype as { name?: string } | undefined)?.name === "Exception"
      ? exceptionTransitions
      : transitions;

  async function route(request: Request, path: string, origin: string): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    if (/^\/rest\/api\/(2|3|latest)\/search(\/id)?$/.test(path)) {
      return error(410, [
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
      ]);
    }
    if (path === "/rest/api/3/search/jql") {
      const body = method === "POST" ? await readJson(request) : undefined;
      const input = body ?? {
        jql: url.searchParams.get("jql") ?? "",
        fields: url.searchParams.get("fields")?.split(",") ?? [],
        maxResults: Number(url.searchParams.get("maxResults") ?? 50),
        nextPageToken: url.searchParams.get("nextPageToken") ?? undefined,
      };
      return search(input as SearchInput, origin);
    }
    if (path === "/rest/api/3/myself" && method === "GET") {
      // Who the credentials belong to: the cheap authenticated call `cloudsteward run` checks first.
      return jsonResponse(200, { accountId: "sandbox-bot", emailAddress: credentials.email, active: true });
    }
    if (path === "/rest/api/3/user/search" && method === "GET") {
      const query = (url.searchParams.get("query") ?? "").toLowerCase();
      if (!query) return error(400, ["The query parameter 'query' is required."]);
      return jsonResponse(200, usersMatching(query, users));
    }
    if (path === "/rest/api/3/issue" && method === "POST") return create(await readJson(request), origin);
    const match = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(path);
    if (match) {
      const issue = findIssue(decodeURIComponent(match[1]!));
      if (!issue) return error(404, ["Issue does not exist or you do not have permission to see it."]);
      const sub = match[2];
      if (!sub && method === "GET") {
        const fields = url.searchParams.get("fields")?.split(",");
        const expand = url.searchParams.get("expand")?.split(",") ?? [];
        return jsonResponse(200, {
          ...present(issue, fields ?? ["*all"], origin),
          // Jira lists the most recent change first.
          ...(expand.includes("changelog")
            ? {
                changelog: {
                  startAt: 0,
                  maxResults: issue.histories.length,
                  total: issue.histories.length,
                  histories: structuredClone(issue.histories).reverse(),
                },
              }
            : {}),
        });
      }
      if (!sub && method === "PUT") {
        const body = await readJson(request);
        const fields = (body?.fields ?? {}) as Record<string, unknown>;
        const invalid = validateFields(fields, false);
        if (invalid) return jsonResponse(400, { errorMessages: [], errors: invalid });
        Object.assign(issue.fields, fields, { updated: new Date().toISOString() });
        return new Response(null, { status: 204 });
      }
      if (sub === "/comment" && method === "POST") {
        const body = await readJson(request);
        if (!isAdf(body?.body))
          return jsonResponse(400, { errorMessages: [], errors: { comment: "Comment body is not valid!" } });
        const comment = { id: String(commentId++), body: body!.body, created: new Date().toISOString() };
        issue.comments.push(comment);
        return jsonResponse(201, {
          ...comment,
          self: `${origin}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
        });
      }
      if (sub === "/comment" && method === "GET") {
        return jsonResponse(200, {
          comments: issue.comments,
          startAt: 0,
          maxResults: 5000,
          total: issue.comments.length,
        });
      }
      if (sub === "/transitions" && method === "GET") {
        return jsonResponse(200, {
          transitions: workflowOf(issue).map((t) => ({ ...t, hasScreen: false, isAvailable: true })),
        });
      }
      if (sub === "/transitions" && method === "POST") {
        const body = await readJson(request);
        const id = (body?.transition as { id?: string } | undefined)?.id;
        const transition = workflowOf(issue).find((t) => t.id === id);
        if (!transition) return error(400, [`Transition id '${id}' is not valid for this issue.`]);
        setStatus(issue, transition.to);
        return new Response(null, { status: 204 });
      }
    }
    return error(404, [`No emulated endpoint for ${method} ${path}.`]);
  }

  function create(body: Record<string, unknown> | undefined, origin: string): Response {
    const fields = (body?.fields ?? {}) as Record<string, unknown>;
    const invalid = validateFields(fields, true);
    if (invalid) return jsonResponse(400, { errorMessages: [], errors: invalid });
    const project = String((fields.project as { key?: string }).key);
    const number = (counters.get(project) ?? 0) + 1;
    counters.set(project, number);
    const now = new Date().toISOString();
    const issue: EmulatedJiraIssue = {
      id: String(10_000 + issues.length + 1),
      key: `${project}-${number}`,
      fields: {
        ...fields,
        labels: (fields.labels as string[] | undefined) ?? [],
        status:
          (fields.issuetype as { name?: string }).name === "Exception"
            ? exceptionStatuses.awaiting
            : statuses.new,
        resolution: null,
        created: now,
        updated: now,
      },
      comments: [],
      histories: [],
      created: issues.length,
    };
    issues.push(issue);
    byKey.set(issue.key, issue);
    visibleAt.set(issue.id, clock() + faults.searchLag());
    const outcome = faults.afterCreate();
    if (outcome === "lost") return droppedConnection();
    if (outcome === "server-error")
      return error(502, ["Bad gateway: the issue service did not answer in time."]);
    return jsonResponse(201, {
      id: issue.id,
      key: issue.key,
      self: `${origin}/rest/api/3/issue/${issue.id}`,
    });
  }

  function search(input: SearchInput, origin: string): Response {
    let query: ParsedJql;
    try {
      query = parseJql(String(input.jql ?? ""));
    } catch (failure) {
      return error(400, [(failure as Error).message]);
    }
    let offset = 0;
    if (input.nextPageToken) {
      const decoded = decodeToken(input.nextPageToken);
      if (!decoded || decoded.jql !== input.jql)
        return error(400, ["The provided next page token is invalid or expired."]);
      offset = decoded.offset;
    }
    // The index lags behind creates; issues named in `reconcileIssues` are read after write.
    const reconciled = new Set(
      (Array.isArray(input.reconcileIssues) ? input.reconcileIssues : []).map(String),
    );
    const now = clock();
    const matches = issues.filter(
      (issue) =>
        ((visibleAt.get(issue.id) ?? 0) <= now || reconciled.has(issue.id)) &&
        query.clauses.every((clause) => matchClause(issue, clause)),
    );
    // Creation order stands in for `created` and `key` (both grow with each create).
    if (query.order?.descending) matches.reverse();
    const limit = Math.min(Math.max(1, Number(input.maxResults ?? 50) || 50), 5000);
    const page = matches.slice(offset, offset + limit);
    const isLast = offset + limit >= matches.length;
    const fields = Array.isArray(input.fields) ? input.fields.map(String).filter(Boolean) : [];
    return jsonResponse(200, {
      issues: page.map((issue) => (fields.length > 0 ? present(issue, fields, origin) : { id: issue.id })),
      isLast,
      ...(isLast ? {} : { nextPageToken: encodeToken({ offset: offset + limit, jql: String(input.jql) }) }),
    });
  }

  return {
    name: "jira",
    faults,
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (!authorized(request.headers.get("authorization"), credentials)) {
        return error(401, ["You are not authenticated. Authentication required to perform this operation."]);
      }
      const url = new URL(request.url);
      const origin = `${url.origin}${url.pathname.slice(0, url.pathname.length - path.length)}`;
      return route(request, path, origin);
    },
    options: (baseUrl) => ({
      baseUrl,
      email: credentials.email,
      apiToken: credentials.apiToken,
      // A sink needs a settle window as long as the search can lag.
      settleMs: maxSearchLag(faults.config),
    }),
    issues: () => issues.map((issue) => structuredClone(issue)),
    setStatus(key, category) {
      const issue = byKey.get(key);
      if (!issue) throw new Error(`jira emulation: no issue ${key}`);
      setStatus(issue, statuses[category]);
    },
    transition(key, status, by) {
      const issue = byKey.get(key);
      if (!issue) throw new Error(`jira emulation: no issue ${key}`);
      const target = workflowOf(issue).find((item) => item.to.name.toLowerCase() === status.toLowerCase());
      if (!target) throw new Error(`jira emulation: ${key}'s workflow has no status "${status}"`);
      const user = users.find((candidate) => candidate.accountId === by);
      const author = user ?? { accountId: by, displayName: by };
      setStatus(issue, target.to, author);
      const history = issue.histories.at(-1)!;
      return {
        timestamp: Date.parse(history.created),
        webhookEvent: "jira:issue_updated",
        issue_event_type_name: "issue_generic",
        user: author,
        issue: {
          id: issue.id,
          key: issue.key,
          fields: {
            status: structuredClone(issue.fields.status),
            labels: [...issue.fields.labels],
            issuetype: issue.fields.issuetype,
          },
        },
        changelog: { id: history.id, items: structuredClone(history.items) },
      };
    },
  };
}

interface SearchInput {
  jql?: string;
  reconcileIssues?: unknown[];
  fields?: unknown[];
  maxResults?: number;
  nextPageToken?: string;
}

interface Clause {
  field: "project" | "labels" | "statuscategory" | "status" | "key";
  negate: boolean;
  values: string[];
}

interface ParsedJql {
  clauses: Clause[];
  order?: { field: string; descending: boolean };
}

/** Parses the JQL subset: `field = v`, `field != v`, `field in (a, b)`, `field not in (…)`, joined by AND, plus ORDER BY. */
function parseJql(jql: string): ParsedJql {
  const tokens = jql.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|!=|[=(),]|[^\s=!(),]+/g) ?? [];
  const clauses: Clause[] = [];
  let order: ParsedJql["order"];
  let index = 0;
  const next = () => tokens[index++];
  const value = (token: string | undefined) => {
    if (token === undefined)
      throw new Error("Error in the JQL Query: Expecting a value but got the end of the query.");
    return /^["']/.test(token) ? token.slice(1, -1).replace(/\\(.)/g, "$1") : token;
  };
  while (index < tokens.length) {
    const token = next()!;
    if (token.toUpperCase() === "AND") continue;
    if (token.toUpperCase() === "ORDER") {
      if (next()?.toUpperCase() !== "BY")
        throw new Error("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
      const field = value(next()).toLowerCase();
      const direction = tokens[index]?.toUpperCase();
      if (direction === "ASC" || direction === "DESC") index++;
      order = { field, descending: direction === "DESC" };
      continue;
    }
    const field = token.toLowerCase();
    if (!["project", "labels", "statuscategory", "status", "key"].includes(field)) {
      throw new Error(`Field '${token}' does not exist or you do not have permission to view it.`);
    }
    let operator = next()?.toLowerCase();
    let negate = false;
    if (operator === "not") {
      negate = true;
      operator = next()?.toLowerCase();
      if (operator !== "in") throw new Error("Error in the JQL Query: Expecting 'in' after 'not'.");
    }
    const values: string[] = [];
    if (operator === "=" || operator === "!=") {
      negate = operator === "!=";
      values.push(value(next()));
    } else if (operator === "in") {
      if (next() !== "(") throw new Error("Error in the JQL Query: Expecting '(' after 'in'.");
      for (let item = next(); item !== ")"; item = next()) {
        if (item === undefined)
          throw new Error("Error in the JQL Query: Expecting ')' before the end of the query.");
        if (item !== ",") values.push(value(item));
      }
    } else {
      throw new Error(
        `Error in the JQL Query: The operator '${operator ?? ""}' is not supported by the sandbox.`,
      );
    }
    clauses.push({ field: field as Clause["field"], negate, values });
  }
  if (clauses.length === 0) {
    throw new Error(
      "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
    );
  }
  return { clauses, order };
}

function matchClause(issue: EmulatedJiraIssue, clause: Clause): boolean {
  const wanted = clause.values.map((item) => item.toLowerCase());
  let actual: string[];
  if (clause.field === "project")
    actual = [String((issue.fields.project as { key?: string }).key).toLowerCase()];
  else if (clause.field === "labels") actual = issue.fields.labels.map((label) => label.toLowerCase());
  else if (clause.field === "key") actual = [issue.key.toLowerCase()];
  else if (clause.field === "status") actual = [issue.fields.status.name.toLowerCase()];
  else {
    const category = issue.fields.status.statusCategory;
    actual = [category.key, category.name.toLowerCase()];
  }
  const hit = actual.some((item) => wanted.includes(item));
  return clause.negate ? !hit : hit;
}

function present(issue: EmulatedJiraIssue, fields: string[], origin: string) {
  const all = fields.includes("*all") || fields.includes("*navigable");
  const selected = all
    ? issue.fields
    : Object.fromEntries(
        fields.filter((name) => name in issue.fields).map((name) => [name, issue.fields[name]]),
      );
  return {
    id: issue.id,
    key: issue.key,
    self: `${origin}/rest/api/3/issue/${issue.id}`,
    fields: structuredClone(selected),
  };
}

function validateFields(
  fields: Record<string, unknown>,
  creating: boolean,
): Record<string, string> | undefined {
  const errors: Record<string, string> = {};
  if (creating) {
    const project = fields.project as { key?: unknown } | undefined;
    if (typeof project?.key !== "string" || !/^[A-Z][A-Z0-9_]+$/.test(project.key))
      errors.project = "valid project is required";
    const type = fields.issuetype as { name?: unknown } | undefined;
    if (typeof type?.name !== "string" || !issueTypes.includes(type.name))
      errors.issuetype = "Specify a valid issue type";
    if (typeof fields.summary !== "string" || fields.summary.trim() === "")
      errors.summary = "You must specify a summary of the issue.";
  }
  if (typeof fields.summary === "string" && fields.summary.length > 255)
    errors.summary = "Summary must be less than 255 characters.";
  if (fields.description !== undefined && !isAdf(fields.description)) {
    errors.description = "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
  }
  if (fields.labels !== undefined) {
    const labels = fields.labels;
    const bad = Array.isArray(labels)
      ? labels.find((label) => typeof label !== "string" || /\s/.test(label) || label.length > 255)
      : "labels";
    if (bad !== undefined) errors.labels = `The label '${String(bad)}' contains spaces which is invalid.`;
  }
  if (
    fields.priority !== undefined &&
    !priorities.includes(String((fields.priority as { name?: unknown }).name))
  ) {
    errors.priority = "Specify the Priority (name) in the string format";
  }
  if (fields.duedate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(fields.duedate))) {
    errors.duedate = "Error parsing date string: " + String(fields.duedate);
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** The ADF rules Jira enforces that cloudsteward could break: root shape, non-empty text, no bare text in list items. */
function isAdf(doc: unknown): boolean {
  if (typeof doc !== "object" || doc === null) return false;
  const root = doc as { version?: unknown; type?: unknown; content?: unknown };
  if (root.version !== 1 || root.type !== "doc" || !Array.isArray(root.content)) return false;
  const valid = (node: unknown, parent: string): boolean => {
    if (typeof node !== "object" || node === null) return false;
    const { type, text, content } = node as { type?: unknown; text?: unknown; content?: unknown };
    if (typeof type !== "string") return false;
    if (type === "text")
      return typeof text === "string" && text.length > 0 && parent !== "listItem" && parent !== "doc";
    if (type === "heading" && typeof (node as { attrs?: { level?: unknown } }).attrs?.level !== "number")
      return false;
    if ((parent === "bulletList" || parent === "orderedList") && type !== "listItem") return false;
    return content === undefined || (Array.isArray(content) && content.every((child) => valid(child, type)));
  };
  return root.content.every((node) => valid(node, "doc"));
}

function usersMatching(query: string, users: NonNullable<JiraEmulationOptions["users"]>) {
  const found = users
    .filter(
      (user) =>
        user.emailAddress.toLowerCase().startsWith(query) || user.displayName.toLowerCase().startsWith(query),
    )
    .map((user) => ({ ...user, accountType: "atlassian", active: true }));
  if (found.length === 0 && /^[^@\s]+@example\.com$/.test(query)) {
    const accountId = `5b10ac8d82e05b22cc${Buffer.from(query).toString("hex").slice(0, 6)}`;
    found.push({
      accountId,
      emailAddress: query,
      displayName: query.split("@")[0]!,
      accountType: "atlassian",
      active: true,
    });
  }
  return found;
}

function authorized(header: string | null, credentials: { email: string; apiToken: string }): boolean {
  if (!header?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  return decoded === `${credentials.email}:${credentials.apiToken}`;
}

function error(status: number, messages: string[]): Response {
  return jsonResponse(status, { errorMessages: messages, errors: {} });
}

async function readJson(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    return (await request.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function encodeToken(value: { offset: number; jql: string }): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeToken(token: string): { offset: number; jql: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      offset?: unknown;
      jql?: unknown;
    };
    return typeof value.offset === "number" && typeof value.jql === "string"
      ? { offset: value.offset, jql: value.jql }
      : undefined;
  } catch {
    return undefined;
  }
}
