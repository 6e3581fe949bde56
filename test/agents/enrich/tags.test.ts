import { describe, expect, it } from "vitest";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import { createTagReader, readContextTags } from "../../../src/agents/enrich/normalize.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

describe("reading real tags", () => {
  it("compares keys without case or separators, and says which key it read", () => {
    for (const key of [
      "data_classification",
      "Data-Classification",
      "dataClassification",
      "DATA CLASSIFICATION",
      "data.classification",
    ]) {
      expect(readContextTags({ [key]: "Highly Confidential" }).dataClassification, key).toEqual({
        value: "restricted",
        key,
      });
    }
    expect(readContextTags({ ENV: "PRD", Owner_Email: "alice@example.com" })).toEqual({
      environment: { value: "production", key: "ENV" },
      owner: { value: "alice@example.com", key: "Owner_Email" },
    });
  });

  it("reads GCP labels (lower case, underscores) and Azure tags (any case) alike", () => {
    expect(
      readContextTags({
        env: "prod",
        data_classification: "confidential",
        team: "payments",
        cost_center: "cc-42",
        "goog-gke-node": "",
      }),
    ).toEqual({
      environment: { value: "production", key: "env" },
      dataClassification: { value: "confidential", key: "data_classification" },
      owner: { value: "payments", key: "team" },
      team: { value: "payments", key: "team" },
    });
    expect(
      readContextTags({
        Environment: "Pre-Prod",
        CostCenter: "Retail",
        "hidden-title": "production owner=mallory",
        "hidden-link:/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/owner": "Resource",
      }),
    ).toEqual({
      environment: { value: "staging", key: "Environment" },
      team: { value: "Retail", key: "CostCenter" },
    });
  });

  it("reads a namespaced key by its last segment, after the plain keys of the same rank", () => {
    expect(readContextTags({ "acme:owner": "payments", "example.com/Team": "web" })).toEqual({
      owner: { value: "payments", key: "acme:owner" },
      team: { value: "web", key: "example.com/Team" },
    });
    // AWS cost-allocation exports prefix user tags with `user:`.
    expect(readContextTags({ "user:Environment": "dev" }).environment).toEqual({
      value: "development",
      key: "user:Environment",
    });
    // A plain key of the same rank wins over a namespaced one.
    expect(readContextTags({ "acme:owner": "someone-else", owner: "payments" }).owner).toEqual({
      value: "payments",
      key: "owner",
    });
    // A better-ranked namespaced key wins over a worse plain one.
    expect(readContextTags({ team: "web", "acme:owner": "payments" }).owner).toEqual({
      value: "payments",
      key: "acme:owner",
    });
  });

  it("reads the creator in aws:createdBy as an owner, below every explicit owner tag", () => {
    expect(readContextTags({ "aws:createdBy": "IAMUser:AIDAEXAMPLE:alice" }).owner).toEqual({
      value: "alice",
      key: "aws:createdBy",
    });
    expect(readContextTags({ "aws:createdBy": "AssumedRole:AROAEXAMPLE:bob@example.com" }).owner?.value).toBe(
      "bob@example.com",
    );
    expect(
      readContextTags({ "aws:createdBy": "IAMUser:AIDAEXAMPLE:alice", Owner: "payments" }).owner,
    ).toEqual({
      value: "payments",
      key: "Owner",
    });
    // Still read when the configured owner keys leave created-by out.
    expect(createTagReader({ owner: ["owner"] })({ "aws:createdBy": "IAMUser:AIDA1:carol" }).owner).toEqual({
      value: "carol",
      key: "aws:createdBy",
    });
  });

  it("takes the environment from a provider's stack or cluster name only when no tag names it and the name holds exactly one", () => {
    expect(readContextTags({ "aws:cloudformation:stack-name": "payments-prod-api" }).environment).toEqual({
      value: "production",
      key: "aws:cloudformation:stack-name",
    });
    expect(readContextTags({ "goog-k8s-cluster-name": "gke-stg-eu" }).environment).toEqual({
      value: "staging",
      key: "goog-k8s-cluster-name",
    });
    expect(readContextTags({ "eks:cluster-name": "dev-to-prod-migration" }).environment).toBeUndefined();
    expect(
      readContextTags({ "aws:cloudformation:stack-name": "payments-dev", Environment: "production" })
        .environment,
    ).toEqual({ value: "production", key: "Environment" });
    // Other aws: system tags say nothing about ownership or environment.
    expect(
      readContextTags({
        "aws:cloudformation:logical-id": "ProdBucket",
        "aws:cloudformation:stack-id": "arn:aws:cloudformation:eu-west-1:1:stack/x/y",
      }),
    ).toEqual({});
  });

  it("gives enrich the key as written as the provenance", async () => {
    const provider = fromTags();
    const base = makeFinding();
    const finding = {
      ...base,
      resource: {
        ...base.resource,
        tags: {
          "Data-Classification": "PII",
          "aws:cloudformation:stack-name": "orders-prod",
          team_name: "x",
        },
      },
    };
    const answer = await provider.lookup({
      resource: finding.resource,
      findings: [finding],
      case: makeCase({ findings: [finding] }),
      signal: new AbortController().signal,
    });
    expect(answer).toEqual({
      dataClassification: { value: "confidential", source: "tag:Data-Classification" },
      environment: { value: "production", source: "tag:aws:cloudformation:stack-name" },
    });
  });
});
