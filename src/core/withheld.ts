import type { CaseException } from "./case.js";
import type { Finding } from "./finding.js";
import type { RunReport } from "./report.js";

/** A finding a stage withheld from the run, and the exception that withheld it. */
export interface WithheldFinding {
  finding: Finding;
  exception: Omit<CaseException, "findingIds">;
}

const byRun = new WeakMap<RunReport, WithheldFinding[]>();

/**
 * Notes, for the run of `report`, that `exception` withheld `finding` (`applyExceptions` does, before
 * triage): `triage` later names the exception in the case of the finding's group, as its provenance.
 * Kept only as long as the run's report is.
 * @example
 * withholdFinding(context.report, finding, { id: record.id, kind: record.kind, expiresAt: record.expiresAt });
 */
export function withholdFinding(
  report: RunReport,
  finding: Finding,
  exception: WithheldFinding["exception"],
): void {
  const withheld = byRun.get(report);
  if (withheld) withheld.push({ finding, exception });
  else byRun.set(report, [{ finding, exception }]);
}

/** The findings withheld so far in the run of `report`, in the order they were withheld. */
export function withheldFindings(report: RunReport): readonly WithheldFinding[] {
  return byRun.get(report) ?? [];
}
