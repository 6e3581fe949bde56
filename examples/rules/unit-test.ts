/**
 * Unit-test governance rules: findings in, decisions out, no network. The same fixtures run under
 * vitest with `testRules({ policy, fixtures })` from `cloudsteward/testing/vitest` (one test per
 * fixture); here they run as a plain script with `evaluateFixture` (`cloudsteward/testing`, runner-free)
 * and vitest's `expectDecision` for its diffs.
 * Run: npx tsx examples/rules/unit-test.ts
 */
import { evaluateFixture, type RuleFixture } from "../../src/testing/rules.js";
import { expectDecision } from "../../src/testing/vitest/rules.js";

const policy = new URL("../policy/policy.yaml", import.meta.url).pathname;

const fixtures: RuleFixture[] = [
  {
    name: "a critical finding in production gets a ticket due in 7 days and a message to the owner",
    finding: { severity: "critical", category: "exposure" },
    context: { environment: "production" },
    expect: {
      actions: [
        { kind: "ticket", sink: "jira", rule: "critical-production", dueInDays: 7 },
        { kind: "notify", sink: "slack", rule: "critical-production" },
      ],
    },
  },
  {
    name: "a wildcard identity in staging is escalated, and the escalation waits for a human",
    finding: { severity: "high", category: "identity" },
    context: { environment: "staging" },
    expect: {
      actions: [
        { kind: "escalate", requiresApproval: true },
        { kind: "ticket", sink: "jira" },
      ],
    },
  },
  {
    name: "a low finding on an instance asks for nothing",
    finding: { severity: "low", rule: { id: "ec2-imdsv1-enabled" }, resource: { type: "aws.ec2.instance" } },
    expect: { actions: [] },
  },
];

let failed = 0;
for (const fixture of fixtures) {
  try {
    expectDecision(await evaluateFixture({ policy }, fixture), fixture.expect);
    console.log(`✓ ${fixture.name}`);
  } catch (error) {
    failed++;
    console.log(`✗ ${fixture.name}\n  ${(error as Error).message.split("\n").join("\n  ")}`);
  }
}
console.log(`${fixtures.length - failed}/${fixtures.length} rule tests passed against ${policy}`);
process.exitCode = failed > 0 ? 1 : 0;
