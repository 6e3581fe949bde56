import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slack } from "../../../src/sinks/slack/index.js";
import { makeAction, makeCase } from "../../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

describe("slack against startSandbox()", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, size: 5, platforms: ["wiz"] });
  });
  afterAll(() => sandbox.close());

  it("works with `slack(sandbox.slack)` over real HTTP: owners by email, team channels by name", async () => {
    const owner = sandbox.estate.owners[0]!;
    const team = sandbox.estate.teams[0]!;
    const sink = slack({ ...sandbox.slack, messagesPerSecond: 100 });
    await sink.deliver(
      makeAction({ case: makeCase({ context: { owner: { value: owner.email, source: "tag:owner" } } }) }),
    );
    await sink.deliver(makeAction({ idempotencyKey: "team", params: { channel: team.slackChannel } }));
    const [direct, channel] = sandbox.emulations.slack.messages();
    expect(direct?.channel).toBe(`D${owner.slackUserId.slice(1)}`);
    expect(channel?.channel).toMatch(/^C/);
  });
});
