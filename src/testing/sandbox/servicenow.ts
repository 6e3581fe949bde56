import { randomBytes } from "node:crypto";
import { sha256Hex } from "../../core/fingerprint.js";
import type { ServiceNowOptions } from "../../sinks/servicenow/servicenow.js";
import {
  type ServiceNowChoice,
  serviceNowInitialStates,
  serviceNowStates,
  serviceNowStatesFromChoices,
} from "../../sinks/servicenow/states.js";
import type { Estate, EstateOwner } from "../estate.js";
import type { Emulation, SandboxFaults } from "./emulation.js";
import { createFaults, droppedConnection, type Faults, jsonResponse, maxSearchLag } from "./faults.js";

/** What `startSandbox()` exposes as `sandbox.servicenow`: the options `servicenow()` takes. */
export type ServiceNowSandboxOptions = Required<
  Pick<ServiceNowOptions, "instanceUrl" | "username" | "password" | "settleMs">
>;

/** Options of {@link servicenowEmulation}. */
export interface ServiceNowEmulationOptions {
  /** The user the emulation accepts. @default { username: "cloudsteward", password: "sandbox-servicenow-password" } */
  credentials?: { username: string; password: string };
  /** Bearer tokens the emulation also accepts. @default ["sandbox-servicenow-token"] */
  tokens?: string[];
  /** Fault configuration, or the sandbox's fault machinery for this emulation. */
  faults?: SandboxFaults | Faults;
  /**
   * The estate the CMDB describes: one `cmdb_ci` per resource (a few missing, a few whose owner
   * disagrees with the tags), a `sys_user` per owner and a `sys_user_group` per team. Without it the CMDB is empty.
   */
  estate?: Estate;
  /**
   * The `state` choices `sys_choice` serves per table, in list order, replacing the built-in ones (to
   * emulate a customized instance); new records of such a table start in its first choice.
   */
  stateChoices?: Record<string, Pick<ServiceNowChoice, "value" | "label">[]>;
  /** The clock the search lag (`faults.searchLagMs`) runs on. @default Date.now */
  clock?: () => number;
}

/** A stored record: every value a string, as the Table API returns them. */
export type EmulatedServiceNowRecord = Record<string, string>;

/** A field as the Table API renders it: a string, or an object for references and `sysparm_display_value=all`. */
type RenderedField = string | { value?: string; display_value?: string; link?: string };

/** The ServiceNow emulation, with inspection and "human" helpers for tests. */
export interface ServiceNowEmulation extends Emulation<ServiceNowSandboxOptions> {
  readonly faults: Faults;
  /** The records of a table, in creation order. */
  records(table: string): EmulatedServiceNowRecord[];
  /** Work notes appended to a record (journal fields are write-only through the API). */
  workNotes(table: string, sysId: string): string[];
  /**
   * Sets a record's state, as a person would in the UI (`sys_updated_by` becomes `by`, default
   * `admin`), and returns what an after-update business rule posts to `/exceptions/servicenow`
   * (docs/sinks.md).
   */
  setState(table: string, sysId: string, state: string, by?: string): ServiceNowStateChange;
}

/** The body a state-change business rule posts (docs/sinks.md), plus the record's table, sys_id and number. */
export interface ServiceNowStateChange {
  table: string;
  sys_id: string;
  number: string;
  correlation_id: string;
  state: string;
  sys_updated_by: string;
}

const prefixes: Record<string, string> = {
  incident: "INC",
  sn_si_incident: "SIR",
  sn_vul_vulnerable_item: "VIT",
  sn_risk_risk: "RSK",
  sn_compliance_policy_exception: "PER",
  sn_grc_issue: "ISS",
};
/**
 * The out-of-the-box `state` choices (language `en`) of the task tables, in list order. `incident`'s
 * are documented; the others are the common values of the security, vulnerability and GRC apps.
 */
const builtinStateChoices: Record<string, [value: string, label: string][]> = {
  incident: [
    ["1", "New"],
    ["2", "In Progress"],
    ["3", "On Hold"],
    ["6", "Resolved"],
    ["7", "Closed"],
    ["8", "Canceled"],
  ],
  sn_si_incident: [
    ["10", "Draft"],
    ["16", "Analysis"],
    ["18", "Contain"],
    ["19", "Eradicate"],
    ["20", "Recover"],
    ["100", "Review"],
    ["3", "Closed"],
    ["7", "Cancelled"],
  ],
  sn_vul_vulnerable_item: [
    ["1", "Open"],
    ["2", "Under Investigation"],
    ["11", "In Review"],
    ["3", "Closed"],
  ],
  sn_risk_risk: [
    ["draft", "Draft"],
    ["assess", "Assess"],
    ["respond", "Respond"],
    ["monitor", "Monitor"],
    ["retired", "Retired"],
  ],
  sn_compliance_policy_exception: [
    ["1", "New"],
    ["2", "Analyze"],
    ["10", "Risk Assessment"],
    ["12", "Review"],
    ["6", "Awaiting Approval"],
    ["8", "Approved"],
    ["7", "Rejected"],
    ["3", "Closed"],
  ],
  sn_grc_issue: [
    ["new", "New"],
    ["analyze", "Analyze"],
    ["respond", "Respond"],
    ["review", "Review"],
    ["closed", "Closed"],
  ],
};
const taskColumns = [
  "sys_id",
  "number",
  "state",
  "active",
  "short_description",
  "description",
  "impact",
  "urgency",
  "priority",
  "assignment_group",
  "assigned_to",
  "caller_id",
  "correlation_id",
  "correlation_display",
  "work_notes",
  "comments",
  "close_code",
  "close_notes",
  "due_date",
  "category",
  "subcategory",
  "sys_created_on",
  "sys_updated_on",
  "sys_updated_by",
];
const journalColumns = new Set(["work_notes", "comments"]);
/** Reference columns and the table they point at. */
const referenceColumns: Record<string, string> = {
  owned_by: "sys_user",
  managed_by: "sys_user",
  assigned_to: "sys_user",
  caller_id: "sys_user",
  support_group: "sys_user_group",
  assignment_group: "sys_user_group",
};
/**
 * The column a referenced record displays as. This instance shows users by email (the way resource
 * tags and the chat and ticketing emulations name people), so CMDB and tag owners compare as equals.
 */
const displayColumns: Record<string, string> = { sys_user: "email", sys_user_group: "name" };

/**
 * A stateful emulation of the ServiceNow Table API subset cloudsteward uses (create, query with a
 * `sysparm_query` subset, read, update, work notes), with Basic or bearer auth, ServiceNow's error
 * bodies, and its trap: an unknown field in `sysparm_query` is silently ignored. `sys_choice` lists the
 * `state` choices of its task tables, and a record is `active` unless its state is a done one. Given
 * an estate, it also serves a CMDB: `cmdb_ci` (and its `cmdb_ci_*` classes, by `sys_class_name`), `sys_user` and
 * `sys_user_group`, with reference fields rendered per `sysparm_display_value` and
 * `sysparm_exclude_reference_link`.
 * @example
 * const emulation = servicenowEmulation();
 * const sink = servicenow({ ...emulation.options("http://127.0.0.1:4010/servicenow"), fetch });
 */
export function servicenowEmulation(options: ServiceNowEmulationOptions = {}): ServiceNowEmulation {
  const credentials = options.credentials ?? {
    username: "cloudsteward",
    password: "sandbox-servicenow-password",
  };
  const tokens = options.tokens ?? ["sandbox-servicenow-token"];
  const faults = options.faults && "before" in options.faults ? options.faults : createFaults(options.faults);
  const clock = options.clock ?? Date.now;
  const tables = new Map<string, EmulatedServiceNowRecord[]>();
  /** When each created record (by sys_id) shows up in queries. */
  const visibleAt = new Map<string, number>();
  const journals = new Map<string, string[]>();
  let counter = 10_000;

  const tableOf = (name: string) => {
    let records = tables.get(name);
    if (!records) {
      records = [];
      tables.set(name, records);
    }
    return records;
  };
  if (options.estate) {
    for (const [table, records] of Object.entries(seedCmdb(options.estate))) tables.set(table, records);
  }
  const choices: Record<string, Pick<ServiceNowChoice, "value" | "label">[]> = {
    ...Object.fromEntries(
      Object.entries(builtinStateChoices).map(([table, list]) => [
        table,
        list.map(([value, label]) => ({ value, label })),
      ]),
    ),
    ...options.stateChoices,
  };
  tables.set("sys_choice", seedChoices(choices));
  /** The states in which a record of the table is inactive, as its choices' labels say. */
  const doneStates = (table: string) =>
    (
      serviceNowStatesFromChoices(choices[table] ?? []) ??
      serviceNowStates[table] ??
      serviceNowStates.incident!
    ).done;
  /** CI classes live in `cmdb_ci`; a `cmdb_ci_<class>` table reads the CIs of that class. */
  const storeOf = (table: string) => (table.startsWith("cmdb_ci_") ? "cmdb_ci" : table);
  const view = (table: string) =>
    storeOf(table) === table
      ? tableOf(table)
      : tableOf(storeOf(table)).filter((record) => record.sys_class_name === table);
  const isTask = (table: string) => !table.startsWith("cmdb") && !table.startsWith("sys_");
  const write = (
    table: string,
    record: EmulatedServiceNowRecord,
    values: Record<string, unknown>,
    by: string = credentials.username,
  ) => {
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined || value === null) continue;
      if (journalColumns.has(column)) {
        const key = `${table}/${record.sys_id}/${column}`;
        journals.set(key, [...(journals.get(key) ?? []), String(value)]);
        continue;
      }
      record[column] = String(value);
    }
    if (!isTask(table)) {
      record.sys_updated_on = timestamp();
      return;
    }
    record.active = doneStates(table).includes(record.state ?? "") ? "false" : "true";
    record.priority = priorityOf(record.impact, record.urgency);
    record.sys_updated_on = timestamp();
    record.sys_updated_by = by;
  };
  const known = (table: string, column: string) =>
    (isTask(table) && taskColumns.includes(column)) || view(table).some((record) => column in record);
  /** A record as the Table API renders it, per `sysparm_fields`, `sysparm_display_value` and `sysparm_exclude_reference_link`. */
  const render = (
    record: EmulatedServiceNowRecord,
    url: URL,
    origin: string,
  ): Record<string, RenderedField> => {
    const fields = url.searchParams.get("sysparm_fields")?.split(",").filter(Boolean);
    const display = url.searchParams.get("sysparm_display_value") ?? "false";
    const links = url.searchParams.get("sysparm_exclude_reference_link") !== "true";
    const base: Record<string, string> = { ...record, work_notes: "", comments: "" };
    const rendered: Record<string, RenderedField> = {};
    for (const column of fields ?? Object.keys(base)) {
      const value = base[column] ?? "";
      const target = referenceColumns[column];
      const referenced = target && value ? tableOf(target).find((item) => item.sys_id === value) : undefined;
      if (!target || !referenced) {
        rendered[column] = display === "all" ? { display_value: value, value } : value;
        continue;
      }
      const shown = referenced[displayColumns[target] ?? "name"] ?? "";
      const link = links ? { link: `${origin}/api/now/table/${target}/${value}` } : {};
      if (display === "all") rendered[column] = { display_value: shown, ...link, value };
      else if (display === "true") rendered[column] = links ? { display_value: shown, ...link } : shown;
      else rendered[column] = links ? { ...link, value } : value;
    }
    return rendered;
  };

  async function route(request: Request, path: string, origin: string): Promise<Response> {
    const match = /^\/api\/now(?:\/v[12])?\/table\/([A-Za-z0-9_]+)(?:\/([A-Za-z0-9]+))?$/.exec(path);
    if (!match) return failure(400, "Requested URI does not represent any resource", null);
    const table = match[1]!;
    const sysId = match[2];
    const url = new URL(request.url);
    const records = view(table);
    const method = request.method;
    if (
      (method === "POST" || method === "PATCH" || method === "PUT") &&
      !request.headers.get("content-type")?.includes("json")
    ) {
      return failure(415, "Unsupported Media Type", "Content-Type must be application/json");
    }
    if (!sysId && method === "GET") {
      const now = clock();
      const matched = filter(
        records.filter((record) => (visibleAt.get(record.sys_id ?? "") ?? 0) <= now),
        url.searchParams.get("sysparm_query") ?? "",
        (column) => known(table, column),
      );
      const offset = Number(url.searchParams.get("sysparm_offset") ?? 0);
      const limit = Number(url.searchParams.get("sysparm_limit") ?? 10_000);
      const page = matched.slice(offset, offset + limit).map((record) => render(record, url, origin));
      const headers: Record<string, string> =
        url.searchParams.get("sysparm_no_count") === "true"
          ? {}
          : { "x-total-count": String(matched.length) };
      return jsonResponse(200, { result: page }, headers);
    }
    if (!sysId && method === "POST") {
      const body = await readJson(request);
      if (!body) return failure(400, "Exception while reading request", "The payload is not valid JSON.");
      const number = `${prefixes[table] ?? "REC"}${String(++counter).padStart(7, "0")}`;
      const record: EmulatedServiceNowRecord = {
        sys_id: randomBytes(16).toString("hex"),
        number,
        sys_created_on: timestamp(),
        ...(isTask(table)
          ? { state: options.stateChoices?.[table]?.[0]?.value ?? serviceNowInitialStates[table] ?? "1" }
          : storeOf(table) === table
            ? {}
            : { sys_class_name: table }),
      };
      write(table, record, body);
      tableOf(storeOf(table)).push(record);
      if (isTask(table)) {
        visibleAt.set(record.sys_id!, clock() + faults.searchLag());
        const outcome = faults.afterCreate();
        if (outcome === "lost") return droppedConnection();
        if (outcome === "server-error") return failure(502, "Bad Gateway", "The transaction timed out.");
      }
      return jsonResponse(
        201,
        { result: render(record, url, origin) },
        { location: `${origin}/api/now/table/${table}/${record.sys_id}` },
      );
    }
    const record = sysId ? records.find((candidate) => candidate.sys_id === sysId) : undefined;
    if (!record)
      return failure(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
    if (method === "GET") return jsonResponse(200, { result: render(record, url, origin) });
    if (method === "PATCH" || method === "PUT") {
      const body = await readJson(request);
      if (!body) return failure(400, "Exception while reading request", "The payload is not valid JSON.");
      write(table, record, body);
      return jsonResponse(200, { result: render(record, url, origin) });
    }
    if (method === "DELETE") {
      const stored = tableOf(storeOf(table));
      stored.splice(stored.indexOf(record), 1);
      return new Response(null, { status: 204 });
    }
    return failure(405, "Method not Supported", `${method} is not supported on this resource`);
  }

  return {
    name: "servicenow",
    faults,
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      const header = request.headers.get("authorization") ?? "";
      const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
      const basic = header.startsWith("Basic ")
        ? Buffer.from(header.slice(6), "base64").toString("utf8")
        : undefined;
      const valid =
        (bearer !== undefined && tokens.includes(bearer) && !faults.tokenExpired(bearer)) ||
        basic === `${credentials.username}:${credentials.password}`;
      if (!valid) return failure(401, "User Not Authenticated", "Required to provide Auth information");
      const url = new URL(request.url);
      return route(request, path, `${url.origin}${url.pathname.slice(0, url.pathname.length - path.length)}`);
    },
    options: (baseUrl) => ({
      instanceUrl: baseUrl,
      username: credentials.username,
      password: credentials.password,
      // A sink needs a settle window as long as the search can lag.
      settleMs: maxSearchLag(faults.config),
    }),
    records: (table) => view(table).map((record) => ({ ...record })),
    workNotes: (table, sysId) => [...(journals.get(`${table}/${sysId}/work_notes`) ?? [])],
    setState(table, sysId, state, by = "admin") {
      const record = view(table).find(
        (candidate) => candidate.sys_id === sysId || candidate.number === sysId,
      );
      if (!record) throw new Error(`servicenow emulation: no ${table} record ${sysId}`);
      write(table, record, { state }, by);
      return {
        table,
        sys_id: record.sys_id ?? "",
        number: record.number ?? "",
        correlation_id: record.correlation_id ?? "",
        state,
        sys_updated_by: by,
      };
    },
  };
}

/**
 * Applies the `sysparm_query` subset: `a=b`, `a!=b`, `aSTARTSWITHb`, `aLIKEb`, `aINb,c`, `aISEMPTY`,
 * `aISNOTEMPTY`, `^` (and), `^OR` (or, binding tighter than `^`), `^NQ` (a new query, or'ed),
 * `ORDERBY[DESC]x`; `^^` is a literal caret.
 */
function filter(
  records: EmulatedServiceNowRecord[],
  query: string,
  known: (column: string) => boolean,
): EmulatedServiceNowRecord[] {
  // Each query is a list of clauses (and'ed), each clause a list of conditions (or'ed).
  const queries: Condition[][][] = [[]];
  const orders: { column: string; descending: boolean }[] = [];
  for (let term of splitTerms(query)) {
    if (term.startsWith("NQ")) {
      queries.push([]);
      term = term.slice(2);
    }
    const order = /^ORDERBY(DESC)?(\w+)$/.exec(term);
    if (order) {
      orders.push({ column: order[2]!, descending: order[1] !== undefined });
      continue;
    }
    const or = term.startsWith("OR") ? parseCondition(term.slice(2)) : undefined;
    const condition = or ?? parseCondition(term);
    // Like ServiceNow, an invalid fragment or an unknown field is silently ignored.
    if (!condition || !known(condition.column)) continue;
    const clauses = queries.at(-1)!;
    if (or && clauses.length > 0) clauses.at(-1)!.push(condition);
    else clauses.push([condition]);
  }
  const result = records.filter((record) =>
    queries.some((clauses) =>
      clauses.every((clause) => clause.some((condition) => holds(record, condition))),
    ),
  );
  for (const { column, descending } of orders) {
    result.sort(
      (a, b) => String(a[column] ?? "").localeCompare(String(b[column] ?? "")) * (descending ? -1 : 1),
    );
  }
  return result;
}

interface Condition {
  column: string;
  operator: string;
  value: string;
}

function parseCondition(term: string): Condition | undefined {
  const match = /^(\w+?)(!=|=|STARTSWITH|LIKE|ISEMPTY|ISNOTEMPTY|IN)(.*)$/.exec(term);
  return match ? { column: match[1]!, operator: match[2]!, value: match[3]! } : undefined;
}

function holds(record: EmulatedServiceNowRecord, { column, operator, value }: Condition): boolean {
  const actual = record[column] ?? "";
  if (operator === "=") return actual === value;
  if (operator === "!=") return actual !== value;
  if (operator === "STARTSWITH") return actual.startsWith(value);
  if (operator === "LIKE") return actual.includes(value);
  if (operator === "IN") return value.split(",").includes(actual);
  if (operator === "ISEMPTY") return actual === "";
  return actual !== "";
}

/** Splits an encoded query on `^`, reading `^^` as a literal caret. */
function splitTerms(query: string): string[] {
  const terms: string[] = [];
  let current = "";
  for (let index = 0; index < query.length; index++) {
    const char = query[index]!;
    if (char !== "^") current += char;
    else if (query[index + 1] === "^") {
      current += "^";
      index++;
    } else {
      terms.push(current);
      current = "";
    }
  }
  terms.push(current);
  return terms.filter(Boolean);
}

function priorityOf(impact: string | undefined, urgency: string | undefined): string {
  const sum = Number(impact ?? 3) + Number(urgency ?? 3);
  return String(Math.min(5, Math.max(1, sum - 1)));
}

function failure(status: number, message: string, detail: string | null): Response {
  return jsonResponse(status, { error: { message, detail }, status: "failure" });
}

function timestamp(): string {
  return new Date().toISOString().replace("T", " ").slice(0, 19);
}

async function readJson(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const value = (await request.json()) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `sys_choice` rows for the `state` column of each table, numbered in list order. */
function seedChoices(
  choices: Record<string, Pick<ServiceNowChoice, "value" | "label">[]>,
): EmulatedServiceNowRecord[] {
  return Object.entries(choices).flatMap(([table, list]) =>
    list.map(({ value, label }, index) => ({
      sys_id: sysIdOf("sys_choice", table, value),
      name: table,
      element: "state",
      value,
      label,
      sequence: String((index + 1) * 10),
      language: "en",
      inactive: "false",
    })),
  );
}

/** ServiceNow CI classes of the estate's resource types (`cmdb_ci` for the rest). */
const ciClasses: Record<string, string> = {
  "aws.s3.bucket": "cmdb_ci_cloud_object_storage",
  "gcp.storage.bucket": "cmdb_ci_cloud_object_storage",
  "azure.storage.account": "cmdb_ci_cloud_storage_account",
  "aws.ec2.instance": "cmdb_ci_vm_instance",
  "azure.compute.virtual-machine": "cmdb_ci_vm_instance",
  "gcp.compute.instance": "cmdb_ci_vm_instance",
  "aws.rds.instance": "cmdb_ci_cloud_database",
  "aws.lambda.function": "cmdb_ci_cloud_function",
  "aws.ec2.security-group": "cmdb_ci_compute_security_group",
  "azure.network.security-group": "cmdb_ci_compute_security_group",
  "aws.iam.role": "cmdb_ci_cloud_service_account",
  "aws.iam.user": "cmdb_ci_cloud_service_account",
  "gcp.iam.service-account": "cmdb_ci_cloud_service_account",
  "azure.keyvault.vault": "cmdb_ci_cloud_key_vault",
  "aws.kms.key": "cmdb_ci_cloud_key_vault",
  "kubernetes.pod": "cmdb_ci_kubernetes_pod",
  "kubernetes.deployment": "cmdb_ci_kubernetes_deployment",
};

const environmentChoices = { production: "Production", staging: "Staging", development: "Development" };

/**
 * The CMDB of an estate, deterministic per resource position: every 10th resource has no CI (a CMDB
 * is never complete); every 6th one's CI names another owner than its tags (conflicts to resolve);
 * an untagged resource's CI has only a `managed_by`. The support group is the owner's team.
 */
function seedCmdb(estate: Estate): Record<string, EmulatedServiceNowRecord[]> {
  const created = estate.now.replace("T", " ").slice(0, 19);

  const users = estate.owners.map((owner) => ({
    sys_id: sysIdOf("sys_user", owner.id),
    user_name: owner.email.split("@")[0] ?? owner.id,
    name: owner.name,
    email: owner.email,
    active: "true",
    sys_created_on: created,
    sys_updated_on: created,
  }));
  const groups = estate.teams.map((team) => ({
    sys_id: sysIdOf("sys_user_group", team.id),
    name: team.name,
    description: `The ${team.name} team (${team.slackChannel})`,
    active: "true",
    sys_created_on: created,
    sys_updated_on: created,
  }));
  const userOf = (owner: EstateOwner | undefined) =>
    owner ? (users[estate.owners.indexOf(owner)]?.sys_id ?? "") : "";
  const groupOf = (owner: EstateOwner) => groups.find((group) => group.name === owner.team)?.sys_id ?? "";
  const leadOf = (owner: EstateOwner) =>
    estate.owners.find((candidate) => candidate.team === owner.team) ?? owner;
  const cis: EmulatedServiceNowRecord[] = [];
  estate.resources.forEach((resource, index) => {
    if (index % 10 === 9) return;
    const tagged = estate.owners.find((owner) => owner.id === resource.ownerId);
    const owner =
      tagged && index % 6 === 1
        ? estate.owners[(estate.owners.indexOf(tagged) + 5) % estate.owners.length]
        : tagged;
    const manager = owner ? leadOf(owner) : estate.owners[index % estate.owners.length]!;
    const environment = estate.accounts.find((account) => account.id === resource.accountId)?.environment;
    const choice = environment ? environmentChoices[environment] : "";
    cis.push({
      sys_id: sysIdOf("cmdb_ci", resource.id),
      sys_class_name: ciClasses[resource.type] ?? "cmdb_ci",
      name: resource.name,
      object_id: resource.id,
      owned_by: userOf(owner),
      managed_by: userOf(manager),
      assigned_to: userOf(owner ?? manager),
      support_group: groupOf(owner ?? manager),
      environment: choice,
      used_for: choice,
      busines_criticality:
        environment === "production"
          ? ["payments", "identity"].includes(manager.team)
            ? "1 - most critical"
            : "2 - somewhat critical"
          : environment === "staging"
            ? "3 - less critical"
            : "4 - not critical",
      u_data_classification: resource.tags["data-classification"] ?? "",
      u_internet_facing: "",
      operational_status: "1",
      install_status: "1",
      sys_created_on: resource.createdAt.replace("T", " ").slice(0, 19),
      sys_updated_on: created,
    });
  });
  return { sys_user: users, sys_user_group: groups, cmdb_ci: cis };
}

/** A stable 32-hex `sys_id` for the seeded records, from what identifies them. */
function sysIdOf(...parts: string[]): string {
  return sha256Hex(parts.join("\u0000")).slice(0, 32);
}
