import type { Finding } from "../../toolkit.js";

type FindingStatus = Finding["status"];

/** The status fields of an OCSF finding that {@link mapOcsfStatus} reads. */
export interface OcsfStatusFields {
  status_id?: number;
  status?: string;
  /** Prowler's check result: `PASS`, `FAIL` or `MANUAL`. */
  status_code?: string;
  /** OCSF 1.0 Security Finding (2001). */
  state_id?: number;
  state?: string;
  activity_id?: number;
  compliance?: { status_id?: number; status?: string };
}

/** What {@link mapOcsfStatus} read. */
export interface MappedStatus {
  status: FindingStatus;
  /** The workflow status and the check result as written, e.g. `New / FAIL`, for `source.nativeStatus`. */
  native: string;
  /** True when a status was given but none of it could be read, and the finding was kept `open`. */
  fallback: boolean;
}

/**
 * Maps an OCSF finding's status. A check that passed (Prowler `status_code: "PASS"`, or `compliance`
 * status Pass) is `resolved` whatever the workflow says: there is nothing left to fix. Otherwise the
 * workflow status decides: `status_id` (or 2001's `state_id`) 1 New → open, 2 In Progress → in_progress,
 * 3 Suppressed → suppressed (Prowler's muted findings), 4 Resolved and 5 Archived → resolved, 6 Deleted →
 * suppressed; then the `status` caption; then `activity_id` 3 (Close) → resolved. Anything else stays
 * `open` (a failed or `MANUAL` check included), flagged as a fallback when a status was given but unreadable.
 * @example
 * mapOcsfStatus({ status_id: 1, status: "New", status_code: "FAIL" }); // { status: "open", native: "New / FAIL", … }
 * mapOcsfStatus({ status_id: 3, status: "Suppressed", status_code: "FAIL" }).status; // "suppressed"
 * mapOcsfStatus({ status_id: 1, status_code: "PASS" }).status; // "resolved"
 */
export function mapOcsfStatus(record: OcsfStatusFields): MappedStatus {
  const workflowId = record.status_id ?? record.state_id;
  const workflowText = record.status ?? record.state;
  const check = record.status_code ?? record.compliance?.status;
  const native =
    [workflowText ?? (workflowId === undefined ? undefined : String(workflowId)), check]
      .filter((part): part is string => part !== undefined && part !== "")
      .join(" / ") || "";
  if (passed(record)) return { status: "resolved", native, fallback: false };
  const byId = workflowId === undefined ? undefined : statusById[workflowId];
  if (byId) return { status: byId, native, fallback: false };
  const byWord = workflowText === undefined ? undefined : statusByWord[normalizeWord(workflowText)];
  if (byWord) return { status: byWord, native, fallback: false };
  if (record.activity_id === 3) return { status: "resolved", native, fallback: false };
  const unreadable =
    (workflowId !== undefined && workflowId !== 0) ||
    (workflowText !== undefined && !["", "unknown", "other"].includes(normalizeWord(workflowText)));
  return { status: "open", native, fallback: unreadable };
}

// Internal helpers.

/** OCSF finding `status_id` (events/findings/finding.json) and 2001's `state_id`. */
const statusById: Record<number, FindingStatus> = {
  1: "open",
  2: "in_progress",
  3: "suppressed",
  4: "resolved",
  5: "resolved",
  6: "suppressed",
};

const statusByWord: Record<string, FindingStatus> = {
  new: "open",
  open: "open",
  active: "open",
  notified: "open",
  "in progress": "in_progress",
  suppressed: "suppressed",
  muted: "suppressed",
  resolved: "resolved",
  closed: "resolved",
  archived: "resolved",
  deleted: "suppressed",
};

/** OCSF compliance `status_id` 1 is Pass (objects/compliance.json). */
/** Prowler's `status_code` decides when it is a check result; other producers' codes are left aside. */
function passed(record: OcsfStatusFields): boolean {
  const code = record.status_code?.trim().toUpperCase();
  if (code === "PASS" || code === "PASSED") return true;
  if (code === "FAIL" || code === "FAILED" || code === "MANUAL") return false;
  const compliance = record.compliance;
  if (compliance === undefined) return false;
  if (compliance.status_id !== undefined && compliance.status_id !== 0) return compliance.status_id === 1;
  const word = normalizeWord(compliance.status ?? "");
  return word === "pass" || word === "passed";
}

function normalizeWord(value: string): string {
  return value.trim().toLowerCase().replace(/[_-]+/g, " ");
}
