import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyAnnexes } from "../../../src/agents/compliance/annex.js";
import { defineFramework } from "../../../src/agents/compliance/framework.js";
import { createKnowledgeBase } from "../../../src/agents/knowledge/knowledge-base.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeFinding } from "../../../src/testing/factories.js";

/** The Prowler checks of the reference catalog, as the fixture the generator reads records them. */
const catalogChecks = new Map(
  (
    JSON.parse(
      readFileSync(new URL("../../__fixtures__/catalogs/rule-names.json", import.meta.url), "utf8"),
    ) as {
      prowler: [string, string, string, string, string][];
    }
  ).prowler.map(([, id, , resourceType]) => [id, resourceType]),
);

const lambda = (name: string) =>
  makeFinding({
    resource: {
      type: "aws.lambda.function",
      id: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
      name,
      nativeType: "AWS::Lambda::Function",
    },
  });

describe("policyAnnexes", () => {
  it("drafts an annex for a first Lambda function from the catalog, once", async () => {
    const store = memoryStore();
    const first = await policyAnnexes({
      findings: [lambda("exporter"), lambda("resizer")],
      store,
      frameworks: ["soc2", "iso27001-2022"],
      at: "2026-12-01T00:00:00Z",
    });
    expect(first.newTypes).toEqual(["aws.lambda.function"]);
    expect(first.newServices).toEqual(["aws.lambda"]);
    const [annex] = first.annexes;
    expect(annex).toMatchObject({
      resourceType: "aws.lambda.function",
      service: "aws.lambda",
      newService: true,
      firstSeen: "2026-12-01T00:00:00.000Z",
      example: "arn:aws:lambda:eu-west-1:123456789012:function:exporter",
      resources: 2,
      match: "type",
      draftedBy: "template",
    });
    // Every Lambda check of the catalog, and only checks the catalog has for that type.
    const expected = [...catalogChecks]
      .filter(([, type]) => type === "aws.lambda.function")
      .map(([id]) => id);
    expect(annex!.checks.map((check) => check.id).sort()).toEqual(expected.sort());
    expect(annex!.checks.map((check) => check.id)).toContain("awslambda_function_no_secrets_in_code");
    expect(annex!.requirements).toContainEqual(
      expect.objectContaining({
        framework: "soc2",
        requirement: "cc_a_1_1",
        through: ["awslambda_function_invoke_api_operations_cloudtrail_logging_enabled"],
      }),
    );
    expect(
      annex!.requirements.every((requirement) => ["soc2", "iso27001-2022"].includes(requirement.framework)),
    ).toBe(true);
    expect(annex!.covered.length).toBeGreaterThan(0);
    for (const coverage of annex!.covered)
      for (const check of coverage.checks)
        expect(annex!.checks.find((candidate) => candidate.id === check)?.archetype).toBe(coverage.archetype);
    expect(annex!.markdown).toContain("# Policy annex: `aws.lambda.function`");
    expect(annex!.markdown).toContain("| `awslambda_function_no_secrets_in_code` |");
    expect(annex!.markdown).toContain("### SOC 2");

    const again = await policyAnnexes({ findings: [lambda("exporter"), lambda("third")], store });
    expect(again).toEqual({ newTypes: [], newServices: [], annexes: [], warnings: [] });
  });

  it("lists the PCI DSS and ISO requirements of a first EKS cluster from an inventory", async () => {
    const { annexes, newServices } = await policyAnnexes({
      resources: [{ type: "aws.eks.cluster", id: "arn:aws:eks:eu-west-1:123456789012:cluster/prod" }],
      store: memoryStore(),
      frameworks: ["pci-dss-4.0", "iso27001-2022", "soc2"],
    });
    expect(newServices).toEqual(["aws.eks"]);
    const [annex] = annexes;
    expect(annex!.checks.map((check) => check.id)).toContain("eks_cluster_not_publicly_accessible");
    expect(annex!.checks.every((check) => catalogChecks.get(check.id) === "aws.eks.cluster")).toBe(true);
    expect(annex!.requirements).toContainEqual(
      expect.objectContaining({
        framework: "pci-dss-4.0",
        requirement: "10.2.1",
        through: ["eks_control_plane_logging_all_types_enabled"],
      }),
    );
    expect(annex!.requirements).toContainEqual(
      expect.objectContaining({ framework: "iso27001-2022", requirement: "A.8.1" }),
    );
    // The SOC 2 catalog cites no EKS check: it is not listed.
    expect(annex!.requirements.some((requirement) => requirement.framework === "soc2")).toBe(false);
  });

  it("falls back to the service's checks, and names a type nothing assesses as a gap", async () => {
    const { annexes } = await policyAnnexes({
      resources: [
        { type: "aws.eks.nodegroup", id: "ng-1" },
        { type: "aws.quantumledger.vault", id: "q-1" },
      ],
      store: memoryStore(),
      frameworks: ["soc2"],
    });
    const nodegroup = annexes.find((annex) => annex.resourceType === "aws.eks.nodegroup")!;
    expect(nodegroup.match).toBe("service");
    expect(nodegroup.checks.every((check) => check.resourceType.startsWith("aws.eks."))).toBe(true);
    expect(nodegroup.checks.length).toBeGreaterThan(0);
    const unknown = annexes.find((annex) => annex.resourceType === "aws.quantumledger.vault")!;
    expect(unknown).toMatchObject({ match: "none", checks: [], requirements: [], covered: [] });
    expect(unknown.gaps).toEqual([
      {
        id: "aws.quantumledger.vault",
        title: "the resource type",
        reason: "no catalog check assesses it and no archetype explains it",
      },
    ]);
    expect(unknown.markdown).toContain("nothing assesses it yet");
  });

  it("lists as gaps the checks a knowledge base does not explain", async () => {
    const { annexes } = await policyAnnexes({
      findings: [lambda("a")],
      store: memoryStore(),
      knowledge: createKnowledgeBase([]),
      frameworks: ["soc2"],
    });
    const [annex] = annexes;
    expect(annex!.covered).toEqual([]);
    expect(annex!.gaps.map((gap) => gap.id)).toEqual(annex!.checks.map((check) => check.id));
    expect(annex!.markdown).toContain("No knowledge-base archetype explains these checks.");
  });

  it("lists the requirements of a framework of your own through the archetypes that cover the checks", async () => {
    const acme = defineFramework({
      key: "acme",
      name: "ACME baseline",
      requirements: [
        {
          id: "ACME-7",
          title: "Functions keep no secrets",
          checks: ["awslambda_function_no_secrets_in_code"],
        },
        { id: "ACME-8", title: "Buckets are private", checks: ["s3_bucket_public_access"] },
      ],
    });
    const { annexes } = await policyAnnexes({
      findings: [lambda("a")],
      store: memoryStore(),
      frameworks: [acme],
    });
    expect(annexes[0]!.requirements).toEqual([
      {
        framework: "acme",
        frameworkName: "ACME baseline",
        requirement: "ACME-7",
        title: "Functions keep no secrets",
        section: "",
        through: ["awslambda_function_no_secrets_in_code"],
      },
    ]);
  });

  it("records a baseline without drafting, so only later types are new", async () => {
    const store = memoryStore();
    const baseline = await policyAnnexes({ findings: [lambda("a")], store, baseline: true });
    expect(baseline.newTypes).toEqual(["aws.lambda.function"]);
    expect(baseline.annexes).toEqual([]);
    const later = await policyAnnexes({
      findings: [lambda("b")],
      resources: [{ type: "aws.lambda.layer-version", id: "layer:1" }],
      store,
      frameworks: ["soc2"],
    });
    expect(later.newTypes).toEqual(["aws.lambda.layer-version"]);
    expect(later.newServices).toEqual([]);
    expect(later.annexes[0]!.newService).toBe(false);
    expect(later.annexes[0]!.markdown).not.toContain("is new to the estate too");
  });

  it("uses a model's draft only when every id in it is a catalog check or a requirement", async () => {
    const honest = await policyAnnexes({
      findings: [lambda("a")],
      store: memoryStore(),
      frameworks: ["soc2"],
      draft: async (facts) =>
        `# Lambda\nRun \`awslambda_function_no_secrets_in_code\` for ${facts.resourceType}; SOC 2 cc_a_1_1 applies.\n`,
    });
    expect(honest.annexes[0]!.draftedBy).toBe("model");
    expect(honest.annexes[0]!.markdown).toContain("# Lambda");
    expect(honest.warnings).toEqual([]);

    const invented = await policyAnnexes({
      findings: [lambda("a")],
      store: memoryStore(),
      frameworks: ["soc2"],
      draft: async () => "Also run awslambda_function_is_quantum_safe.\n",
    });
    expect(invented.annexes[0]!.draftedBy).toBe("template");
    expect(invented.annexes[0]!.markdown).toContain("# Policy annex: `aws.lambda.function`");
    expect(invented.warnings).toEqual([
      "annex aws.lambda.function: the drafted text names ids that are neither catalog checks nor requirements (awslambda_function_is_quantum_safe); the template is kept",
    ]);

    const failing = await policyAnnexes({
      findings: [lambda("a")],
      store: memoryStore(),
      draft: async () => {
        throw new Error("model unavailable");
      },
    });
    expect(failing.annexes[0]!.draftedBy).toBe("template");
    expect(failing.warnings[0]).toContain("drafting failed (model unavailable)");
  });

  it("keeps untrusted resource ids from breaking out of their code span", async () => {
    const { annexes } = await policyAnnexes({
      resources: [{ type: "aws.lambda.function", id: "fn`</code><script>x</script>" }],
      store: memoryStore(),
      frameworks: ["soc2"],
    });
    expect(annexes[0]!.markdown).toContain("`fn'</code><script>x</script>`");
    expect(annexes[0]!.markdown.split("\n")[2]!.split("`").length).toBe(5);
  });
});
