/** How a ServiceNow table's `state` values map to cloudsteward's ticket lifecycle. */
export interface ServiceNowStates {
  /** The state set when every finding of the case is resolved. */
  resolved: string;
  /** The state set when a resolved case regresses. */
  reopened: string;
  /** States that count as done (resolved, closed, canceled). */
  done: string[];
  /** States that count as in progress. */
  inProgress: string[];
  /** Fields written together with `resolved` (close code and notes; many instances require them). */
  resolveFields?: Record<string, string>;
}

/**
 * Default state mappings per table. `incident` uses the out-of-the-box choices (1 New, 2 In Progress,
 * 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled); the security, vulnerability and GRC tables are
 * instance-configurable, so check them against `sys_choice` and pass `states` when they differ.
 */
export const serviceNowStates: Record<string, ServiceNowStates> = {
  incident: {
    resolved: "6",
    reopened: "2",
    done: ["6", "7", "8"],
    inProgress: ["2", "3"],
    resolveFields: {
      close_code: "Solution provided",
      close_notes: "Every finding was resolved; closed by cloudsteward.",
    },
  },
  sn_si_incident: {
    resolved: "3",
    reopened: "16",
    done: ["3", "7"],
    inProgress: ["16", "18", "19", "20", "100"],
    resolveFields: {
      close_code: "Resolved",
      close_notes: "Every finding was resolved; closed by cloudsteward.",
    },
  },
  sn_vul_vulnerable_item: {
    resolved: "3",
    reopened: "1",
    done: ["3"],
    inProgress: ["2", "11"],
    resolveFields: { close_notes: "Every finding was resolved; closed by cloudsteward." },
  },
  sn_risk_risk: {
    resolved: "retired",
    reopened: "assess",
    done: ["retired"],
    inProgress: ["assess", "respond", "monitor"],
  },
  sn_compliance_policy_exception: {
    resolved: "closed",
    reopened: "new",
    done: ["closed", "retired", "expired"],
    inProgress: ["analyze", "review", "approved"],
  },
  sn_grc_issue: {
    resolved: "closed",
    reopened: "analyze",
    done: ["closed"],
    inProgress: ["analyze", "respond", "review"],
  },
};

/** The state new records of a table start in (what the emulation assigns). */
export const serviceNowInitialStates: Record<string, string> = {
  incident: "1",
  sn_si_incident: "10",
  sn_vul_vulnerable_item: "1",
  sn_risk_risk: "draft",
  sn_compliance_policy_exception: "new",
  sn_grc_issue: "new",
};
