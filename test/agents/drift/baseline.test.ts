import { describe, expect, it } from "vitest";
import {
  approvedBaselines,
  baselinesFromSnapshot,
  baselinesFromTerraform,
  knowledgeBaselines,
} from "../../../src/agents/drift/baseline.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { terraformPlan, terraformState } from "./fixtures.js";

describe("baselinesFromTerraform", () => {
  it("reads a state's managed resources, child modules included, keyed by ARN with their address", () => {
    const drafts = baselinesFromTerraform(terraformState);
    expect(drafts.map((draft) => [draft.resourceId, draft.iac?.address])).toEqual([
      ["arn:aws:s3:::acme-logs", "aws_s3_bucket.logs"],
      ["sg-0abc", "module.network.aws_security_group.web"],
    ]);
    expect(drafts[0]?.source).toBe("terraform");
    expect(drafts[0]?.attributes).toMatchObject({ bucket: "acme-logs", acl: "private" });
  });

  it("reads a plan's resource_changes (after, filled from the prior state), skipping deletes", () => {
    const drafts = baselinesFromTerraform(terraformPlan);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      resourceId: "arn:aws:s3:::acme-logs",
      iac: { tool: "terraform", address: "aws_s3_bucket.logs" },
      attributes: { bucket: "acme-logs", versioning: [{ enabled: true }], arn: "arn:aws:s3:::acme-logs" },
    });
  });

  it("refuses what is not terraform show -json output, and a 2.x format", () => {
    expect(() => baselinesFromTerraform({ resources: [] })).toThrow(ConfigurationError);
    expect(() => baselinesFromTerraform("{}")).toThrow(/not a JSON object/);
    expect(() => baselinesFromTerraform({ format_version: "2.0", values: { root_module: {} } })).toThrow(
      /format_version 2.0/,
    );
  });
});

describe("knowledgeBaselines", () => {
  it("gives type baselines for archetypes of the knowledge base", () => {
    const drafts = knowledgeBaselines();
    expect(new Set(drafts.map((draft) => draft.resourceType)).size).toBe(drafts.length);
    expect(drafts.length).toBeGreaterThanOrEqual(4);
    for (const draft of drafts) {
      expect(draft.resourceType).toMatch(/^aws\./);
      expect(draft.archetypes?.every((id) => id.startsWith("aws-"))).toBe(true);
    }
    expect(
      drafts.find((draft) => draft.archetypes?.includes("aws-s3-block-public-access-disabled"))?.attributes,
    ).toEqual({
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      encryption: { enabled: true },
      logging: { enabled: true },
    });
  });
});

describe("approvedBaselines", () => {
  it("versions each scope with its approver and keeps the history", async () => {
    const store = memoryStore();
    const baselines = approvedBaselines(store, { now: () => new Date("2026-12-01T00:00:00Z") });
    const first = baselinesFromSnapshot([
      { id: "b1", type: "aws.s3.bucket", attributes: { acl: "private" } },
    ]);
    const [v1] = await baselines.approve(first, { approvedBy: "alice" });
    expect(v1).toMatchObject({ scope: "resource:b1", version: 1, approvedBy: "alice" });
    // The same content again is not a new version.
    expect(await baselines.approve(first, { approvedBy: "bob" })).toEqual([]);
    const second = baselinesFromSnapshot([
      { id: "b1", type: "aws.s3.bucket", attributes: { acl: "log-delivery-write" } },
    ]);
    await baselines.approve(second, { approvedBy: "bob", comment: "logging bucket" });
    expect((await baselines.get("resource:b1"))?.version).toBe(2);
    expect((await baselines.history("resource:b1")).map((item) => [item.version, item.approvedBy])).toEqual([
      [1, "alice"],
      [2, "bob"],
    ]);
    await baselines.approve(knowledgeBaselines(), { approvedBy: "carol" });
    const index = await baselines.index();
    expect(index.byResource.get("b1")?.attributes).toEqual({ acl: "log-delivery-write" });
    expect(index.byType.get("aws.s3.bucket")?.approvedBy).toBe("carol");
  });

  it("requires a named approver and exactly one scope", async () => {
    const baselines = approvedBaselines(memoryStore());
    await expect(baselines.approve([], { approvedBy: " " })).rejects.toThrow(/approvedBy/);
    await expect(
      baselines.approve([{ attributes: {}, source: "snapshot" }], { approvedBy: "alice" }),
    ).rejects.toThrow(/exactly one/);
  });
});
