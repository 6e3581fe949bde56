import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { prisma } from "../../../src/adapters/prisma/index.js";
import { defineFramework } from "../../../src/agents/compliance/framework.js";
import { complianceMapper } from "../../../src/agents/compliance/mapping.js";
import { comparePosture, type PostureOutcome } from "../../../src/agents/compliance/platform-posture.js";
import { assessCompliance, type FrameworkAssessment } from "../../../src/agents/compliance/posture.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { createRecorder } from "../../../src/core/recorder.js";
import { createRunReport } from "../../../src/core/report.js";
import type { PlatformRequirementPosture } from "../../../src/core/source.js";
import { collect, serveSandbox } from "../../adapters/helpers.js";

const { sandbox, server } = serveSandbox({ seed: 5, size: 80, platforms: ["prisma"] });

const apiUrl = "https://api2.eu.prismacloud.io";
const soc2Id = "7f5a6a6e-1c5c-4e6f-9c3a-0a2b1c3d4e5f";

/** Prisma Cloud's answers in the shape pan.dev documents (List Compliance Standards; Get Compliance Statistics for Standard ID V2). */
function mockPrisma(posture: Record<string, unknown> = soc2Posture) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  server.use(
    http.post(`${apiUrl}/login`, () =>
      HttpResponse.json({ token: "eyJ.test.token", message: "login_successful" }),
    ),
    http.get(`${apiUrl}/compliance`, ({ request }) => {
      requests.push({ method: "GET", path: new URL(request.url).pathname });
      return HttpResponse.json([
        {
          id: soc2Id,
          name: "SOC 2",
          description: "SOC 2",
          cloudType: ["aws", "azure", "gcp"],
          systemDefault: true,
        },
        { id: "0c1d2e3f-0000-4000-8000-000000000001", name: "CIS v2.0.0 (AWS)", systemDefault: true },
      ]);
    }),
    http.post(`${apiUrl}/v2/compliance/posture/:id`, async ({ request, params }) => {
      requests.push({
        method: "POST",
        path: new URL(request.url).pathname,
        body: (await request.json()) as unknown,
      });
      return params.id === soc2Id ? HttpResponse.json(posture) : HttpResponse.json({}, { status: 404 });
    }),
  );
  return requests;
}

const counts = (passed: number, failed: number) => ({
  passedResources: passed,
  failedResources: failed,
  totalResources: passed + failed,
  criticalSeverityFailedResources: 0,
  highSeverityFailedResources: failed,
  mediumSeverityFailedResources: 0,
  lowSeverityFailedResources: 0,
  informationalSeverityFailedResources: 0,
});

const soc2Posture = {
  summary: { id: soc2Id, name: "SOC 2", ...counts(60, 9), timestamp: 1_764_979_200_000 },
  complianceDetails: [
    {
      id: "r-cc6",
      name: "CC6",
      description: "Logical and Physical Access Controls",
      assignedPolicies: 40,
      default: true,
      ...counts(30, 5),
    },
  ],
  requirementSummaries: [
    {
      id: "r-cc6",
      name: "CC6",
      sectionSummaries: [
        { id: "s-1", name: "CC6.1", ...counts(10, 3) },
        { id: "s-6", name: "CC6.6", ...counts(12, 0) },
        { id: "s-7", name: "CC6.7", ...counts(0, 0) },
        { id: "s-8", name: "CC6.8", ...counts(4, 0) },
        { id: "s-99", name: "CC9.9", ...counts(1, 1) },
      ],
    },
  ],
  requestedTimestamp: 1_764_979_200_000,
};

const source = () => prisma({ apiUrl, accessKeyId: "key", secretKey: "secret", rateLimit: false });

/** Our SOC 2 assessment of four requirements, written out. */
const ours: FrameworkAssessment = {
  framework: "soc2",
  name: "SOC 2",
  scope: "all",
  at: "2026-12-06T00:00:00Z",
  findingCount: 4,
  requirements: [
    requirement("cc_6_1", "fail", { failingResources: ["arn:aws:s3:::a", "arn:aws:s3:::b"] }),
    requirement("cc_6_6", "fail", { failingResources: ["sg-1"] }),
    requirement("cc_6_7", "pass", {}),
    requirement("cc_6_8", "not-assessed", {}),
    requirement("cc_7_2", "pass", { passing: ["f-9"], exceptions: [] }),
  ],
};

function requirement(
  id: string,
  status: "pass" | "fail" | "not-assessed",
  facts: { failingResources?: string[]; passing?: string[]; exceptions?: string[] },
): FrameworkAssessment["requirements"][number] {
  return {
    id,
    title: `Requirement ${id}`,
    section: "CC",
    status,
    failing: (facts.failingResources ?? []).map((resource) => `finding-on-${resource}`),
    failingResources: (facts.failingResources ?? []).map((resource) => ({ id: resource, findings: 1 })),
    passing: facts.passing ?? [],
    exceptions: facts.exceptions ?? [],
    routes: [],
  };
}

describe("prisma compliancePosture", () => {
  it("reads the standards named, then their posture per requirement and section", async () => {
    const requests = mockPrisma();
    const prismaSource = source();
    expect(prismaSource.capabilities.compliancePosture).toBe(true);
    const rows = await prismaSource.compliancePosture({ frameworks: ["soc 2"] });
    expect(requests).toEqual([
      { method: "GET", path: "/compliance" },
      { method: "POST", path: `/v2/compliance/posture/${soc2Id}`, body: { filters: [] } },
    ]);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({
      platform: "prisma",
      framework: "SOC 2",
      requirement: "CC6",
      level: "requirement",
      title: "Logical and Physical Access Controls",
      passed: 30,
      failed: 5,
      total: 35,
      at: "2025-12-06T00:00:00.000Z",
    });
    expect(rows[1]).toMatchObject({
      requirement: "CC6.1",
      level: "section",
      passed: 10,
      failed: 3,
      total: 13,
    });
  });

  it("warns about a standard the tenant does not have, and names a malformed answer", async () => {
    mockPrisma({ complianceDetails: "not a list" });
    const report = createRunReport("test");
    const rows = await source().compliancePosture(
      { frameworks: ["HITRUST v9.4"] },
      { record: createRecorder(report) },
    );
    expect(rows).toEqual([]);
    expect(report.warnings).toContainEqual(
      expect.objectContaining({
        source: "prisma",
        message: 'prisma: no compliance standard named "HITRUST v9.4"',
      }),
    );
    const error = await source()
      .compliancePosture({ frameworks: ["SOC 2"] })
      .catch((caught: unknown) => caught);
    expect(isCloudstewardError(error) && error.code).toBe("INVALID_RESPONSE");
    expect((error as Error).message).toContain("POST /v2/compliance/posture answered in an unexpected shape");
  });
});

describe("comparePosture", () => {
  it("reports per requirement agree, disagree, only-ours and only-theirs, with reasons", async () => {
    mockPrisma();
    const theirs = await source().compliancePosture({ frameworks: ["SOC 2"] });
    const { comparisons, unmatched } = comparePosture([ours], theirs);
    expect(unmatched).toEqual([]);
    const [soc2] = comparisons;
    expect(soc2).toMatchObject({ framework: "soc2", platform: "prisma", platformFramework: "SOC 2" });
    const byId = new Map(soc2!.requirements.map((row) => [row.requirement, row]));
    const expected: [id: string, outcome: PostureOutcome, reason: string][] = [
      ["cc_6_1", "agree", "both fail it; we count 2 failing resources, prisma 3"],
      ["cc_6_6", "disagree", "we fail it on 1 resource (sg-1); prisma counts none failing of 12"],
      ["cc_6_7", "only-ours", "prisma assessed no resource against it"],
      [
        "cc_6_8",
        "only-theirs",
        "we mark it not assessed: no check, archetype or rule of our catalog assesses it, and no finding maps to it; prisma passes 4 of 4 resources",
      ],
      ["cc_7_2", "only-ours", "prisma does not report this requirement"],
      // CC9.9 is not a SOC 2 requirement of our catalog, nor is the requirement-level row CC6.
      ["CC9.9", "only-theirs", "not a requirement of our SOC 2 catalog"],
      ["CC6", "only-theirs", "not a requirement of our SOC 2 catalog"],
    ];
    for (const [id, outcome, reason] of expected) expect(byId.get(id), id).toMatchObject({ outcome, reason });
    expect(soc2!.counts).toEqual({ agree: 1, disagree: 1, "only-ours": 2, "only-theirs": 3 });
  });

  it("says why we pass what the platform fails, and lists frameworks we did not assess", () => {
    const theirs: PlatformRequirementPosture[] = [
      {
        platform: "prisma",
        framework: "SOC 2",
        requirement: "CC6.1",
        level: "section",
        passed: 2,
        failed: 1,
        total: 3,
      },
      {
        platform: "prisma",
        framework: "CIS v1.2.0 (AWS)",
        requirement: "1.4",
        level: "section",
        passed: 1,
        failed: 0,
        total: 1,
      },
    ];
    const excepted: FrameworkAssessment = {
      ...ours,
      requirements: [requirement("cc_6_1", "pass", { passing: ["f-1"], exceptions: ["EXC-7"] })],
    };
    const { comparisons, unmatched } = comparePosture([excepted], theirs);
    expect(unmatched).toEqual(["prisma: CIS v1.2.0 (AWS)"]);
    expect(comparisons[0]!.requirements).toEqual([
      {
        requirement: "cc_6_1",
        title: "Requirement cc_6_1",
        outcome: "disagree",
        ours: { status: "pass", failingResources: 0, exceptions: ["EXC-7"] },
        theirs: { requirement: "CC6.1", status: "fail", passed: 2, failed: 1, total: 3 },
        reason: "prisma fails it on 1 of 3 resources; we pass it with exceptions in force (EXC-7)",
      },
    ]);
  });

  it("agrees with the sandbox's Prisma posture on every requirement Prisma fails", async () => {
    const prismaSource = prisma({ ...sandbox.prisma, rateLimit: false });
    const frameworkNames = [
      ...new Set(sandbox.estate.rules.flatMap((rule) => rule.controls.map((c) => c.framework))),
    ];
    const theirs = await prismaSource.compliancePosture({ frameworks: frameworkNames });
    expect(new Set(theirs.map((row) => row.framework))).toEqual(new Set(frameworkNames));

    const findings = await collect(prismaSource.findings());
    const mapper = complianceMapper({ frameworks: ["soc2", "pci-dss-4.0"] });
    const { comparisons, unmatched } = comparePosture(assessCompliance(findings, { mapper }), theirs);
    // The sandbox's CIS benchmarks are older versions than the bundled ones: other frameworks.
    expect(unmatched.some((name) => name.startsWith("prisma: CIS AWS 2.0.0"))).toBe(true);
    expect(comparisons.map((comparison) => comparison.framework).sort()).toEqual(["pci-dss-4.0", "soc2"]);
    let failing = 0;
    for (const comparison of comparisons)
      for (const row of comparison.requirements) {
        if (row.theirs?.status !== "fail") continue;
        failing++;
        // The same open alerts fail it on both sides; other findings of ours may reach it through the catalog.
        expect(row.ours?.status, `${comparison.framework} ${row.requirement}`).toBe("fail");
        expect(row.ours!.failingResources).toBeGreaterThanOrEqual(row.theirs.failed);
      }
    expect(failing).toBeGreaterThan(0);
  });

  it("matches a framework of our own by its name", () => {
    const acme = defineFramework({
      key: "acme",
      name: "ACME baseline",
      requirements: [{ id: "A-1", title: "x", rules: ["r"] }],
    });
    const [assessment] = assessCompliance([], { mapper: complianceMapper({ frameworks: [acme] }) });
    const { comparisons } = comparePosture(
      [assessment!],
      [
        {
          platform: "wiz",
          framework: "acme baseline",
          requirement: "A-1",
          level: "requirement",
          passed: 3,
          failed: 0,
          total: 3,
        },
      ],
    );
    expect(comparisons[0]!.requirements).toEqual([
      expect.objectContaining({
        requirement: "A-1",
        outcome: "agree",
        theirs: expect.objectContaining({ status: "pass" }),
      }),
    ]);
  });
});
