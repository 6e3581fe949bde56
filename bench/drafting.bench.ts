/**
 * Drafting: the impact replay of "no storage bucket may be public" over 100,000 recorded resources
 * (the sandbox estate's resources, with configurations from the archetypes reported on them, repeated
 * under new ids), including the governance replay of the flagged resources through the demo policy;
 * and the template path: every template's draft passes its fixtures and compiles for all four platforms.
 */
import { loadavg } from "node:os";
import { draftPolicy } from "../src/agents/drafting/draft.js";
import { replayDraft } from "../src/agents/drafting/impact.js";
import { draftTemplates } from "../src/agents/drafting/templates.js";
import { sandboxImpactInput } from "../src/cli/commands/draft.js";
import { demoPolicy } from "../src/cli/demo-policy.js";
import { type Benchmark, resultRow } from "./harness.js";

const resourceCount = 100_000;
const targetMs = 2_000;
const row = resultRow("drafting");

const benchmark: Benchmark = {
  name: "drafting",
  async run() {
    const estate = sandboxImpactInput(1, 200);
    const resources = Array.from({ length: resourceCount }, (_, n) => {
      const resource = estate.resources[n % estate.resources.length]!;
      return { ...resource, id: `${resource.id}#${n}` };
    });
    const draft = await draftPolicy("no storage bucket may be public");
    const started = performance.now();
    const impact = await replayDraft(draft, {
      resources,
      findings: estate.findings,
      policy: demoPolicy(),
      now: () => estate.now,
    });
    const impactMs = performance.now() - started;

    let ready = 0;
    let compiledEverywhere = 0;
    for (const template of draftTemplates) {
      const templateDraft = await draftPolicy(template.keywords.map((group) => group[0]).join(" "), {
        templates: [template],
      });
      if (templateDraft.ready) ready++;
      const platforms = new Set(templateDraft.policies.map((policy) => policy.platform));
      if (platforms.size === 4 && templateDraft.uncompiled.length === 0) compiledEverywhere++;
    }
    const passRate = (ready / draftTemplates.length) * 100;

    return [
      row(`impact replay over ${resourceCount.toLocaleString("en")} resources`, impactMs, "ms", {
        target: `<= ${targetMs}`,
        pass: impactMs <= targetMs,
        notes: `${impact.flagged.toLocaleString("en")} flagged (rule evaluation ${impact.evaluationMs.toFixed(0)} ms, the rest the governance replay: ${impact.governance.ticketsOpened.toLocaleString("en")} tickets); load average ${loadavg()[0]?.toFixed(1)}`,
      }),
      row(`template drafts passing their fixtures (${draftTemplates.length} templates)`, passRate, "%", {
        target: ">= 100",
        pass: passRate >= 100 && compiledEverywhere === draftTemplates.length,
        notes: `${compiledEverywhere}/${draftTemplates.length} compiled for Wiz, Prisma Cloud, Lacework and Orca`,
      }),
    ];
  },
};

export default benchmark;
