import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slack } from "../../src/sinks/slack/index.js";
import { teams } from "../../src/sinks/teams/index.js";
import { type Sandbox, startSandbox } from "../../src/testing/sandbox/server.js";

const message = {
  title: "Security brief 2026-11-30 to 2026-12-07",
  text: "2 new critical findings <!channel>.\n\nMean time to remediate: 4 days.",
  link: "https://reports.example.com/brief?week=49",
};

describe("announce against startSandbox()'s Slack and Teams", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, size: 5, platforms: ["wiz"] });
  });
  afterAll(() => sandbox.close());

  it("slack posts one escaped mrkdwn section with the link to the configured channel", async () => {
    const sink = slack({ ...sandbox.slack, messagesPerSecond: 100 });
    await sink.announce(message);
    const posted = sandbox.emulations.slack.messages().at(-1)!;
    expect(posted.via).toBe("api");
    expect(posted.channel).toBe(sandbox.slack.channel);
    expect(posted.text).toContain("*Security brief 2026-11-30 to 2026-12-07*");
    expect(posted.text).toContain("&lt;!channel&gt;");
    expect(posted.text).not.toContain("<!channel>");
    expect(posted.text).toContain("<https://reports.example.com/brief?week=49|Open the full report>");
    expect(posted.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: posted.text } }]);
  });

  it("slack posts through the incoming webhook when no token is set", async () => {
    const webhookUrl = sandbox.emulations.slack.webhookUrl(sandbox.slack.apiUrl.replace(/\/api$/, ""));
    const sink = slack({ webhookUrl, apiUrl: sandbox.slack.apiUrl, messagesPerSecond: 100 });
    const before = process.env.SLACK_BOT_TOKEN;
    delete process.env.SLACK_BOT_TOKEN;
    try {
      await sink.announce(message);
    } finally {
      if (before !== undefined) process.env.SLACK_BOT_TOKEN = before;
    }
    expect(sandbox.emulations.slack.messages().at(-1)?.via).toBe("webhook");
  });

  it("teams posts an Adaptive Card with escaped paragraphs and an Open URL action", async () => {
    const sink = teams({ ...sandbox.teams, messagesPerSecond: 100 });
    await sink.announce(message);
    const { card } = sandbox.emulations.teams.cards().at(-1)!;
    const body = card.body as { text: string }[];
    expect(body.map((block) => block.text)).toEqual([
      "Security brief 2026-11-30 to 2026-12-07",
      "2 new critical findings \\<!channel\\>.",
      "Mean time to remediate: 4 days.",
    ]);
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open the full report", url: message.link },
    ]);
  });
});
