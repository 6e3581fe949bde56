import { beforeEach, describe, expect, it } from "vitest";
import { actionSchema } from "../../src/core/action.js";
import { caseSchema } from "../../src/core/case.js";
import { ConfigurationError, NormalizationError } from "../../src/core/errors.js";
import { findingSchema } from "../../src/core/finding.js";
import { fixtureDate, makeAction, makeCase, makeFinding, resetFactories } from "../../src/testing/index.js";

beforeEach(() => resetFactories());

describe("makeFinding", () => {
  it("builds a finding that validates, with fixed dates", () => {
    const finding = makeFinding();
    expect(findingSchema.safeParse(finding).success).toBe(true);
    expect(finding.firstSeen).toBe(fixtureDate);
    expect(finding.source.fetchedAt).toBe(fixtureDate);
    expect(finding.id).toBe("wiz:finding-1");
  });

  it("gives unique ids to repeated calls and the same ids after a reset", () => {
    const first = [makeFinding(), makeFinding(), makeFinding()];
    expect(new Set(first.map((finding) => finding.id)).size).toBe(3);
    expect(new Set(first.map((finding) => finding.dedupKey)).size).toBe(3);
    resetFactories();
    expect([makeFinding(), makeFinding(), makeFinding()]).toEqual(first);
  });

  it("derives a stable id from the platform and native id when given", () => {
    const finding = makeFinding({ source: { platform: "prisma", nativeId: "P-42" } });
    expect(finding.id).toBe("prisma:P-42");
    expect(makeFinding({ source: { platform: "prisma", nativeId: "P-42" } })).toEqual(finding);
    expect(finding.source.nativeSeverity).toBe("HIGH");
  });

  it("merges nested overrides and replaces arrays", () => {
    const finding = makeFinding({
      severity: "critical",
      resource: { tags: { owner: "alice" }, region: "eu-west-1" },
      rule: { controls: [{ framework: "PCI DSS 4.0", control: "1.3.1" }] },
    });
    expect(finding.severity).toBe("critical");
    expect(finding.resource.tags).toEqual({ team: "payments", env: "production", owner: "alice" });
    expect(finding.resource.region).toBe("eu-west-1");
    expect(finding.resource.type).toBe("aws.s3.bucket");
    expect(finding.rule.controls).toEqual([{ framework: "PCI DSS 4.0", control: "1.3.1" }]);
  });

  it("keeps explicit id and dedupKey", () => {
    const finding = makeFinding({ id: "custom", dedupKey: "key" });
    expect(finding.id).toBe("custom");
    expect(finding.dedupKey).toBe("key");
  });

  it("throws a NormalizationError naming the field an override breaks", () => {
    expect(() => makeFinding({ resource: { type: "S3 Bucket" } })).toThrowError(NormalizationError);
    expect(() => makeFinding({ resource: { type: "S3 Bucket" } })).toThrowError(/resource\.type/);
  });
});

describe("makeCase", () => {
  it("derives severity and platforms from its findings", () => {
    const item = makeCase({
      findings: [
        makeFinding({ severity: "low" }),
        makeFinding({ severity: "critical", source: { platform: "orca", nativeId: "o-1" } }),
        makeFinding({ severity: "medium", source: { platform: "prisma", nativeId: "p-1" } }),
      ],
    });
    expect(caseSchema.safeParse(item).success).toBe(true);
    expect(item.severity).toBe("critical");
    expect(item.platforms).toEqual(["orca", "prisma", "wiz"]);
    expect(item.findings).toHaveLength(3);
  });

  it("builds a one-finding case by default with a stable id from its group key", () => {
    const item = makeCase();
    expect(item.findings).toHaveLength(1);
    expect(item.groupKey).toEqual({ rule: "wiz:s3-bucket-public-read" });
    expect(item.id).toBe("case:rule=wiz:s3-bucket-public-read");
    expect(makeCase({ groupKey: { owner: "team-a" } }).id).toBe("case:owner=team-a");
  });

  it("throws a ConfigurationError for an invalid override", () => {
    expect(() => makeCase({ findings: [] })).toThrowError(ConfigurationError);
    expect(() => makeCase({ findings: [] })).toThrowError(/overrides\.findings/);
  });
});

describe("makeAction", () => {
  it("builds a valid ticket action with an idempotency key", () => {
    const action = makeAction();
    expect(actionSchema.safeParse(action).success).toBe(true);
    expect(action.kind).toBe("ticket");
    expect(action.idempotencyKey).toBe(`${action.case.id}:ticket`);
    expect(action.requiresApproval).toBe(false);
  });

  it("uses the given case, kind and sink", () => {
    const item = makeCase({ groupKey: { owner: "team-b" } });
    const action = makeAction({ case: item, kind: "notify", sink: "chat", params: { channel: "#sec" } });
    expect(action.case).toEqual(item);
    expect(action.idempotencyKey).toBe("case:owner=team-b:notify");
    expect(action.sink).toBe("chat");
    expect(action.params).toEqual({ channel: "#sec" });
  });
});
