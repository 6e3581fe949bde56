import { describe, expect, it } from "vitest";
import { parseWebhook } from "../../../src/adapters/lacework/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { readFixtures, rejection, withEnv } from "../helpers.js";

const secret = "hook-secret-51c2";
const receivedAt = "2025-03-02T10:15:00.000Z";
const { json: fixture } = readFixtures(import.meta.url);

function request(body: unknown, query = `?token=${secret}`): Request {
  return new Request(`https://hooks.example.com/lacework${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("lacework parseWebhook", () => {
  it("accepts the secret from the URL and parses both payload shapes, single or in an array", async () => {
    const [flat] = await parseWebhook(request(fixture("webhook-flat")), { secret, receivedAt });
    expect(flat).toMatchObject({
      id: "lacework:967278",
      severity: "high",
      status: "open",
      source: { fetchedAt: receivedAt },
    });
    const both = await parseWebhook(request([fixture("webhook-flat"), fixture("webhook-events")]), {
      secret,
      receivedAt,
    });
    expect(both.map((finding) => finding.id)).toEqual(["lacework:967278", "lacework:967300"]);
    expect(both[1]).toMatchObject({ severity: "critical", category: "threat" });
  });

  it("reads the secret from another parameter, from a function, or from LW_WEBHOOK_SECRET", async () => {
    const body = fixture("webhook-flat");
    expect(
      await parseWebhook(request(body, `?key=${secret}`), { secret: () => secret, parameter: "key" }),
    ).toHaveLength(1);
    await withEnv({ LW_WEBHOOK_SECRET: secret }, async () => {
      expect(await parseWebhook(request(body))).toHaveLength(1);
    });
  });

  it("rejects a missing or wrong secret without echoing it", async () => {
    for (const query of ["", "?token=", "?token=hook-secret-51c3", `?token=${secret}x`, `?other=${secret}`]) {
      const error = await rejection(parseWebhook(request(fixture("webhook-flat"), query), { secret }));
      expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it("fails with a configuration error when no secret is configured", async () => {
    await withEnv({ LW_WEBHOOK_SECRET: undefined }, async () => {
      const error = await rejection(parseWebhook(request(fixture("webhook-flat"))));
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
      expect(error.message).toContain("LW_WEBHOOK_SECRET");
    });
  });

  it("rejects a body that is not JSON, and names the path of a payload that is not an event", async () => {
    expect(
      isCloudstewardError(await rejection(parseWebhook(request("not json"), { secret })), "INVALID_RESPONSE"),
    ).toBe(true);
    const error = await rejection(
      parseWebhook(request({ event_title: "x", event_severity: "2" }), { secret }),
    );
    expect(isCloudstewardError(error, "NORMALIZATION")).toBe(true);
    expect((error as Error & { path: unknown }).path).toEqual(["event_id"]);
  });
});
