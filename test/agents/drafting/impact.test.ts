import { describe, expect, it } from "vitest";
import { draftPolicy } from "../../../src/agents/drafting/draft.js";
import { type ImpactResource, replayDraft } from "../../../src/agents/drafting/impact.js";
import { compileRule } from "../../../src/agents/drafting/rule.js";
import { configurationFor, draftTemplates } from "../../../src/agents/drafting/templates.js";

function bucket(id: string, archetypes: string[], extra: Partial<ImpactResource> = {}): ImpactResource {
  return {
    id,
    type: "aws.s3.bucket",
    accountId: "111111111111",
    accountName: "prod-data",
    environment: "production",
    owner: "data-team",
    configuration: configurationFor("aws.s3.bucket", archetypes),
    ...extra,
  };
}

describe("configurationFor", () => {
  it("gives a configuration no template flags when nothing is reported, for every type", () => {
    const flaggedBy = draftTemplates
      .flatMap((template) => template.rule.resourceTypes.map((type) => ({ type, template })))
      .filter(({ type, template }) =>
        compileRule(template.rule).violates({ type, configuration: configurationFor(type, []) }),
      );
    expect(flaggedBy.map(({ type, template }) => `${type} ${template.rule.id}`)).toEqual([]);
  });

  it("starts compliant and applies the violating fixture of each reported archetype", () => {
    const clean = configurationFor("aws.s3.bucket", []);
    expect(clean).toMatchObject({ policyStatus: { isPublic: false }, versioning: { status: "Enabled" } });
    expect(configurationFor("aws.s3.bucket", ["aws-s3-public-read"])).toMatchObject({
      policyStatus: { isPublic: true },
    });
  });
});

describe("replayDraft", () => {
  it("counts flagged resources by account, environment and owner, duplicates and governance actions", async () => {
    const draft = await draftPolicy("no storage bucket may be public");
    const resources = [
      bucket("arn:aws:s3:::a", ["aws-s3-public-read"]),
      bucket("arn:aws:s3:::b", ["aws-s3-public-read"], {
        environment: "development",
        owner: undefined,
        accountName: undefined,
      }),
      bucket("arn:aws:s3:::c", ["aws-s3-versioning-disabled"]),
      { id: "sg-1", type: "aws.ec2.security-group", accountId: "111111111111", configuration: {} },
    ];
    const impact = await replayDraft(draft, {
      resources,
      findings: [
        { id: "wiz:1", resourceId: "arn:aws:s3:::a", archetype: "aws-s3-public-read" },
        { id: "wiz:2", resourceId: "arn:aws:s3:::c", archetype: "aws-s3-public-read" },
        { id: "wiz:3", resourceId: "arn:aws:s3:::b", archetype: "aws-s3-versioning-disabled" },
      ],
      now: () => new Date("2026-01-01T00:00:00Z"),
    });
    expect(impact).toMatchObject({
      evaluated: 4,
      inScope: 3,
      flagged: 2,
      byAccount: { "prod-data": 1, "111111111111": 1 },
      byEnvironment: { production: 1, development: 1 },
      byOwner: { "data-team": 1, unknown: 1 },
      duplicates: ["wiz:1"],
      errors: [],
      sample: ["arn:aws:s3:::a", "arn:aws:s3:::b"],
    });
    expect(impact.governance.ticketsOpened).toBeGreaterThan(0);
    expect(impact.governance.actionsAdded).toBeGreaterThanOrEqual(impact.governance.ticketsOpened);
  });

  it("lists configurations the rule cannot evaluate instead of failing the replay", async () => {
    const draft = await draftPolicy("RDS databases must keep backups");
    const impact = await replayDraft(draft, {
      resources: [
        {
          id: "db-1",
          type: "aws.rds.instance",
          accountId: "1",
          configuration: { backupRetentionPeriod: "seven" },
        },
      ],
    });
    expect(impact.flagged).toBe(0);
    expect(impact.errors).toEqual([
      { resourceId: "db-1", message: expect.stringMatching(/aws-rds-backup-disabled cannot evaluate/) },
    ]);
  });
});
