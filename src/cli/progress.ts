import type { GovernanceRun } from "../agents/governance/governance.js";
import type { CliOutput } from "./io.js";

/** How far a governed run has got. */
export interface Progress {
  findings: number;
  /** Cases triage made; triage reads every finding first, so the first case ends the reading. */
  cases: number;
  explained: number;
  actions: number;
  /** Proposed actions that need no approval: what a delivering run sends out. */
  deliverable: number;
  delivered: number;
}

/** Options of {@link trackProgress}. */
export interface TrackProgressOptions {
  /** How many findings the sources hold, when known (the demo's estate): reading gets a bar. */
  expectedFindings?: number;
  /** Whether this run delivers (not a dry run, not read-only): delivering gets a bar. @default true */
  delivering?: boolean;
}

/** Plain progress lines (no TTY) come every this many findings read. */
const findingsPerLine = 1000;

/**
 * Shows a governed run's progress on `out`: on a TTY one redrawn line with a bar for the phase under
 * way (reading findings, explaining cases, delivering actions); otherwise (piped, CI) a plain note
 * every 1,000 findings read and one when reading ends; nothing with `--json`.
 * @example
 * trackProgress(governance(options), createOutput(io), { expectedFindings: 2000 }).start();
 */
export function trackProgress(
  run: GovernanceRun,
  out: CliOutput,
  options: TrackProgressOptions = {},
): GovernanceRun {
  const progress: Progress = {
    findings: 0,
    cases: 0,
    explained: 0,
    actions: 0,
    deliverable: 0,
    delivered: 0,
  };
  const delivering = options.delivering ?? true;
  // The line is built only when it is drawn (ten times a second at most), not once per event.
  const line = () => progressLine(progress, options.expectedFindings);
  const draw = () => {
    if (out.interactive) out.progress(line);
  };
  run.on("finding-received", () => {
    progress.findings++;
    if (!out.interactive && progress.findings % findingsPerLine === 0)
      out.note(`reading findings: ${count(progress.findings)} read`);
    draw();
  });
  run.on("case-created", () => {
    if (progress.cases++ === 0 && !out.interactive)
      out.note(`reading findings: done, ${count(progress.findings)} read; explaining and deciding…`);
    draw();
  });
  run.on("case-explained", () => {
    progress.explained++;
    draw();
  });
  run.on("action-proposed", ({ requiresApproval }) => {
    progress.actions++;
    if (delivering && !requiresApproval) progress.deliverable++;
    draw();
  });
  run.on("action-delivered", () => {
    progress.delivered++;
    draw();
  });
  return run;
}

/**
 * One progress line: a bar for the phase under way, then the counts so far.
 * @example
 * progressLine({ findings: 500, cases: 0, explained: 0, actions: 0, deliverable: 0, delivered: 0 }, 2000);
 * // "reading findings ▕████░░░░░░░░░░░░▏  25% 500/2,000 · 0 cases, 0 actions, 0 delivered"
 */
export function progressLine(progress: Progress, expectedFindings?: number): string {
  const counts = `${count(progress.cases)} cases, ${count(progress.actions)} actions, ${count(progress.delivered)} delivered`;
  if (progress.cases === 0) {
    return expectedFindings
      ? `reading findings ${bar(progress.findings, expectedFindings)} · ${counts}`
      : `reading findings: ${count(progress.findings)} read · ${counts}`;
  }
  if (progress.explained < progress.cases || progress.deliverable === 0)
    return `explaining cases ${bar(progress.explained, progress.cases)} · ${count(progress.findings)} findings, ${counts}`;
  return `delivering actions ${bar(progress.delivered, progress.deliverable)} · ${count(progress.findings)} findings, ${counts}`;
}

// Internal helpers.

/** `▕████░░░░▏  50% 4/8`, 16 cells wide. */
function bar(done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * 16);
  return `▕${"█".repeat(filled)}${"░".repeat(16 - filled)}▏ ${String(Math.round(ratio * 100)).padStart(3)}% ${count(done)}/${count(total)}`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}
