import type { ResourceSnapshot } from "../../../src/agents/drift/baseline.js";
import type { PolicyInput } from "../../../src/agents/policy/schema.js";
import type { Action } from "../../../src/core/action.js";
import type { Sink } from "../../../src/core/sink.js";

/** Low-risk storage fixes outside production run automatically; everything else waits and opens a ticket. */
export const driftPolicy: PolicyInput = {
  mode: "automated",
  rules: [
    {
      id: "drift-low-risk-development",
      when: { rule: ["drift/s3-*", "drift/kms-*"], environment: ["development", "staging"] },
      do: [{ kind: "remediate", sink: "drift", automatic: true }],
    },
    {
      id: "drift-incident",
      when: { rule: "drift/*" },
      do: [
        { kind: "remediate", sink: "drift" },
        { kind: "ticket", sink: "tickets", automatic: true },
      ],
    },
  ],
  principals: [
    { id: "drift-bot", scopes: ["approve:remediate:development", "approve:remediate:staging"] },
    { id: "alice", scopes: ["approve:remediate"] },
  ],
};

/** A sink that keeps what it is given, once per idempotency key. */
export function captureSink(name = "tickets"): Sink & { delivered: Action[] } {
  const delivered: Action[] = [];
  return {
    specificationVersion: "v1",
    name,
    delivered,
    async deliver(action) {
      const seen = delivered.some((item) => item.idempotencyKey === action.idempotencyKey);
      if (!seen) delivered.push(action);
      return { key: action.idempotencyKey, status: seen ? "unchanged" : "created" };
    },
  };
}

const secureBucket = {
  publicAccessBlock: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
  encryption: { enabled: true },
  logging: { enabled: true },
};

/** A few resources: buckets and keys in development and production, a security group, an IAM role. */
export function driftResources(count = 1): ResourceSnapshot[] {
  const resources: ResourceSnapshot[] = [];
  for (let index = 0; index < count; index++) {
    const suffix = count === 1 ? "" : `-${index}`;
    resources.push(
      {
        id: `arn:aws:s3:::dev-site${suffix}`,
        type: "aws.s3.bucket",
        environment: "development",
        attributes: structuredClone(secureBucket),
      },
      {
        id: `arn:aws:s3:::prod-data${suffix}`,
        type: "aws.s3.bucket",
        environment: "production",
        attributes: structuredClone(secureBucket),
      },
      {
        id: `arn:aws:kms:eu-west-1:111122223333:key/dev${suffix}`,
        type: "aws.kms.key",
        environment: "development",
        attributes: { KeyRotationEnabled: true },
      },
      {
        id: `sg-dev${suffix}`,
        type: "aws.ec2.security-group",
        environment: "development",
        attributes: { sshOpenToWorld: false },
      },
      {
        id: `arn:aws:iam::111122223333:role/dev-deployer${suffix}`,
        type: "aws.iam.role",
        environment: "development",
        attributes: { attachedPolicies: { admin: false } },
      },
    );
  }
  return resources;
}
