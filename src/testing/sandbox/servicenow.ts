import { randomBytes } from "node:crypto";
import type { ServiceNowOptions } from "../../sinks/servicenow/servicenow.js";
import { serviceNowInitialStates, serviceNowStates } from "../../sinks/servicenow/states.js";
import type { Emulation, SandboxFaults } from "./emulation.js";
import { createFaults, type Faults, jsonResponse } from "./faults.js";

/** What `startSandbox()` exposes as `sandbox.servicenow`: the options `servicenow()` takes. */
export type ServiceNowSandboxOptions = Required<
  Pick<ServiceNowOptions, "instanceUrl" | "username" | "password">
>;

/** Options of {@link servicenowEmulation}. */
export interface ServiceNowEmulationOptions {
  /** The user the emulation accepts. @default { username: "cloudsteward", password: "sandbox-servicenow-password" } */
  credentials?: { username: string; password: string };
  /** Bearer tokens the emulation also accepts. @default ["sandbox-servicenow-token"] */
  tokens?: string[];
  /** Fault configuration, or the sandbox's fault machinery for this emulation. */
  faults?: SandboxFaults | Faults;
}

/** A stored record: every value a string, as the Table API returns them. */
export type EmulatedServiceNowRecord = Record<string, string>;

/** The ServiceNow emulation, with inspection and "human" helpers for tests. */
export interface ServiceNowEmulation extends Emulation<ServiceNowSandboxOptions> {
  readonly faults: Faults;
  /** The records of a table, in creation order. */
  records(table: string): EmulatedServiceNowRecord[];
  /** Work notes appended to a record (journal fields are write-only through the API). */
  workNotes(table: string, sysId: string): string[];
  /** Sets a record's state, as a person would in the UI. */
  setState(table: string, sysId: string, state: string): void;
}

const prefixes: Record<string, string> = {
  incident: "INC",
  sn_si_incident: "SIR",
  sn_vul_vulnerable_item: "VIT",
  sn_risk_risk: "RSK",
  sn_compliance_policy_exception: "PEX",
  sn_grc_issue: "ISS",
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
];
const journalColumns = new Set(["work_notes", "comments"]);

/**
 * A stateful emulation of the ServiceNow Table API subset cloudsteward uses (create, query with a
 * `sysparm_query` subset, read, update, work notes), with Basic or bearer auth, ServiceNow's error
 * bodies, and its trap: an unknown field in `sysparm_query` is silently ignored.
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
  const tables = new Map<string, EmulatedServiceNowRecord[]>();
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
  const write = (table: string, record: EmulatedServiceNowRecord, values: Record<string, unknown>) => {
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined || value === null) continue;
      if (journalColumns.has(column)) {
        const key = `${table}/${record.sys_id}/${column}`;
        journals.set(key, [...(journals.get(key) ?? []), String(value)]);
        continue;
      }
      record[column] = String(value);
    }
    const done = (serviceNowStates[table] ?? serviceNowStates.incident!).done.includes(record.state ?? "");
    record.active = done ? "false" : "true";
    record.priority = priorityOf(record.impact, record.urgency);
    record.sys_updated_on = timestamp();
  };
  const known = (table: string, column: string) =>
    taskColumns.includes(column) || tableOf(table).some((record) => column in record);

  async function route(request: Request, path: string, origin: string): Promise<Response> {
    const match = /^\/api\/now(?:\/v[12])?\/table\/([A-Za-z0-9_]+)(?:\/([A-Za-z0-9]+))?$/.exec(path);
    if (!match) return failure(400, "Requested URI does not represent any resource", null);
    const table = match[1]!;
    const sysId = match[2];
    const url = new URL(request.url);
    const fields = url.searchParams.get("sysparm_fields")?.split(",").filter(Boolean);
    const records = tableOf(table);
    const method = request.method;
    if (
      (method === "POST" || method === "PATCH" || method === "PUT") &&
      !request.headers.get("content-type")?.includes("json")
    ) {
      return failure(415, "Unsupported Media Type", "Content-Type must be application/json");
    }
    if (!sysId && method === "GET") {
      const matched = filter(records, url.searchParams.get("sysparm_query") ?? "", (column) =>
        known(table, column),
      );
      const offset = Number(url.searchParams.get("sysparm_offset") ?? 0);
      const limit = Number(url.searchParams.get("sysparm_limit") ?? 10_000);
      const page = matched.slice(offset, offset + limit).map((record) => project(record, fields));
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
        state: serviceNowInitialStates[table] ?? "1",
        sys_created_on: timestamp(),
      };
      write(table, record, body);
      records.push(record);
      return jsonResponse(
        201,
        { result: project(record, fields) },
        { location: `${origin}/api/now/table/${table}/${record.sys_id}` },
      );
    }
    const record = sysId ? records.find((candidate) => candidate.sys_id === sysId) : undefined;
    if (!record)
      return failure(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
    if (method === "GET") return jsonResponse(200, { result: project(record, fields) });
    if (method === "PATCH" || method === "PUT") {
      const body = await readJson(request);
      if (!body) return failure(400, "Exception while reading request", "The payload is not valid JSON.");
      write(table, record, body);
      return jsonResponse(200, { result: project(record, fields) });
    }
    if (method === "DELETE") {
      records.splice(records.indexOf(record), 1);
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
    }),
    records: (table) => tableOf(table).map((record) => ({ ...record })),
    workNotes: (table, sysId) => [...(journals.get(`${table}/${sysId}/work_notes`) ?? [])],
    setState(table, sysId, state) {
      const record = tableOf(table).find(
        (candidate) => candidate.sys_id === sysId || candidate.number === sysId,
      );
      if (!record) throw new Error(`servicenow emulation: no ${table} record ${sysId}`);
      write(table, record, { state });
    },
  };
}

/** Applies the `sysparm_query` subset: `a=b`, `a!=b`, `aSTARTSWITHb`, `aLIKEb`, `aISEMPTY`, `^`, `ORDERBY[DESC]x`. */
function filter(
  records: EmulatedServiceNowRecord[],
  query: string,
  known: (column: string) => boolean,
): EmulatedServiceNowRecord[] {
  let result = [...records];
  for (const part of query.split("^").filter(Boolean)) {
    const order = /^ORDERBY(DESC)?(\w+)$/.exec(part);
    if (order) {
      const [, descending, column] = order;
      result.sort(
        (a, b) => String(a[column!] ?? "").localeCompare(String(b[column!] ?? "")) * (descending ? -1 : 1),
      );
      continue;
    }
    const condition = /^(\w+?)(!=|=|STARTSWITH|LIKE|ISEMPTY|ISNOTEMPTY)(.*)$/.exec(part);
    // Like ServiceNow, an invalid fragment or an unknown field is silently ignored.
    if (!condition || !known(condition[1]!)) continue;
    const [, column, operator, value] = condition as unknown as [string, string, string, string];
    result = result.filter((record) => {
      const actual = record[column] ?? "";
      if (operator === "=") return actual === value;
      if (operator === "!=") return actual !== value;
      if (operator === "STARTSWITH") return actual.startsWith(value);
      if (operator === "LIKE") return actual.includes(value);
      if (operator === "ISEMPTY") return actual === "";
      return actual !== "";
    });
  }
  return result;
}

function project(record: EmulatedServiceNowRecord, fields: string[] | undefined): Record<string, string> {
  const base = { ...record, work_notes: "", comments: "" };
  if (!fields) return base;
  return Object.fromEntries(fields.map((field) => [field, base[field as keyof typeof base] ?? ""]));
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
