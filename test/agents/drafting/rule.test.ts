import { describe, expect, it } from "vitest";
import { compileRule, type PortableRule } from "../../../src/agents/drafting/rule.js";
import { isCloudstewardError } from "../../../src/core/errors.js";

const bucketPublic: PortableRule = {
  id: "bucket-public",
  title: "Public bucket",
  resourceTypes: ["aws.s3.bucket"],
  severity: "high",
  when: {
    any: [
      { path: "publicAccessBlock.blockPublicAcls", op: "eq", value: false },
      { not: { path: "publicAccessBlock", exists: true } },
    ],
  },
};

const sshOpen: PortableRule = {
  id: "ssh-open",
  title: "SSH open to the internet",
  resourceTypes: ["aws.ec2.security-group"],
  severity: "high",
  when: {
    path: "ingress",
    some: {
      all: [
        { path: "cidr", op: "in", value: ["0.0.0.0/0", "::/0"] },
        { path: "fromPort", op: "lte", value: 22 },
        { path: "toPort", op: "gte", value: 22 },
      ],
    },
  },
};

describe("compileRule", () => {
  it("flags a resource whose configuration breaks the rule, and only of the rule's types", () => {
    const rule = compileRule(bucketPublic);
    expect(
      rule.violates({
        type: "aws.s3.bucket",
        configuration: { publicAccessBlock: { blockPublicAcls: false } },
      }),
    ).toBe(true);
    expect(rule.violates({ type: "aws.s3.bucket", configuration: {} })).toBe(true);
    expect(
      rule.violates({
        type: "aws.s3.bucket",
        configuration: { publicAccessBlock: { blockPublicAcls: true } },
      }),
    ).toBe(false);
    expect(rule.violates({ type: "gcp.storage.bucket", configuration: {} })).toBe(false);
  });

  it("treats a comparison on an absent attribute as false, at any depth", () => {
    const rule = compileRule({ ...bucketPublic, when: { path: "a.b.c", op: "eq", value: 1 } });
    expect(rule.violates({ type: "aws.s3.bucket", configuration: { a: "not a map" } })).toBe(false);
    expect(rule.violates({ type: "aws.s3.bucket", configuration: { a: { b: null } } })).toBe(false);
    expect(rule.violates({ type: "aws.s3.bucket", configuration: { a: { b: { c: 1 } } } })).toBe(true);
  });

  it("quantifies over list elements with some", () => {
    const rule = compileRule(sshOpen);
    const open = {
      ingress: [
        { cidr: "10.0.0.0/8", fromPort: 22, toPort: 22 },
        { cidr: "0.0.0.0/0", fromPort: 0, toPort: 65535 },
      ],
    };
    const closed = { ingress: [{ cidr: "0.0.0.0/0", fromPort: 443, toPort: 443 }] };
    expect(rule.violates({ type: "aws.ec2.security-group", configuration: open })).toBe(true);
    expect(rule.violates({ type: "aws.ec2.security-group", configuration: closed })).toBe(false);
    expect(rule.violates({ type: "aws.ec2.security-group", configuration: { ingress: "none" } })).toBe(false);
  });

  it("supports contains on strings and lists, matches and ne", () => {
    const base = { ...bucketPublic };
    const contains = compileRule({ ...base, when: { path: "actions", op: "contains", value: "*" } });
    expect(contains.violates({ type: "aws.s3.bucket", configuration: { actions: ["s3:Get*", "*"] } })).toBe(
      true,
    );
    expect(contains.violates({ type: "aws.s3.bucket", configuration: { actions: "s3:*" } })).toBe(true);
    expect(contains.violates({ type: "aws.s3.bucket", configuration: { actions: ["s3:GetObject"] } })).toBe(
      false,
    );
    const matches = compileRule({ ...base, when: { path: "name", op: "matches", value: "^prod-" } });
    expect(matches.violates({ type: "aws.s3.bucket", configuration: { name: "prod-logs" } })).toBe(true);
    expect(matches.violates({ type: "aws.s3.bucket", configuration: { name: "dev-logs" } })).toBe(false);
    const ne = compileRule({ ...base, when: { path: "encryption", op: "ne", value: "aws:kms" } });
    expect(ne.violates({ type: "aws.s3.bucket", configuration: { encryption: "AES256" } })).toBe(true);
  });

  it("rejects an invalid rule with a PolicyError naming the issue", () => {
    let caught: unknown;
    try {
      compileRule({ ...bucketPublic, when: { path: "a..b", exists: true } });
    } catch (error) {
      caught = error;
    }
    expect(isCloudstewardError(caught, "POLICY")).toBe(true);
    expect((caught as Error).message).toMatch(/Invalid portable rule/);
  });

  it("names the rule when a configuration cannot be compared", () => {
    const rule = compileRule({ ...bucketPublic, when: { path: "size", op: "gt", value: 5 } });
    expect(() => rule.violates({ type: "aws.s3.bucket", configuration: { size: "big" } })).toThrow(
      /bucket-public/,
    );
  });
});
