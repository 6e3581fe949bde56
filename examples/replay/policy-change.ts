/**
 * "Will this rule change flood us?" Replay the findings through the current policy and a candidate
 * (here: tickets for low findings too) without delivering
 * anything, and read the diff before you ship the change.
 * Run: npx tsx examples/replay/policy-change.ts
 */
import { wiz } from "../../src/adapters/wiz/index.js";
import { loadPolicyFile, type PolicyInput } from "../../src/agents/policy/index.js";
import { replay } from "../../src/agents/replay/index.js";
import type { Finding } from "../../src/core/finding.js";
import { run } from "../run.js";

await run(
  async (context) => {
    const current = await loadPolicyFile(new URL("../policy/policy.yaml", import.meta.url).pathname);
    const candidate: PolicyInput = {
      ...current,
      rules: current.rules.map((rule) =>
        rule.id === "everything-else"
          ? { ...rule, when: { ...rule.when, severity: ["critical", "high", "medium", "low"] } }
          : rule,
      ),
    };
    // Recorded findings: in production, read them from your store or an export; here, from the source.
    const findings: Finding[] = [];
    for await (const finding of wiz(context.wiz).findings()) findings.push(finding);

    const diff = await replay({ findings, baseline: { policy: current }, candidate: { policy: candidate } });
    console.log(
      `Replayed ${findings.length} findings: ${diff.baseline.actions.length} actions today, ${diff.candidate.actions.length} with the change.`,
    );
    console.log(`  tickets opened: ${diff.ticketsOpened.length}, closed: ${diff.ticketsClosed.length}`);
    console.log(
      `  actions added: ${diff.actionsAdded.length}, removed: ${diff.actionsRemoved.length}, new approvals: ${diff.approvalsNeeded.length}`,
    );
    for (const action of diff.ticketsOpened.slice(0, 3))
      console.log(`  + ${action.kind} → ${action.sink}: ${action.title}`);
  },
  { size: 200 },
);
