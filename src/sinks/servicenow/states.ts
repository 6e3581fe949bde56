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
 * Default state mappings per table, used when a table's `sys_choice` state labels cannot be read or
 * mapped. `incident` uses the out-of-the-box choices (1 New, 2 In Progress, 3 On Hold, 6 Resolved,
 * 7 Closed, 8 Canceled); the security, vulnerability and GRC values are common ones, not guaranteed.
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
  // GRC policy exception (number prefix PER): 1 New, 2 Analyze, 10 Risk Assessment, 12 Review,
  // 6 Awaiting Approval, 8 Approved, 7 Rejected, 3 Closed.
  sn_compliance_policy_exception: {
    resolved: "3",
    reopened: "2",
    done: ["7", "3"],
    inProgress: ["2", "10", "12", "6", "8"],
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
  sn_compliance_policy_exception: "1",
  sn_grc_issue: "new",
};

/** One `sys_choice` row of a table's `state` column, as the Table API returns it. */
export interface ServiceNowChoice {
  /** The stored value (`"6"`, `"retired"`). */
  value: string;
  /** The label people see (`"Resolved"`). */
  label: string;
  /** The order of the choice in the list; choices are read in this order. */
  sequence?: string;
}

/**
 * Maps a table's `state` choices to the ticket lifecycle by well-known label words: Resolved, Closed,
 * Cancelled, Rejected, Retired, Expired, Complete are done; In Progress, Analysis, Contain, Eradicate, Recover,
 * Review, On Hold, Awaiting, Pending, Under Investigation, Assess(ment), Respond, Monitor, Approved are in
 * progress; anything else (New, Draft, Open…) is open. The resolved state is the first Resolved, else
 * Closed, else Retired or Complete choice; the reopened state the first In Progress or Analysis
 * choice, else Open, else the first in-progress one, else New. Returns `undefined` when the labels
 * give no resolved or no reopened state.
 * @example
 * serviceNowStatesFromChoices([{ value: "1", label: "New" }, { value: "2", label: "In Progress" }, { value: "42", label: "Resolved" }]);
 * // → { resolved: "42", reopened: "2", done: ["42"], inProgress: ["2"] }
 */
export function serviceNowStatesFromChoices(
  choices: readonly ServiceNowChoice[],
): Omit<ServiceNowStates, "resolveFields"> | undefined {
  const ordered = [...new Map(choices.map((choice) => [choice.value, choice])).values()].sort(
    (a, b) => sequenceOf(a) - sequenceOf(b),
  );
  const done = ordered.filter((choice) => doneLabel.test(choice.label));
  const inProgress = ordered.filter((choice) => !done.includes(choice) && inProgressLabel.test(choice.label));
  const open = ordered.filter((choice) => !done.includes(choice) && !inProgress.includes(choice));
  const finished = done.filter((choice) => !/cancel|incomplete|skipped|expired|rejected/i.test(choice.label));
  const resolved = labelled(finished, /\bresolved\b/i) ?? labelled(finished, /\bclosed\b/i) ?? finished[0];
  const reopened =
    labelled(inProgress, /\bin progress\b|\banaly[sz](?:is|e)\b/i) ??
    labelled(open, /\bopen\b/i) ??
    inProgress[0] ??
    labelled(open, /\bnew\b/i);
  if (!resolved || !reopened) return undefined;
  return {
    resolved: resolved.value,
    reopened: reopened.value,
    done: done.map((choice) => choice.value),
    inProgress: inProgress.map((choice) => choice.value),
  };
}

const doneLabel = /\b(?:resolved|closed|cancell?ed|rejected|retired|expired|completed?)\b/i;
const inProgressLabel =
  /\b(?:in progress|analy[sz](?:is|e)|contain|eradicate|recover|review|on hold|awaiting|pending|investigat\w*|assess(?:ment)?|respond|monitor|approved)\b/i;

function sequenceOf(choice: ServiceNowChoice): number {
  const sequence = choice.sequence ? Number(choice.sequence) : Number.NaN;
  return Number.isFinite(sequence) ? sequence : Number.MAX_SAFE_INTEGER;
}

function labelled(choices: ServiceNowChoice[], pattern: RegExp): ServiceNowChoice | undefined {
  return choices.find((choice) => pattern.test(choice.label));
}
