import type { Draft } from "./draft.js";

/** One file of an exported draft. */
export interface DraftFile {
  /** Relative path: `<rule id>/<name>`. */
  path: string;
  content: string;
}

const extensions = { rego: "rego", rql: "rql", lql: "lql", sonar: "sonar" } as const;

/**
 * A draft as files for review in git: `rule.json` (the portable rule and its fixtures), `rule.cel`,
 * one file per platform policy (`wiz.rego`, `prisma.rql`, `lacework-1.lql`…), `governance.json` and a
 * `README.md` with the requirement, the fixture results and what could not be compiled. Pure: the
 * caller writes them.
 * @example
 * for (const file of exportDraft(draft)) await writeFile(join(dir, file.path), file.content);
 */
export function exportDraft(draft: Draft): DraftFile[] {
  const directory = draft.rule.id;
  const file = (name: string, content: string): DraftFile => ({
    path: `${directory}/${name}`,
    content: content.endsWith("\n") ? content : `${content}\n`,
  });
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const files = [
    file("rule.json", json({ rule: draft.rule, fixtures: draft.fixtures })),
    file("rule.cel", draft.cel),
    file("governance.json", json(draft.governance)),
  ];
  const perPlatform = new Map<string, number>();
  for (const policy of draft.policies)
    perPlatform.set(policy.platform, (perPlatform.get(policy.platform) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const policy of draft.policies) {
    const index = (seen.get(policy.platform) ?? 0) + 1;
    seen.set(policy.platform, index);
    const suffix = (perPlatform.get(policy.platform) ?? 0) > 1 ? `-${index}` : "";
    files.push(file(`${policy.platform}${suffix}.${extensions[policy.language]}`, policy.text));
  }
  const passed = draft.test.results.filter((result) => result.passed).length;
  files.push(
    file(
      "README.md",
      [
        `# ${draft.rule.title}`,
        "",
        `Requirement: ${JSON.stringify(draft.requirement)}`,
        "",
        `- Status: ${draft.ready ? "ready" : "NOT READY"} — ${passed}/${draft.test.results.length} fixtures pass`,
        `- Drafted from: ${draft.source === "template" ? `the template of ${draft.archetype}` : `a model (${draft.promptVersion})`}`,
        `- Resource types: ${draft.rule.resourceTypes.join(", ")}; severity ${draft.rule.severity}`,
        ...draft.test.problems.map((problem) => `- Fixture problem: ${problem}`),
        ...draft.uncompiled.map((missing) => `- Not compiled for ${missing.platform}: ${missing.reason}`),
        "",
        "Validate each platform policy in its platform before enabling it (docs/drafting.md).",
      ].join("\n"),
    ),
  );
  return files;
}
