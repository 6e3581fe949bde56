import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jira } from "../../../src/sinks/jira/index.js";
import { makeAction, makeCase } from "../../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

describe("jira against startSandbox()", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, size: 5, platforms: ["wiz"] });
  });
  afterAll(() => sandbox.close());

  it("works with `jira({ ...sandbox.jira, projectKey })` over real HTTP and assigns estate owners", async () => {
    const owner = sandbox.estate.owners[0]!;
    const sink = jira({ ...sandbox.jira, projectKey: "SEC", assignByEmail: true });
    const action = makeAction({
      case: makeCase({ context: { owner: { value: owner.email, source: "tag:owner" } } }),
    });
    const delivery = await sink.deliver(action);
    expect(delivery.ref?.url).toBe(`${sandbox.url}/jira/browse/SEC-1`);
    expect((await sink.deliver(action)).status).toBe("unchanged");
    const [issue] = sandbox.emulations.jira.issues();
    expect(issue?.fields.assignee).toEqual({ accountId: owner.jiraAccountId });
  });
});

describe("jira against startSandbox() with faults after the create", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 3,
      size: 5,
      platforms: ["wiz"],
      faults: { lostCreateResponses: { every: 2 }, serverErrorsAfterCreate: { every: 3 } },
    });
  });
  afterAll(() => sandbox.close());

  it("settles a dropped connection and a 5xx after the create by a search: one ticket per case", async () => {
    const sink = jira({ ...sandbox.jira, projectKey: "SEC", rateLimit: false });
    for (let index = 0; index < 6; index++) {
      const delivery = await sink.deliver(
        makeAction({ case: makeCase({ groupKey: { rule: `fault-${index}` } }) }),
      );
      expect(delivery.safeToRetry).toBe(true);
    }
    expect(sandbox.faults.jira.stats.lostCreateResponses).toBeGreaterThan(0);
    expect(sandbox.faults.jira.stats.serverErrorsAfterCreate).toBeGreaterThan(0);
    const labels = sandbox.emulations.jira
      .issues()
      .map((issue) => issue.fields.labels.find((label) => label.startsWith("cs-")));
    expect(new Set(labels).size).toBe(6);
    expect(labels).toHaveLength(6);
  });
});
