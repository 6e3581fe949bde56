import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { slack, slackActionIds } from "../../../src/sinks/slack/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { slackEmulation } from "../../../src/testing/sandbox/slack.js";
import { emulationTarget, testSink } from "../../../src/testing/vitest/sink-suite.js";

const token = "xoxb-sandbox-token";

testSink({
  name: "slack",
  create: ({ options, fetch, store }) => slack({ ...options, fetch, store, messagesPerSecond: 1000 }),
  secrets: [token],
});

const webhookPath = "/services/T0SANDBOX/B0SANDBOX/sandboxwebhooksecret";
testSink({
  name: "slack",
  target: () => emulationTarget(slackEmulation(), (emulation) => emulation.messages().length),
  create: ({ baseUrl, fetch, store }) =>
    slack({ webhookUrl: `${baseUrl}${webhookPath}`, fetch, store, messagesPerSecond: 1000 }),
  secrets: ["sandboxwebhooksecret"],
});

function setup() {
  const emulation = slackEmulation();
  const baseUrl = "http://sandbox.test/slack";
  const fetch = emulationFetch(emulation, baseUrl);
  const sink = slack({ ...emulation.options(baseUrl), fetch, store: memoryStore(), messagesPerSecond: 1000 });
  return { emulation, baseUrl, fetch, sink };
}

describe("slack", () => {
  it("posts Block Kit with approve/reject buttons whose value is the approval id", async () => {
    const { emulation, sink } = setup();
    const action = makeAction({ requiresApproval: true, params: { approvalId: "apr_123" } });
    const delivery = await sink.deliver(action);
    const [message] = emulation.messages();
    expect(delivery.ref?.id).toBe(`C0SECURITY/${message?.ts}`);
    expect(message?.text).toMatch(/^HIGH|^MEDIUM|^LOW|^CRITICAL|^INFO/);
    const actions = message?.blocks.find((block) => (block as { type: string }).type === "actions") as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((element) => element.action_id)).toEqual([
      slackActionIds.approve,
      slackActionIds.reject,
    ]);
    expect(actions.elements.every((element) => element.value === "apr_123")).toBe(true);
  });

  it("adds an acknowledge button valued with the idempotency key when no approval is needed", async () => {
    const { emulation, sink } = setup();
    const action = makeAction();
    await sink.deliver(action);
    const actions = emulation
      .messages()[0]
      ?.blocks.find((block) => (block as { type: string }).type === "actions") as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements).toEqual([
      expect.objectContaining({ action_id: "cloudsteward:ack", value: action.idempotencyKey }),
    ]);
  });

  it("messages the owner by email through users.lookupByEmail and conversations.open", async () => {
    const { emulation, sink } = setup();
    const action = makeAction({
      case: makeCase({ context: { owner: { value: "alice@example.com", source: "tag:owner" } } }),
    });
    const delivery = await sink.deliver(action);
    expect(emulation.messages()[0]?.channel).toMatch(/^D/);
    expect(delivery.ref?.id.startsWith("D")).toBe(true);
  });

  it("falls back to the default channel when the owner has no Slack account", async () => {
    const { emulation, sink } = setup();
    await sink.deliver(makeAction({ params: { email: "nobody@elsewhere.org" } }));
    expect(emulation.messages()[0]?.channel).toBe("C0SECURITY");
  });

  it("posts changes as a thread reply and reports `updated`", async () => {
    const { emulation, sink } = setup();
    const finding = makeFinding({ id: "f1" });
    const key = "slack-thread";
    await sink.deliver(makeAction({ case: makeCase({ findings: [finding] }), idempotencyKey: key }));
    const resolved = makeFinding({ id: "f1", status: "resolved" });
    const delivery = await sink.deliver(
      makeAction({ case: makeCase({ findings: [resolved] }), idempotencyKey: key }),
    );
    expect(delivery.status).toBe("updated");
    const [first, reply] = emulation.messages();
    expect(reply?.thread_ts).toBe(first?.ts);
    expect(reply?.text).toContain("resolved");
  });

  it("maps ok:false errors to typed causes", async () => {
    const { baseUrl, fetch } = setup();
    const wrongToken = slack({
      token: "xoxb-wrong-token-value",
      apiUrl: `${baseUrl}/api`,
      channel: "C0SECURITY",
      fetch,
    });
    const auth = await wrongToken.deliver(makeAction()).catch((error: unknown) => error);
    expect(isCloudstewardError((auth as Error).cause, "AUTHENTICATION")).toBe(true);
    expect(((auth as Error).cause as Error).message).toContain("invalid_auth");
    expect(JSON.stringify(auth) + (auth as Error).message).not.toContain("xoxb-wrong-token-value");

    const noChannel = slack({ token, apiUrl: `${baseUrl}/api`, channel: "C0MISSING", fetch });
    const missing = await noChannel.deliver(makeAction()).catch((error: unknown) => error);
    expect(isCloudstewardError((missing as Error).cause, "NOT_FOUND")).toBe(true);
    expect(((missing as Error).cause as Error).message).toContain("channel_not_found");
  });

  it("paces posts to one channel instead of bouncing off Slack's per-channel limit", async () => {
    const emulation = slackEmulation({ channelBurst: 2 });
    const baseUrl = "http://sandbox.test/slack";
    const statuses: number[] = [];
    const inner = emulationFetch(emulation, baseUrl);
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await inner(input, init);
      statuses.push(response.status);
      return response;
    };
    const sink = slack({ ...emulation.options(baseUrl), fetch, messagesPerSecond: 1 });
    for (let index = 0; index < 4; index++)
      await sink.deliver(makeAction({ idempotencyKey: `paced-${index}` }));
    expect(emulation.messages()).toHaveLength(4);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
