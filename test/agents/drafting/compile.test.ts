import { describe, expect, it } from "vitest";
import {
  compileLql,
  compilePolicies,
  compileRego,
  compileRql,
  compileSonar,
} from "../../../src/agents/drafting/compile/index.js";
import type { PortableRule } from "../../../src/agents/drafting/rule.js";
import { draftTemplates } from "../../../src/agents/drafting/templates.js";

const sshOpen: PortableRule = {
  id: "ssh-open",
  title: "SSH open to the internet",
  resourceTypes: ["aws.ec2.security-group"],
  severity: "high",
  when: {
    all: [
      { path: "tags.data-classification", exists: true },
      {
        path: "ingress",
        some: {
          all: [
            { path: "cidr", op: "in", value: ["0.0.0.0/0", "::/0"] },
            { path: "fromPort", op: "lte", value: 22 },
          ],
        },
      },
    ],
  },
};

const bucketPublic: PortableRule = {
  id: "bucket-public",
  title: "Bucket isn't private",
  resourceTypes: ["aws.s3.bucket"],
  severity: "critical",
  when: {
    any: [
      { path: "policyStatus.isPublic", op: "eq", value: true },
      { path: "acl.public", op: "eq", value: true },
    ],
  },
};

describe("compilers", () => {
  it("write Wiz Rego with a fail result, helpers for any and a wildcard for list elements", () => {
    const policy = compileRego(sshOpen);
    expect(policy.text).toBe(
      [
        "package wiz",
        "",
        'default result = "pass"',
        "",
        'result = "fail" {',
        '  _ = input.tags["data-classification"]',
        "  item1 := input.ingress[_]",
        '  {"0.0.0.0/0", "::/0"}[item1.cidr]',
        "  item1.fromPort <= 22",
        "}",
        "",
      ].join("\n"),
    );
    expect(policy.request).toMatchObject({
      targetNativeTypes: ["AWS::EC2::SecurityGroup"],
      severity: "HIGH",
    });
    const any = compileRego(bucketPublic).text;
    expect(any).toContain("violates_1(input)");
    expect(any).toContain(
      "violates_1(x1) {\n  x1.policyStatus.isPublic == true\n}\nviolates_1(x1) {\n  x1.acl.public == true\n}",
    );
  });

  it("write Prisma RQL on the type's api.name with [?any()] for list elements", () => {
    const [policy] = compileRql(sshOpen);
    expect(policy?.text).toBe(
      "config from cloud.resource where cloud.type = 'aws' AND api.name = 'aws-ec2-describe-security-groups' AND json.rule = " +
        '((tags.data-classification exists) and (ingress[?any(((cidr is member of ("0.0.0.0/0", "::/0")) and (fromPort <= 22)))] exists))',
    );
    expect(policy?.request).toMatchObject({
      policyType: "config",
      cloudType: "aws",
      rule: { type: "Config" },
    });
  });

  it("write Lacework LQL with array_to_rows for list elements, and escape quotes in the title", () => {
    const [policy] = compileLql(sshOpen);
    expect(policy?.text).toContain(
      "LW_CFG_AWS_EC2_SECURITY_GROUPS,\n    array_to_rows(RESOURCE_CONFIG:Ingress) as (element1)",
    );
    expect(policy?.text).toContain(
      "((RESOURCE_CONFIG:Tags.\"data-classification\" is not null) and ((element1:Cidr in ('0.0.0.0/0', '::/0')) and (element1:FromPort <= 22)))",
    );
    expect(compileLql(bucketPublic)[0]?.text).toContain(
      "'Bucket isn\\'t private' as COMPLIANCE_FAILURE_REASON",
    );
  });

  it("refuse LQL for a list condition under any, rather than change its meaning", () => {
    const rule: PortableRule = { ...sshOpen, when: { not: sshOpen.when } };
    expect(() => compileLql(rule)).toThrow(/LQL cannot express a list condition on ingress/);
    const split = compileLql({ ...sshOpen, when: { any: [sshOpen.when, { path: "vpcId", exists: false }] } });
    expect(split.map((policy) => policy.request.query)).toMatchObject([
      { queryId: "Custom_ssh_open_aws_ec2_security_group_1" },
      { queryId: "Custom_ssh_open_aws_ec2_security_group_2" },
    ]);
    const { policies, uncompiled } = compilePolicies(rule);
    expect(policies.map((policy) => policy.platform)).toEqual(["wiz", "prisma", "orca"]);
    expect(uncompiled).toEqual([
      { platform: "lacework", reason: expect.stringMatching(/under "any" or "not"/) },
    ]);
  });

  it("write Orca Sonar on the type's model", () => {
    const [policy] = compileSonar(sshOpen);
    expect(policy?.text).toBe(
      "AwsEc2SecurityGroup with ((Tags.\"data-classification\" exists) and (Ingress with ((Cidr in ('0.0.0.0/0', '::/0')) and (FromPort <= 22))))",
    );
    expect(policy?.request).toMatchObject({ orca_score: 7, rule: policy?.text });
  });

  it("give every template a policy for every platform", () => {
    const counts = { wiz: 0, prisma: 0, lacework: 0, orca: 0 };
    for (const template of draftTemplates) {
      const { policies } = compilePolicies(template.rule);
      for (const platform of new Set(policies.map((policy) => policy.platform))) counts[platform]++;
    }
    expect(counts.wiz).toBe(draftTemplates.length);
    expect(counts.prisma).toBe(draftTemplates.length);
    expect(counts.orca).toBe(draftTemplates.length);
    expect(counts.lacework).toBe(draftTemplates.length);
  });
});
