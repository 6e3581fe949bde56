import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { lacework } from "../../adapters/lacework/lacework.js";
import { orca } from "../../adapters/orca/orca.js";
import { prisma } from "../../adapters/prisma/prisma.js";
import { wiz } from "../../adapters/wiz/wiz.js";
import { type ApprovalRequest, approvalQueue } from "../../agents/approvals/queue.js";
import { buildBriefing } from "../../agents/briefing/briefing.js";
import { governance } from "../../agents/governance/governance.js";
import { auditLog } from "../../audit/audit-log.js";
import type { Action } from "../../core/action.js";
import type { Delivery } from "../../core/events.js";
import { createBudget } from "../../llm/budget.js";
import { buildReportData, type ReportPhase } from "../../report/data.js";
import { renderReport } from "../../report/render.js";
import { jira } from "../../sinks/jira/jira.js";
import { slack } from "../../sinks/slack/slack.js";
import { startSandbox } from "../../testing/sandbox/server.js";
import { demoApprover, demoPolicy, demoPrincipal } from "../demo-policy.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { cliModel, preflightModel } from "../model.js";
import { trackProgress } from "../progress.js";
import { openCliStore } from "../store.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";

/** Help text of `cloudsteward demo`. */
export const demoHelp = `cloudsteward demo [options]

Runs the whole pipeline against the sandbox (emulated Wiz, Prisma Cloud, Orca, Lacework, Jira and
Slack on 127.0.0.1, no credentials): ingest from all four platforms → triage (one case for a problem
several platforms report) → enrich → explain → decide → gate → Jira tickets and Slack messages, with
a SQLite audit log, then writes a self-contained HTML report.

Options:
  --size <n>      findings the four platforms report in all (default 2000: 500 each)
  --seed <n>      estate seed (default 1)
  --out <dir>     where cloudsteward-demo/ (state) and cloudsteward-report/ go (default .)
  --model <p>     auto | openai | anthropic | ollama | none (default auto: a key in the
                  environment picks the model, else the knowledge base explains)
  --max-cost <usd>  model budget of the run (default 0.50); past it, the knowledge base explains
  --json          print the summary as JSON

Examples:
  cloudsteward demo                          # 2,000 findings; open cloudsteward-report/index.html
  cloudsteward demo --size 200 --out /tmp/demo
  OPENAI_API_KEY=… cloudsteward demo --max-cost 0.20
  cloudsteward demo --model none --json`;

/** The flags of `cloudsteward demo`. */
export const demoArgs = {
  flags: {
    size: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    out: { type: "string", default: ".", path: "directory" },
    model: { type: "string", default: "auto", choices: ["auto", "openai", "anthropic", "ollama", "none"] },
    "max-cost": { type: "string", default: "0.50" },
    json: { type: "boolean", default: false },
  },
} as const satisfies CommandArgs;

/** `cloudsteward demo`: the pipeline over the sandbox, an audit log and an HTML report. */
export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, demoArgs);
  const size = positiveInteger(values.size, "--size");
  const seed = positiveInteger(values.seed, "--seed");
  const maxCost = Number(values["max-cost"]);
  if (!Number.isFinite(maxCost) || maxCost < 0)
    throw usageError(`--max-cost must be a number of USD; got "${values["max-cost"]}".`);
  const out = createOutput(io, { json: values.json });
  // `stage`: a pipeline stage's window (first input → last output), printed beside the steps.
  const phases: (ReportPhase & { stage?: true })[] = [];
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    out.progress(`${name}…`);
    try {
      return await work();
    } finally {
      phases.push({ name, durationMs: performance.now() - started });
    }
  };
  const root = resolve(io.cwd, values.out);
  const stateDir = join(root, "cloudsteward-demo");
  const reportDir = join(root, "cloudsteward-report");
  const total = performance.now();

  // `size` records in all, a quarter from each platform; a quarter of each later platform's
  // records are problems an earlier one reports too, which triage folds into one case.
  const perPlatform = Math.ceil(size / demoPlatforms.length);
  const sandbox = await timed("sandbox start", () =>
    startSandbox({ seed, size: perPlatform, platforms: demoPlatforms }),
  );
  await rm(stateDir, { recursive: true, force: true });
  const { store, location } = await openCliStore(
    { path: join(stateDir, "state.db"), synchronous: "normal" },
    io.stderr,
  );
  try {
    const audit = auditLog(store);
    const policy = demoPolicy();
    // One check call first: a model that cannot answer is dropped at once, not once per case.
    const chosen = await preflightModel(
      cliModel(values.model as "auto", io.env),
      io.signal ? { signal: io.signal } : {},
    );
    if (chosen.problem)
      io.stderr.write(`warning: ${chosen.problem}. The demo explains with the knowledge base.\n`);
    const budget = createBudget({ maxCost });
    const model = chosen.model ? budget.wrap(chosen.model) : undefined;
    out.note(
      `${out.bold("cloudsteward demo")} — sandbox at ${sandbox.url}, ${perPlatform * demoPlatforms.length} findings from Wiz, Prisma Cloud, Orca and Lacework, mode ${out.bold("automated")}: low-risk tickets go out at once, ${demoApprover} approves the held tickets and messages, escalations and fixes wait for a human.`,
    );
    out.note(
      `Explanations by ${chosen.label}${chosen.model ? "" : " — set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_HOST to use a model"}.`,
    );
    const sinks = {
      jira: jira({
        ...sandbox.jira,
        projectKey: "SEC",
        store,
        rateLimit: { requestsPerSecond: 200, burst: 50 },
      }),
      slack: slack({ ...sandbox.slack, store }),
    };
    const delivered: { action: Action; delivery: Delivery; note?: string }[] = [];
    const result = await timed("pipeline", () =>
      trackProgress(
        governance({
          sources: [
            wiz({ ...sandbox.wiz, rateLimit: false }),
            prisma({ ...sandbox.prisma, rateLimit: false }),
            orca({ ...sandbox.orca, rateLimit: false }),
            lacework({ ...sandbox.lacework, rateLimit: false }),
          ],
          policy,
          principal: demoPrincipal,
          mode: "automated",
          sinks,
          store,
          audit,
          ...(model ? { model } : {}),
        }),
        out,
        { expectedFindings: perPlatform * demoPlatforms.length },
      ).start(io.signal ? { signal: io.signal } : {}),
    );
    // Stages stream and overlap: each figure is the window from its first input to its last output.
    for (const [name, stats] of Object.entries(result.report.stages)) {
      if (name !== "keep" && name !== "collect")
        phases.push({ name: `  ${name}`, durationMs: stats.durationMs, stage: true });
    }
    delivered.push(...result.delivered);

    const approvals = approvalQueue({ store, policy, audit });
    const pending: ApprovalRequest[] = [];
    const approved = await timed("approvals", async () => {
      let count = 0;
      for await (const request of approvals.list({ state: "requested" })) {
        if (request.action.risk === "high" || !demoApprovedKinds.has(request.action.kind)) {
          pending.push(request);
          continue;
        }
        await approvals.approve(request.id, { principal: demoApprover, comment: "approved by the demo" });
        count++;
      }
      const executed = await approvals.executeApproved({ sinks });
      for (const { id, delivery } of executed.executed) {
        const request = await approvals.get(id);
        if (request)
          delivered.push({ action: request.action, delivery, note: `approved by ${demoApprover}` });
      }
      return { count, failed: executed.failed.length };
    });
    const verification = await timed("audit verify", () => audit.verify());
    const reportFile = join(reportDir, "index.html");
    await timed("report", async () => {
      await mkdir(reportDir, { recursive: true });
      const data = buildReportData({
        title: "cloudsteward demo report",
        mode: "automated",
        explainer: chosen.label,
        cases: result.cases,
        report: result.report,
        delivered,
        pending,
        audit: verification,
        briefing: await buildBriefing({
          findings: result.cases.flatMap((item) => item.findings),
          slaDays: policy.sla,
        }),
        // The report draws the stages on the run's timeline (they overlap); its steps table lists the rest.
        phases: [
          ...phases.filter((phase) => !phase.stage),
          { name: "total", durationMs: performance.now() - total },
        ],
      });
      await writeFile(reportFile, renderReport(data));
    });
    const totalMs = performance.now() - total;
    out.endProgress();
    const summary = {
      findings: result.report.stages.source?.in ?? 0,
      findingsPerPlatform: perPlatform,
      cases: result.cases.length,
      /** Cases folding findings that more than one platform reported: the cross-platform dedup. */
      casesAcrossPlatforms: result.cases.filter((item) => item.platforms.length > 1).length,
      actionsDelivered: delivered.length,
      approvedByDemo: approved.count,
      waitingForApproval: pending.length,
      deadLetters: result.report.deadLetters.length + approved.failed,
      modelCalls: result.report.usage.calls,
      modelCallsRefusedByBudget: budget.refused,
      cost: result.report.usage.cost,
      audit: verification,
      report: reportFile,
      auditLog: location,
      phases: [...phases, { name: "total", durationMs: totalMs }].map((phase) => ({
        name: phase.name.trim(),
        ms: Math.round(phase.durationMs),
      })),
    };
    if (out.json) out.data(summary);
    else {
      out.line(
        `${out.bold(String(summary.findings))} findings (${perPlatform} each from ${demoPlatforms.join(", ")}) → ${out.bold(String(summary.cases))} cases (${summary.casesAcrossPlatforms} reported by 2+ platforms) → ${out.bold(String(summary.actionsDelivered))} actions delivered (${approved.count} approved by ${demoApprover}), ${out.bold(String(summary.waitingForApproval))} waiting for approval, ${summary.deadLetters} dead letter(s)`,
      );
      out.line(
        `Model calls: ${summary.modelCalls} (cost $${summary.cost.toFixed(4)}) — explanations by ${chosen.label}`,
      );
      out.line(
        verification.ok
          ? out.green(
              `Audit log verified: ${verification.count} records, hash chain intact (${summary.auditLog})`,
            )
          : out.red(
              `Audit log verification FAILED at record ${verification.firstBadSeq}: ${verification.message}`,
            ),
      );
      out.line("Timing (pipeline stages overlap; each is first input → last output):");
      for (const phase of [...phases, { name: "total", durationMs: totalMs }]) {
        out.line(`  ${phase.name.padEnd(16)} ${(phase.durationMs / 1000).toFixed(2).padStart(7)} s`);
      }
      out.line(`Report: ${reportFile}`);
    }
    return verification.ok ? exitCodes.ok : exitCodes.auditFailed;
  } finally {
    await store.close();
    await sandbox.close();
  }
}

// Internal helpers.

/** The platforms the demo reads from (the sandbox emulates each). */
const demoPlatforms = ["wiz", "prisma", "orca", "lacework"] as const;

/** What the demo's named approver signs off; escalations and fixes stay in the queue for a human. */
const demoApprovedKinds = new Set(["ticket", "notify"]);

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw usageError(`${flag} must be a positive integer; got "${value}".`);
  return number;
}
