import { describe, expect, it } from "vitest";
import { teams } from "../../../src/sinks/teams/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { type SinkTarget, testSink } from "../../../src/testing/vitest/sink-suite.js";

const webhookUrl =
  "http://teams.test/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t-signature-value";

/** A Workflows webhook stand-in: checks the payload shape Teams requires and answers 202. */
function workflowsTarget(): SinkTarget & { cards: Record<string, unknown>[] } {
  const cards: Record<string, unknown>[] = [];
  return {
    baseUrl: webhookUrl,
    cards,
    count: () => cards.length,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.includes("sig=s3cr3t-signature-value"))
        return new Response("Unauthorized", { status: 401 });
      const body = (await request.json()) as {
        type?: string;
        attachments?: {
          contentType?: string;
          content?: { type?: string; version?: string; actions?: { type: string }[] };
        }[];
      };
      const card = body.attachments?.[0];
      const valid =
        body.type === "message" &&
        card?.contentType === "application/vnd.microsoft.card.adaptive" &&
        card.content?.type === "AdaptiveCard" &&
        card.content.version === "1.4" &&
        (card.content.actions ?? []).every((action) => action.type === "Action.OpenUrl");
      if (!valid)
        return new Response(JSON.stringify({ error: { code: "InvalidRequestContent" } }), { status: 400 });
      cards.push(card!.content as Record<string, unknown>);
      return new Response(null, { status: 202 });
    },
  };
}

testSink({
  name: "teams",
  target: workflowsTarget,
  create: ({ baseUrl, fetch, store }) =>
    teams({ webhookUrl: baseUrl, fetch, store, messagesPerSecond: 1000 }),
  secrets: ["s3cr3t-signature-value"],
});

describe("teams", () => {
  it("posts an Adaptive Card 1.4 with the facts and a console link", async () => {
    const target = workflowsTarget();
    const sink = teams({ webhookUrl, fetch: target.fetch, messagesPerSecond: 1000 });
    const finding = makeFinding({ source: { url: "https://app.wiz.io/issues/1" } });
    await sink.deliver(makeAction({ case: makeCase({ findings: [finding] }), dueDate: "2026-02-01" }));
    const [card] = target.cards as {
      body: { type: string; facts?: { title: string; value: string }[] }[];
      actions: unknown[];
    }[];
    expect(card?.body.find((block) => block.type === "FactSet")?.facts).toContainEqual({
      title: "Due",
      value: "2026-02-01",
    });
    expect(card?.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open in console", url: "https://app.wiz.io/issues/1" },
    ]);
  });

  it("posts a follow-up card when the case changes", async () => {
    const target = workflowsTarget();
    const sink = teams({ webhookUrl, fetch: target.fetch, messagesPerSecond: 1000 });
    const key = "teams-change";
    await sink.deliver(
      makeAction({ case: makeCase({ findings: [makeFinding({ id: "t1" })] }), idempotencyKey: key }),
    );
    const resolved = makeCase({ findings: [makeFinding({ id: "t1", status: "resolved" })] });
    expect((await sink.deliver(makeAction({ case: resolved, idempotencyKey: key }))).status).toBe("updated");
    expect(JSON.stringify(target.cards[1])).toContain("Every finding of this case is resolved");
  });
});
