import { beforeEach, describe, expect, it } from "vitest";
import { estimateBlastRadius } from "../../../src/agents/enrich/blast-radius.js";
import { enrich } from "../../../src/agents/enrich/enrich.js";
import { fromCsv } from "../../../src/agents/enrich/from-csv.js";
import { fromFunction } from "../../../src/agents/enrich/from-function.js";
import { fromMap } from "../../../src/agents/enrich/from-map.js";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import {
  createTagReader,
  normalizeCriticality,
  normalizeEnvironment,
  unreadableContextTags,
} from "../../../src/agents/enrich/normalize.js";
import { resolveWeights, scoreWith } from "../../../src/agents/triage/priority.js";
import { triage } from "../../../src/agents/triage/triage.js";
import type { Case } from "../../../src/core/case.js";
import { ConfigurationError, UpstreamError } from "../../../src/core/errors.js";
import type { Finding } from "../../../src/core/finding.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { makeCase, makeFinding, resetFactories } from "../../../src/testing/factories.js";
import { runStage, stageContext } from "../triage/stage-context.js";

beforeEach(() => resetFactories());

function withTags(finding: Finding, tags: Record<string, string>): Finding {
  return { ...finding, resource: { ...finding.resource, tags } };
}

const bucket = (name: string, tags: Record<string, string>) =>
  withTags(makeFinding({ resource: { id: `arn:aws:s3:::${name}`, name } }), tags);

describe("normalization", () => {
  it("maps environment and criticality spellings", () => {
    expect(["prod", "PRD", "Production", "live"].map(normalizeEnvironment)).toEqual(
      Array(4).fill("production"),
    );
    expect(["stg", "Pre-Prod", "uat"].map(normalizeEnvironment)).toEqual(Array(3).fill("staging"));
    expect(["dev", "sandbox"].map(normalizeEnvironment)).toEqual(["development", "development"]);
    expect(["qa", "test"].map(normalizeEnvironment)).toEqual(["test", "test"]);
    expect(normalizeEnvironment("blue")).toBeUndefined();
    expect(
      ["1 - most critical", "tier-1", "Mission Critical", "2 - somewhat critical", "4 - not critical"].map(
        normalizeCriticality,
      ),
    ).toEqual(["critical", "critical", "critical", "high", "low"]);
  });
});

describe("enrich providers and provenance", () => {
  it("reads context from tags with each tag as provenance", async () => {
    const item = makeCase({
      findings: [
        bucket("a", {
          Owner: "Payments",
          env: "prd",
          "data-classification": "PII",
          "internet-facing": "true",
        }),
      ],
    });
    const [result] = await runStage(enrich(), [item], stageContext().context);
    expect(result!.context).toMatchObject({
      owner: { value: "Payments", source: "tag:Owner" },
      environment: { value: "production", source: "tag:env" },
      dataClassification: { value: "confidential", source: "tag:data-classification" },
      internetExposed: { value: true, source: "tag:internet-facing" },
    });
    expect(result!.context?.owner?.conflicts).toBeUndefined();
  });

  it("applies fromTags key lists and owner aliases", async () => {
    const item = makeCase({
      findings: [bucket("a", { "cost-owner": "JDoe@Acme.com", owner: "ignored", stage: "prd" })],
    });
    const provider = fromTags({
      ownerKeys: ["cost-owner"],
      environmentKeys: ["stage"],
      aliases: { "jdoe@acme.com": "payments" },
    });
    const [result] = await runStage(enrich({ providers: [provider] }), [item], stageContext().context);
    expect(result!.context?.owner).toEqual({ value: "payments", source: "tag:cost-owner" });
    expect(result!.context?.environment).toEqual({ value: "production", source: "tag:stage" });
  });

  it("passes on unreadable guarded tags by the configured keys", async () => {
    const provider = fromTags({ environmentKeys: ["lifecycle-tier"], dataClassificationKeys: ["handling"] });
    const tagSets: Record<string, string>[] = [
      { "lifecycle-tier": "prod-eu-1", env: "dev", handling: "PII/PHI" },
      { env: "prod-eu-1", "lifecycle-tier": "dev" },
      { "acme:lifecycle-tier": "blue", handling: "public" },
    ];
    for (const tags of tagSets) {
      const resource = bucket("guarded", tags).resource;
      const looked = await provider.lookup({
        resource,
        findings: [],
        case: makeCase(),
        signal: new AbortController().signal,
      });
      const expected = unreadableContextTags(tags, {
        environment: ["lifecycle-tier"],
        dataClassification: ["handling"],
      });
      for (const field of ["environment", "dataClassification"] as const) {
        if (expected[field])
          expect(looked?.[field]).toEqual({
            value: expected[field].value,
            source: `tag:${expected[field].key}`,
          });
      }
    }
    expect(
      unreadableContextTags(tagSets[0]!, {
        environment: ["lifecycle-tier"],
        dataClassification: ["handling"],
      }),
    ).toEqual({
      environment: { value: "prod-eu-1", key: "lifecycle-tier", rank: 0 },
      dataClassification: { value: "PII/PHI", key: "handling", rank: 0 },
    });
  });

  it("resolves disagreements function > CMDB > CSV/map > tags and keeps the losers in conflicts", async () => {
    const item = makeCase({ findings: [bucket("acme-logs", { owner: "alice", env: "dev", team: "web" })] });
    const providers = [
      fromTags(),
      fromCsv("name,owner,environment\nacme-logs,payments,prod\n"),
      fromMap({ "acme-logs": { owner: "payments", criticality: "high" } }),
      fromFunction(({ resource }) => (resource.name === "acme-logs" ? { owner: "platform" } : undefined)),
    ];
    const [result] = await runStage(enrich({ providers }), [item], stageContext().context);
    expect(result!.context?.owner).toEqual({
      value: "platform",
      source: "function",
      conflicts: [
        { value: "payments", source: "csv" },
        { value: "payments", source: "map" },
        { value: "alice", source: "tag:owner" },
      ],
    });
    expect(result!.context?.environment).toEqual({
      value: "production",
      source: "csv",
      conflicts: [{ value: "development", source: "tag:env" }],
    });
    expect(result!.context?.team).toEqual({ value: "web", source: "tag:team" });
    expect(result!.context?.criticality).toEqual({ value: "high", source: "map" });
  });

  it("follows a custom precedence", async () => {
    const item = makeCase({ findings: [bucket("a", { owner: "alice" })] });
    const providers = [fromTags(), fromMap({ a: { owner: "payments" } })];
    const [result] = await runStage(
      enrich({ providers, precedence: ["tags", "map"] }),
      [item],
      stageContext().context,
    );
    expect(result!.context?.owner).toEqual({
      value: "alice",
      source: "tag:owner",
      conflicts: [{ value: "payments", source: "map" }],
    });
    expect(() => enrich({ providers, precedence: ["tags"] })).toThrow(ConfigurationError);
  });

  it("takes owner from the first resource and the riskiest of everything else across a case", async () => {
    const item = makeCase({
      findings: [
        bucket("a", { owner: "payments", env: "dev" }),
        bucket("b", { owner: "data", env: "production", classification: "restricted" }),
      ],
    });
    const [result] = await runStage(enrich(), [item], stageContext().context);
    expect(result!.context?.owner?.value).toBe("payments");
    expect(result!.context?.environment?.value).toBe("production");
    expect(result!.context?.dataClassification?.value).toBe("restricted");
  });
});

describe("enrich failures and caching", () => {
  it("turns a failing provider into a warning; the other providers still apply and no case is lost", async () => {
    const failing = fromFunction(
      ({ resource }) => {
        if (resource.name === "b")
          throw new UpstreamError("cmdb: 500", { integration: "cmdb", status: 500, method: "GET", url: "/" });
        return { owner: "platform" };
      },
      { name: "inventory" },
    );
    const cases = [
      makeCase({ findings: [bucket("a", { owner: "x" })] }),
      makeCase({ findings: [bucket("b", { owner: "y" })] }),
    ];
    const { context } = stageContext();
    const result = await runStage(enrich({ providers: [fromTags(), failing] }), cases, context);
    expect(result.map((item) => item.context?.owner?.value)).toEqual(["platform", "y"]);
    expect(context.report.warnings).toEqual([
      expect.objectContaining({ source: "enrich", feature: "provider.inventory" }),
    ]);
    expect(context.report.warnings[0]!.message).toMatch(
      /provider inventory failed for resource arn:aws:s3:::b \(cmdb: 500\)/,
    );
  });

  it("skips a provider for the rest of the run after repeated failures", async () => {
    let calls = 0;
    const down = fromFunction(() => {
      calls++;
      throw new Error("connection refused");
    });
    const cases = ["a", "b", "c", "d"].map((name) => makeCase({ findings: [bucket(name, {})] }));
    const { context } = stageContext();
    const result = await runStage(
      enrich({ providers: [down], failureThreshold: 2, concurrency: 1 }),
      cases,
      context,
    );
    expect(result).toHaveLength(4);
    expect(calls).toBe(2);
    expect(context.report.warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining("failed for resource arn:aws:s3:::a"),
      expect.stringContaining("failed 2 times in a row; it is skipped for the rest of this run"),
    ]);
  });

  it("caches answers per resource in memory, and in the Store when asked", async () => {
    let calls = 0;
    const counting = fromFunction(() => {
      calls++;
      return { owner: "platform" };
    });
    const sameResource = [
      makeCase({ findings: [bucket("a", {})] }),
      makeCase({ findings: [bucket("a", {})] }),
    ];
    await runStage(enrich({ providers: [counting] }), sameResource, stageContext().context);
    expect(calls).toBe(1);

    const store = memoryStore();
    await runStage(
      enrich({ providers: [counting], storeCache: true }),
      sameResource,
      stageContext({ store }).context,
    );
    expect(calls).toBe(2);
    const [second] = await runStage(
      enrich({ providers: [counting], storeCache: true }),
      sameResource,
      stageContext({ store }).context,
    );
    expect(calls).toBe(2);
    expect(second!.context?.owner).toEqual({ value: "platform", source: "function" });
  });
});

describe("enrich limits", () => {
  it("looks up at most maxResourcesPerCase resources per case, and says so", async () => {
    const looked: string[] = [];
    const provider = fromFunction(({ resource }) => {
      looked.push(resource.name);
      return undefined;
    });
    const item = makeCase({ findings: ["a", "b", "c", "a"].map((name) => bucket(name, {})) });
    const { context } = stageContext();
    await runStage(enrich({ providers: [provider], maxResourcesPerCase: 2 }), [item], context);
    expect(looked.sort()).toEqual(["a", "b"]);
    expect(context.report.warnings).toEqual([
      expect.objectContaining({
        feature: "maxResourcesPerCase",
        details: { cases: [item.id], resources: 1 },
      }),
    ]);
  });
});

describe("blast radius", () => {
  it("weighs resource type, exposure, privilege breadth and related findings, with reasons", () => {
    const adminRole = makeFinding({
      category: "identity",
      title: "IAM role grants AdministratorAccess (*:*)",
      rule: { id: "iam-admin", name: "Role with admin privileges" },
      resource: {
        type: "aws.iam.role",
        nativeType: "Role",
        id: "arn:aws:iam::123456789012:role/deploy",
        name: "deploy",
      },
    });
    const related = makeFinding({
      ...adminRole,
      id: undefined,
      rule: { id: "iam-stale", name: "Stale role" },
      title: "Unused role",
    });
    expect(
      estimateBlastRadius({
        resource: adminRole.resource,
        findings: [adminRole, related],
        internetExposed: true,
      }),
    ).toEqual({
      score: 10,
      reasons: [
        "identity resource (+4)",
        "internet exposed (+3)",
        "broad privileges (admin or wildcard) (+2)",
        "1 related finding on the same resource (+1)",
      ],
    });
    const plainBucket = makeFinding({
      title: "Bucket versioning disabled",
      rule: { name: "Versioning disabled" },
      description: "",
    });
    expect(estimateBlastRadius({ resource: plainBucket.resource, findings: [plainBucket] })).toEqual({
      score: 3,
      reasons: ["data store (+3)"],
    });
  });

  it("is filled by enrich from the widest resource", async () => {
    const item = makeCase({ findings: [makeFinding({ category: "exposure", title: "Bucket is public" })] });
    const [result] = await runStage(enrich({ providers: [] }), [item], stageContext().context);
    expect(result!.context?.internetExposed).toEqual({ value: true, source: "finding:exposure" });
    expect(result!.context?.blastRadius).toEqual({
      value: { score: 6, reasons: ["data store (+3)", "internet exposed (+3)"] },
      source: "estimate",
    });
  });
});

describe("triage → enrich", () => {
  it("merges Wiz and Prisma copies of one bucket, then enriches and rescores the case", async () => {
    const wiz = makeFinding({
      source: { platform: "wiz", nativeId: "wiz-1" },
      dedupKey: "dk_acme_logs_public",
      resource: { id: "arn:aws:s3:::acme-logs", name: "acme-logs" },
    });
    const prisma = makeFinding({
      source: { platform: "prisma", nativeId: "P-1" },
      dedupKey: "dk_acme_logs_public",
      severity: "critical",
      rule: { id: "prisma-s3-public", name: "AWS S3 buckets are accessible to public" },
      resource: { id: "acme-logs", name: "acme-logs" },
    });
    const findings = [withTags(wiz, { owner: "payments" }), withTags(prisma, { owner: "payments" })];
    const { context, emitted } = stageContext();
    const stages = [
      triage(),
      enrich({
        providers: [
          fromTags(),
          fromMap({ "acme-logs": { environment: "prod", dataClassification: "restricted" } }),
        ],
      }),
    ] as const;
    const cases: Case[] = [];
    for await (const item of stages[1].run(stages[0].run(toAsync(findings), context), context))
      cases.push(item);

    expect(cases).toHaveLength(1);
    const [item] = cases as [Case];
    expect(item.platforms).toEqual(["prisma", "wiz"]);
    expect(item.findings).toHaveLength(2);
    expect(item.context?.owner).toEqual({ value: "payments", source: "tag:owner" });
    expect(item.context?.environment).toEqual({ value: "production", source: "map" });
    expect(item.priority).toEqual({
      score: 60,
      reasons: ["critical severity (+40)", "production environment (+10)", "restricted data (+10)"],
    });
    expect(emitted.filter((event) => event.name === "case-created")).toHaveLength(1);
  });

  it("keeps a model verdict's reduction when it rescores", async () => {
    const finding = withTags(makeFinding({ severity: "high" }), { owner: "payments" });
    const verdictCase: Case = {
      ...makeCase({ findings: [finding] }),
      priority: {
        score: 20,
        reasons: ["high severity (+30)", "model verdict: likely false positive, confidence 0.50 (-10)"],
      },
    };
    const [result] = await runStage(
      enrich({ providers: [fromMap({ [finding.resource.name]: { environment: "production" } })] }),
      [verdictCase],
      stageContext().context,
    );
    expect(result!.priority).toEqual({
      score: 30,
      reasons: [
        "high severity (+30)",
        "production environment (+10)",
        "model verdict: likely false positive, confidence 0.50 (-10)",
      ],
    });
  });
});

describe("rescoring", () => {
  it("adds to the priority what scoreWith gives after enrichment minus before, tag by tag", async () => {
    const readTags = createTagReader();
    const weights = resolveWeights();
    const tagSets: Record<string, string>[] = [
      { environment: "prod" },
      { "data-classification": "restricted", exposure: "public" },
      { env: "dev", internet_facing: "true" },
      {},
    ];
    const findings = tagSets.map((tags, index) =>
      withTags(
        makeFinding({
          severity: (["low", "high", "medium", "critical"] as const)[index]!,
          category: index === 2 ? "exposure" : "vulnerability",
          resource: { id: `arn:aws:ec2:::instance/i-${index}`, name: `i-${index}` },
        }),
        tags,
      ),
    );
    const contexts: Case["context"][] = [
      undefined,
      { environment: { value: "staging", source: "map" } },
      {
        internetExposed: { value: false, source: "map" },
        dataClassification: { value: "public", source: "map" },
      },
    ];
    // Answers below what some findings' tags say: tags count only where the context is silent.
    const provided = [
      {},
      { environment: "development" },
      { dataClassification: "public", internetExposed: false },
      { environment: "production", dataClassification: "confidential", internetExposed: true },
    ];
    for (const context of contexts) {
      for (const answer of provided) {
        for (const subset of [findings, findings.slice(1, 3), [findings[3]!]]) {
          const item: Case = {
            ...makeCase({ findings: subset }),
            ...(context === undefined ? {} : { context }),
            priority: { score: 42, reasons: ["kept adjustment (+2)"] },
          };
          const [result] = await runStage(
            enrich({ providers: [fromFunction(() => answer, { name: "answer" })] }),
            [item],
            stageContext().context,
          );
          const before = scoreWith({ findings: subset, context: item.context }, weights, readTags);
          const after = scoreWith(result!, weights, readTags);
          expect(result!.priority).toEqual({
            score: Math.max(0, Math.min(100, 42 + after.score - before.score)),
            reasons: [...after.reasons, "kept adjustment (+2)"],
          });
        }
      }
    }
  });
});

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}
