import { readFileSync } from "node:fs";
import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { explain } from "../../../src/agents/explain/explain.js";
import type { Case, Explanation } from "../../../src/core/case.js";
import type { PipelineEvents } from "../../../src/core/events.js";
import type { Category, Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createRunReport } from "../../../src/core/report.js";
import { createStageContext } from "../../../src/core/stage.js";
import { mulberry32 } from "../../../src/testing/estate.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { estateCases } from "./estate-cases.js";

/**
 * Issue 13, item 3: every explanation names the resource, the exact misconfiguration and at least
 * one concrete fix; vulnerabilities without package data say what to look up and where; threats get
 * threat-specific first steps; an unmatched rule falls back to the platform's text or the rule's name,
 * marked as such.
 */

async function explainAll(cases: Case[]): Promise<Case[]> {
  const context = createStageContext({
    stage: "explain",
    events: new EventEmitter<PipelineEvents>(),
    report: createRunReport("run-concrete", new Date("2026-11-01T00:00:00Z")),
    store: memoryStore(),
    now: () => new Date("2026-11-01T00:00:00Z"),
  });
  async function* input() {
    yield* cases;
  }
  const out: Case[] = [];
  for await (const item of explain().run(input(), context)) out.push(item);
  return out;
}

const actions =
  /\b(turn|enable|disable|remove|set|rotate|upgrade|add|create|delete|restrict|replace|move|require|configure|attach|apply|block|revoke|deactivate|isolate|close|limit|change|confirm|look up|copy|give|patch|rebuild|switch|use|run|recreate|tag|associate|deploy|define|invite|register|reduce|split|install|onboard|narrow|pin|review|triage|raise|keep|allow|grant|designate|activate|share|store|renew|issue|point|anchor|open|make|contain|find|investigate|check|detach|release|bump|redeploy|re-sign|update)\b/i;

/** What is missing from an explanation; empty when it names the resource, the misconfiguration and a concrete fix. */
function missing(item: Case, explanation: Explanation): string[] {
  const finding = item.findings[0] as Finding;
  const { resource } = finding;
  const shortId =
    resource.id
      .slice(resource.id.lastIndexOf("/") + 1)
      .split(":")
      .at(-1) ?? "";
  const names = (text: string) =>
    [resource.name, resource.id, shortId].some((value) => value !== "" && text.includes(value));
  const problems: string[] = [];
  if (!names(`${explanation.headline}\n${explanation.risk}`)) problems.push("resource not named");
  // The misconfiguration: a specific archetype's headline states it; otherwise the rule's own name does.
  if (!explanation.archetypeId && !explanation.headline.includes(finding.rule.name)) {
    problems.push("misconfiguration not named");
  }
  if (
    finding.vulnerability?.cve &&
    !`${explanation.headline}\n${explanation.risk}`.includes(finding.vulnerability.cve)
  ) {
    problems.push("CVE not named");
  }
  const steps = explanation.remediationSteps;
  const concrete = steps.some(
    (step) =>
      actions.test(step) &&
      step.length >= 30 &&
      (names(step) || (explanation.remediationSource === "platform" && step.includes(finding.rule.name))),
  );
  if (!concrete) problems.push(`no concrete fix: ${steps.join(" / ")}`);
  if (steps.some((step) => /review the platform's remediation guidance/i.test(step)))
    problems.push("vague fix");
  if (explanation.snippets.length === 0 && explanation.remediationSource === "knowledge")
    problems.push("no snippet");
  return problems;
}

describe("explanations say something concrete", () => {
  it("names the resource, the misconfiguration and a concrete fix for 100 random sandbox cases", async () => {
    const all = estateCases(23, 2000);
    const random = mulberry32(13);
    const picked = new Set<number>();
    while (picked.size < 100) picked.add(Math.floor(random() * all.length));
    const explained = await explainAll([...picked].map((index) => all[index] as Case));
    expect(explained).toHaveLength(100);
    const failures = explained
      .map((item) => ({ id: item.id, problems: missing(item, item.explanation as Explanation) }))
      .filter((entry) => entry.problems.length > 0);
    expect(failures).toEqual([]);
  });

  it("does the same for 100 random real rule names from the catalogs, matched or not, on resources of their type", async () => {
    const names = JSON.parse(
      readFileSync(new URL("../../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
    ) as {
      prowler: [string, string, string, string, Category][];
      vendor: [string, string, string, string, Category][];
    };
    const rows = [
      ...names.prowler.map(
        ([, id, title, type, category]) => ["prowler", id, title, type, category] as const,
      ),
      ...names.vendor,
    ];
    const random = mulberry32(7);
    const cases: Case[] = [];
    const seen = new Set<number>();
    while (cases.length < 100) {
      const index = Math.floor(random() * rows.length);
      if (seen.has(index)) continue;
      seen.add(index);
      const [platform, id, title, type, category] = rows[index] as readonly [
        string,
        string,
        string,
        string,
        Category,
      ];
      const cloud = type.split(".")[0] as Finding["resource"]["cloud"];
      const name = `res-${index}`;
      cases.push(
        makeCase({
          findings: [
            makeFinding({
              source: { platform },
              category,
              title,
              rule: { id, name: title, remediation: "", controls: [] },
              resource: {
                id: `${cloud}:${type}/${name}`,
                type,
                nativeType: type,
                name,
                cloud: ["aws", "azure", "gcp", "kubernetes"].includes(cloud) ? cloud : "other",
                region: "eu-west-1",
              },
            }),
          ],
        }),
      );
    }
    const explained = await explainAll(cases);
    const failures = explained
      .map((item) => ({
        rule: item.findings[0]?.rule.name,
        problems: missing(item, item.explanation as Explanation),
      }))
      .filter((entry) => entry.problems.length > 0);
    expect(failures).toEqual([]);
  });

  it("names the CVE of a vulnerability without package data, what to look up and where", async () => {
    const [item] = await explainAll([
      makeCase({
        severity: "high",
        findings: [
          makeFinding({
            category: "vulnerability",
            title: "CVE-2024-6387 on web-01",
            rule: { id: "vuln-1", name: "CVE-2024-6387" },
            resource: { type: "aws.ec2.instance", name: "web-01" },
            vulnerability: { cve: "CVE-2024-6387" },
          }),
        ],
      }),
    ]);
    const explanation = item?.explanation as Explanation;
    expect(explanation.archetypeId).toBe("cve-package-unidentified");
    expect(explanation.headline).toContain("CVE-2024-6387");
    expect(explanation.remediationSteps.join(" ")).toContain(
      "https://nvd.nist.gov/vuln/detail/CVE-2024-6387",
    );
    expect(explanation.remediationSteps.join(" ")).toMatch(/advisory/);
    expect(explanation.remediationSteps.join(" ")).toMatch(/web-01/);
    expect(explanation.remediationSteps.join(" ")).not.toContain("the affected package to a fixed version");
  });

  it("names the rule of a vulnerability that has no CVE, and where to find the package", async () => {
    const [item] = await explainAll([
      makeCase({
        findings: [
          makeFinding({
            category: "vulnerability",
            title: "Vulnerable Software",
            rule: { id: "r81a3c225f3", name: "Vulnerable Software" },
            resource: { type: "gcp.container.cluster", name: "gke-prod" },
          }),
        ],
      }),
    ]);
    const explanation = item?.explanation as Explanation;
    expect(explanation.archetypeId).toBe("vulnerability-unidentified");
    expect(explanation.headline).toContain("Vulnerable Software");
    expect(explanation.remediationSteps[0]).toMatch(/SBOM/);
  });

  it("gives a threat first steps for its kind: contain, preserve evidence, rotate", async () => {
    const threats = [
      ["CryptoCurrency:EC2/BitcoinTool.B!DNS", "threat-cryptomining"],
      ["Execution:Runtime/ReverseShell", "threat-reverse-shell"],
      [
        "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        "threat-credential-compromise",
      ],
      ["Recon:EC2/PortProbeUnprotectedPort", "threat-recon"],
      ["Something odd was observed", "threat-detected"],
    ] as const;
    const explained = await explainAll(
      threats.map(([name], index) =>
        makeCase({
          findings: [
            makeFinding({
              category: "threat",
              title: name,
              rule: { id: `t-${index}`, name },
              resource: { type: "aws.ec2.instance", name: `host-${index}` },
            }),
          ],
        }),
      ),
    );
    threats.forEach(([, archetype], index) => {
      const explanation = explained[index]?.explanation as Explanation;
      expect(explanation.archetypeId ?? "threat-detected", archetype).toBe(archetype);
      const steps = explanation.remediationSteps.join(" ");
      expect(steps, archetype).toContain(`host-${index}`);
      if (archetype !== "threat-recon") {
        expect(steps, archetype).toMatch(/isolat|contain|deactivate|revoke/i);
        expect(
          `${steps} ${explanation.snippets.map((snippet) => snippet.code).join(" ")}`,
          archetype,
        ).toMatch(/snapshot|preserve|export|capture|logs/i);
        expect(steps, archetype).toMatch(/rotat|revoke/i);
      }
    });
    // The generic threat says more than "follow your runbook".
    expect((explained[4]!.explanation as Explanation).remediationSteps.join(" ")).toMatch(/quarantine/);
  });

  it("falls back to the platform's own remediation text and the rule's name for an unknown rule, marked as such", async () => {
    const [withText, withoutText] = await explainAll([
      makeCase({
        platforms: ["orca"],
        findings: [
          makeFinding({
            source: { platform: "orca" },
            title: "Widget frobnication is enabled",
            rule: {
              id: "r1",
              name: "Widget frobnication enabled",
              remediation: "Disable frobnication in the widget console.",
            },
            resource: { type: "aws.other.widget", name: "w-1" },
          }),
        ],
      }),
      makeCase({
        findings: [
          makeFinding({
            title: "Widget frobnication is enabled",
            rule: { id: "r2", name: "Widget frobnication should be disabled", remediation: "" },
            resource: { type: "aws.other.widget", name: "w-2" },
          }),
        ],
      }),
    ]);
    const platform = withText?.explanation as Explanation;
    expect(platform.archetypeId).toBeUndefined();
    expect(platform.remediationSource).toBe("platform");
    expect(platform.remediationSteps[0]).toBe(
      "Platform guidance for “Widget frobnication enabled” (orca, not from the knowledge base): Disable frobnication in the widget console.",
    );
    expect(platform.headline).toBe("Widget frobnication enabled on w-1");
    const rule = withoutText?.explanation as Explanation;
    expect(rule.remediationSource).toBe("rule");
    expect(rule.remediationSteps[0]).toContain("“Widget frobnication should be disabled”");
    expect(rule.remediationSteps[0]).toContain("w-2");
  });
});
