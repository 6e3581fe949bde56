import type { Action } from "../../core/action.js";
import { describeChange } from "../../core/case-change.js";
import { ConfigurationError, isCloudstewardError } from "../../core/errors.js";
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
import { optionOrEnv, type Secret } from "../../core/secret.js";
import type { HttpSinkOptions } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { renderText, serviceNowText } from "../render/html.js";
import { caseView, truncate } from "../render/view.js";
import { serviceNowAuthorization, serviceNowErrorDetail } from "./auth.js";
import {
  type ServiceNowChoice,
  type ServiceNowStates,
  serviceNowStates,
  serviceNowStatesFromChoices,
} from "./states.js";

/** Which column each part of a ticket goes to; override for custom tables (`u_…`, `x_…`). */
export interface ServiceNowFieldMap {
  /** @default "short_description" */
  title?: string;
  /** @default "description" */
  description?: string;
  /** @default "correlation_id" */
  correlationId?: string;
  /** @default "correlation_display" */
  correlationDisplay?: string;
  /** @default "impact" */
  impact?: string;
  /** @default "urgency" */
  urgency?: string;
  /** @default "due_date" */
  dueDate?: string;
  /** @default "work_notes" */
  workNotes?: string;
  /**
   * The column naming who made the last state change, read back as `TicketStatus.changedBy` (an
   * exception's approver). Where a flow sets the state, use a column that holds the approver's user name.
   * @default "sys_updated_by"
   */
  decidedBy?: string;
}

/** Options of {@link servicenow}. */
export interface ServiceNowOptions extends HttpSinkOptions, TicketLedgerOptions {
  /** e.g. `https://acme.service-now.com`. @default process.env.SERVICENOW_INSTANCE_URL */
  instanceUrl?: string;
  /** Basic-auth user. @default process.env.SERVICENOW_USERNAME */
  username?: string;
  /** Basic-auth password. @default process.env.SERVICENOW_PASSWORD */
  password?: Secret;
  /** An OAuth access token, sent as a bearer token instead of Basic auth. @default process.env.SERVICENOW_TOKEN */
  token?: Secret;
  /** The table records go to: `incident`, `sn_si_incident`, `sn_vul_vulnerable_item`, a GRC or custom table. @default "incident" */
  table?: string;
  /** Column names, for custom tables. */
  fieldMap?: ServiceNowFieldMap;
  /** Write finding text into records without masking secrets (`[code]` markers are still removed). @default false */
  raw?: boolean;
  /** Extra fields on every create (`assignment_group`, `caller_id`, `category`…), or a function of the action. */
  fields?: Record<string, string> | ((action: Action) => Record<string, string>);
  /**
   * The table's state mapping; when set it is used as is and `sys_choice` is never read. Without it
   * the sink reads the table's `state` choices from `sys_choice` once, on first need, and maps their
   * labels ({@link serviceNowStatesFromChoices}), keeping the default `resolveFields`; when they cannot
   * be read or mapped it uses the defaults and emits one `warning-raised` event.
   * @default learned from `sys_choice`, else serviceNowStates[table] (incident's when the table is unknown)
   */
  states?: ServiceNowStates;
  /** Where `request-retried` events go, and the one `warning-raised` event when state discovery falls back. */
  events?: HttpSinkOptions["events"];
  /** Where the ticket ledger lives. @default memoryStore() */
  store?: Store;
  /**
   * How long the search may lag behind a create: after an ambiguous create (a lost response, a 5xx)
   * nothing is created again until a search this long afterwards finds nothing. @default 60_000
   */
  settleMs?: number;
  /** Client-side pacing; `false` turns it off. @default { requestsPerSecond: 5 } */
  rateLimit?: RateLimit | false;
}

/** The ServiceNow sink: a {@link SyncableSink} (exactly-once delivery, `reconcile`, two-way state sync). */
export interface ServiceNowSink extends SyncableSink {
  /**
   * Adds a work note to a record (one line per entry; the text is yours, not a case's) and, when it is
   * in a done state, sets it back to the table's reopened state.
   */
  reopen(sysId: string, comment: string[], options?: { signal?: AbortSignal }): Promise<void>;
}

type ServiceNowRecord = Record<string, string | undefined>;

/** Impact and urgency per severity (priority is derived from both; it is read-only on incident). */
const impactUrgency: Record<Severity, [string, string]> = {
  critical: ["1", "1"],
  high: ["1", "2"],
  medium: ["2", "2"],
  low: ["2", "3"],
  info: ["3", "3"],
};

/** The `correlation_display` of every cloudsteward record, so reconciliation can list them. */
export const serviceNowCorrelationDisplay = "cloudsteward";

/**
 * Deliver ticket actions as ServiceNow records through the Table API, exactly once per idempotency
 * key (`correlation_id`), with work notes when the case changes and state sync both ways.
 * @example
 * const sink = servicenow({ instanceUrl: "https://acme.service-now.com", username: "svc", password, table: "sn_si_incident" });
 */
export function servicenow(options: ServiceNowOptions = {}): ServiceNowSink {
  const table = options.table ?? "incident";
  const defaults = serviceNowStates[table] ?? serviceNowStates.incident!;
  const columns = {
    title: "short_description",
    description: "description",
    correlationId: "correlation_id",
    correlationDisplay: "correlation_display",
    impact: "impact",
    urgency: "urgency",
    dueDate: "due_date",
    workNotes: "work_notes",
    decidedBy: "sys_updated_by",
    ...options.fieldMap,
  };
  let secrets: readonly string[] = [];

  const instanceUrl = () => {
    const value = optionOrEnv(options.instanceUrl, "SERVICENOW_INSTANCE_URL");
    if (!value) {
      throw new ConfigurationError(
        "servicenow: instanceUrl is missing. Pass `instanceUrl` to servicenow() or set SERVICENOW_INSTANCE_URL.",
        { option: "instanceUrl", env: "SERVICENOW_INSTANCE_URL" },
      );
    }
    return value.replace(/\/+$/, "");
  };
  const http = createHttpClient({
    integration: "servicenow",
    fetch: options.fetch,
    headers: async () => {
      const auth = await serviceNowAuthorization(options, "servicenow");
      secrets = auth.secrets;
      return { accept: "application/json", authorization: auth.header };
    },
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? { requestsPerSecond: 5 }),
    events: options.events,
    timeoutMs: options.timeoutMs,
    secrets: () => secrets,
    authHint: "check SERVICENOW_USERNAME/SERVICENOW_PASSWORD or SERVICENOW_TOKEN and the user's roles",
    errorDetail: serviceNowErrorDetail,
  });
  const tableUrl = (sysId?: string) =>
    `${instanceUrl()}/api/now/table/${encodeURIComponent(table)}${sysId ? `/${encodeURIComponent(sysId)}` : ""}`;
  const refOf = (record: ServiceNowRecord): ExternalRef => ({
    id: record.sys_id!,
    url: `${instanceUrl()}/nav_to.do?uri=${encodeURIComponent(`${table}.do?sys_id=${record.sys_id}`)}`,
  });
  const correlationOf = (key: string) => `cs-${trackingId(key)}`;
  const readFields = [
    "sys_id",
    "number",
    "state",
    columns.correlationId,
    "close_code",
    "sys_updated_on",
    columns.decidedBy,
  ].join(",");

  /** The pending or settled state discovery; cleared when it should run again at the next need. */
  let discovery: Promise<Discovered> | undefined;
  let warned = false;

  /** The table's states: `options.states`, else learned from `sys_choice` once per sink, else the defaults. */
  async function currentStates(signal?: AbortSignal): Promise<ServiceNowStates> {
    if (options.states) return options.states;
    discovery ??= discoverStates(signal);
    const pending = discovery;
    let discovered: Discovered;
    try {
      discovered = await pending;
    } catch (error) {
      if (discovery === pending) discovery = undefined;
      throw error;
    }
    if (!discovered.keep && discovery === pending) discovery = undefined;
    if (discovered.states) return discovered.states;
    // Another caller's abort cut the shared discovery short: run it again unless this caller was aborted too.
    signal?.throwIfAborted();
    return currentStates(signal);
  }

  async function discoverStates(signal?: AbortSignal): Promise<Discovered> {
    try {
      const { result } = await http.get<{ result: ServiceNowChoice[] }>(
        `${instanceUrl()}/api/now/table/sys_choice`,
        {
          searchParams: {
            sysparm_query: `name=${table}^element=state^inactive=false^language=en`,
            sysparm_fields: "value,label,sequence",
            sysparm_no_count: true,
          },
          signal,
        },
      );
      const choices = (Array.isArray(result) ? result : []).filter(
        (choice) => typeof choice?.value === "string" && typeof choice.label === "string",
      );
      const learned = serviceNowStatesFromChoices(choices);
      if (learned) return { states: { ...learned, resolveFields: defaults.resolveFields }, keep: true };
      warnFallback(
        choices.length === 0 ? "it lists no state choices" : "no label reads as resolved and reopened",
      );
      return { states: defaults, keep: true };
    } catch (error) {
      if (signal?.aborted) return { keep: false };
      // Without valid credentials or configuration the delivery cannot work anyway: report that, not a fallback.
      if (!isCloudstewardError(error) || error.code === "AUTHENTICATION" || error.code === "CONFIGURATION")
        throw error;
      warnFallback(`${"status" in error ? `HTTP ${error.status} ` : ""}${error.code}`);
      // A transient failure is tried again at the next need; a refusal (403 ACL) is final.
      return { states: defaults, keep: !error.isRetryable };
    }
  }

  function warnFallback(reason: string) {
    if (warned) return;
    warned = true;
    options.events?.emit("warning-raised", {
      warning: {
        type: "fallback",
        source: "servicenow",
        feature: "states",
        message: `servicenow: could not learn the state values of table "${table}" from sys_choice (${reason}); using the built-in defaults. Pass \`states\` to servicenow() with your instance's values.`,
        details: { table, reason },
      },
    });
  }

  async function query(sysparmQuery: string, call: { limit: number; offset?: number; signal?: AbortSignal }) {
    const { result } = await http.get<{ result: ServiceNowRecord[] }>(tableUrl(), {
      searchParams: {
        sysparm_query: sysparmQuery,
        sysparm_fields: readFields,
        sysparm_limit: call.limit,
        sysparm_offset: call.offset,
        sysparm_no_count: true,
        sysparm_exclude_reference_link: true,
      },
      signal: call.signal,
    });
    return result;
  }

  function fieldsFor(action: Action): Record<string, string> {
    const view = caseView(action.case, { dueDate: action.dueDate, raw: options.raw });
    const [impact, urgency] = impactUrgency[action.case.severity];
    const extra = typeof options.fields === "function" ? options.fields(action) : (options.fields ?? {});
    return {
      ...extra,
      [columns.title]: serviceNowText(truncate(view.title, 160)),
      [columns.description]: serviceNowText(
        renderText(action.case, { dueDate: action.dueDate, raw: options.raw }),
      ),
      [columns.impact]: impact,
      [columns.urgency]: urgency,
      [columns.correlationId]: correlationOf(action.idempotencyKey),
      [columns.correlationDisplay]: serviceNowCorrelationDisplay,
      ...(action.dueDate ? { [columns.dueDate]: `${action.dueDate} 23:59:59` } : {}),
    };
  }

  const sink = ticketSink("servicenow", ledgerOptionsOf(options, 60_000), {
    async find(key, signal) {
      const correlation = correlationOf(key);
      const records = await query(`${columns.correlationId}=${correlation}^ORDERBYsys_created_on`, {
        limit: 10,
        signal,
      });
      // An invalid query fragment is silently ignored by ServiceNow: compare the field ourselves.
      const record = records.find((candidate) => candidate[columns.correlationId] === correlation);
      return record ? refOf(record) : undefined;
    },
    async create(action, signal) {
      const { result } = await http.post<{ result: ServiceNowRecord }>(tableUrl(), {
        json: fieldsFor(action),
        searchParams: { sysparm_fields: "sys_id,number,state", sysparm_exclude_reference_link: true },
        headers: { "content-type": "application/json" },
        signal,
      });
      return refOf(result);
    },
    async update(action, ref, change, signal) {
      const patch: Record<string, string> = {
        [columns.workNotes]: serviceNowText(
          describeChange(change, action.case, { raw: options.raw }).join("\n"),
        ),
      };
      if (change.severity) {
        const [impact, urgency] = impactUrgency[action.case.severity];
        Object.assign(patch, { [columns.impact]: impact, [columns.urgency]: urgency });
      }
      if (change.resolved || change.regressed) {
        const states = await currentStates(signal);
        const { result } = await http.get<{ result: ServiceNowRecord }>(tableUrl(ref.id), {
          searchParams: { sysparm_fields: "sys_id,state" },
          signal,
        });
        const done = states.done.includes(result.state ?? "");
        if (change.resolved && !done)
          Object.assign(patch, { ...states.resolveFields, state: states.resolved });
        if (change.regressed && done) patch.state = states.reopened;
      }
      await http.patch(tableUrl(ref.id), {
        json: patch,
        searchParams: { sysparm_fields: "sys_id,state" },
        headers: { "content-type": "application/json" },
        idempotent: true,
        signal,
      });
    },
    async status(sysId, signal) {
      const { result } = await http.get<{ result: ServiceNowRecord }>(tableUrl(sysId), {
        searchParams: { sysparm_fields: readFields, sysparm_exclude_reference_link: true },
        signal,
      });
      const state = result.state ?? "";
      const states = await currentStates(signal);
      return {
        ref: refOf(result),
        state: states.done.includes(state)
          ? "done"
          : states.inProgress.includes(state)
            ? "in_progress"
            : "open",
        nativeStatus: state,
        resolution: result.close_code || undefined,
        updatedAt: result.sys_updated_on,
        ...(result[columns.decidedBy] ? { changedBy: result[columns.decidedBy] } : {}),
      };
    },
    async *listTracked({ signal } = {}) {
      const pageSize = 100;
      for (let offset = 0; ; offset += pageSize) {
        const records = await query(
          `${columns.correlationDisplay}=${serviceNowCorrelationDisplay}^ORDERBYsys_created_on`,
          {
            limit: pageSize,
            offset,
            signal,
          },
        );
        for (const record of records) {
          const correlation = record[columns.correlationId];
          if (correlation?.startsWith("cs-")) yield { trackingId: correlation.slice(3), ref: refOf(record) };
        }
        if (records.length < pageSize) return;
      }
    },
  });
  return {
    ...sink,
    async reopen(sysId, comment, { signal } = {}) {
      const states = await currentStates(signal);
      const { result } = await http.get<{ result: ServiceNowRecord }>(tableUrl(sysId), {
        searchParams: { sysparm_fields: "sys_id,state" },
        signal,
      });
      await http.patch(tableUrl(sysId), {
        json: {
          [columns.workNotes]: serviceNowText(comment.join("\n")),
          ...(states.done.includes(result.state ?? "") ? { state: states.reopened } : {}),
        },
        searchParams: { sysparm_fields: "sys_id,state" },
        headers: { "content-type": "application/json" },
        idempotent: true,
        signal,
      });
    },
  };
}

/** What one state discovery gave: the states (none when its caller aborted it) and whether to keep them. */
interface Discovered {
  states?: ServiceNowStates;
  keep: boolean;
}
