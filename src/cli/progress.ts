import type { GovernanceRun } from "../agents/governance/governance.js";

/** How far a governed run has got. */
export interface Progress {
  findings: number;
  cases: number;
  actions: number;
}

/** Calls `onProgress` as findings arrive (every 100) and as cases are explained. */
export function trackProgress(run: GovernanceRun, onProgress: (progress: Progress) => void): GovernanceRun {
  const progress: Progress = { findings: 0, cases: 0, actions: 0 };
  run.on("finding-received", () => {
    if (++progress.findings % 100 === 0) onProgress(progress);
  });
  run.on("case-explained", () => {
    progress.cases++;
    onProgress(progress);
  });
  run.on("action-proposed", () => {
    progress.actions++;
  });
  return run;
}
