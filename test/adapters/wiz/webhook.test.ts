import { describe, expect, it } from "vitest";
import { parseWebhook } from "../../../src/adapters/wiz/index.js";
import { isCloudstewardError, type NormalizationError } from "../../../src/core/errors.js";
import { readFixtures, rejection, withEnv } from "../helpers.js";

const { text } = readFixtures(import.meta.url);
const payload = text("webhook-issue");
const quirks = text("webhook-issue-quirks");
const secret = "wiz-webhook-token-5f1c9a";
const receivedAt = "2025-08-01T00:00:00.000Z";

function post(body: string, authorization?: string): Request {
  return new Request("https://hooks.example.com/wiz?key=abc", {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body,
  });
}

describe("wiz parseWebhook", () => {
  it("accepts the configured bearer token and returns the issue as a Finding", async () => {
    const [finding, ...rest] = await parseWebhook(post(payload, `Bearer ${secret}`), { secret, receivedAt });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      id: "wiz:7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
      severity: "high",
      status: "open",
      category: "exposure",
      rule: { id: "wc-id-1234", name: "S3 bucket allows public read access" },
      resource: { id: "arn:aws:s3:::legacy-logs", type: "aws.s3.bucket", accountId: "111122223333" },
      source: { fetchedAt: receivedAt },
    });
  });

  it("accepts a Wiz Defend detection payload as a threat finding", async () => {
    const detection = text("detection-webhook");
    const [finding] = await parseWebhook(post(detection, `Bearer ${secret}`), { secret, receivedAt });
    expect(finding).toMatchObject({
      id: "wiz:3a65eac1-b8ff-5eb8-8727-5e6cde9c39f3",
      category: "threat",
      resource: { id: "i-0abcdef1234567890", accountId: "123456789012" },
    });
  });

  it("accepts an array of payloads", async () => {
    const findings = await parseWebhook(post(`[${payload},${quirks}]`, `Bearer ${secret}`), { secret });
    expect(findings.map((finding) => finding.status)).toEqual(["open", "resolved"]);
  });

  it("rejects a wrong or missing token with AuthenticationError that does not echo either value", async () => {
    for (const authorization of [`Bearer ${secret}x`, undefined, secret, `Basic ${secret}`]) {
      const error = await rejection(parseWebhook(post(payload, authorization), { secret }));
      expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it("verifies basic auth with a user name and password", async () => {
    const good = `Basic ${Buffer.from(`wiz:${secret}`).toString("base64")}`;
    const bad = `Basic ${Buffer.from(`mallory:${secret}`).toString("base64")}`;
    const options = { auth: "basic" as const, username: "wiz", secret };
    expect(await parseWebhook(post(payload, good), options)).toHaveLength(1);
    expect(
      isCloudstewardError(await rejection(parseWebhook(post(payload, bad), options)), "AUTHENTICATION"),
    ).toBe(true);
    const missingUser = await rejection(parseWebhook(post(payload, good), { auth: "basic", secret }));
    expect(isCloudstewardError(missingUser, "CONFIGURATION")).toBe(true);
  });

  it("needs a secret unless auth is none", async () => {
    await withEnv({ WIZ_WEBHOOK_SECRET: undefined }, async () => {
      const error = await rejection(parseWebhook(post(payload, "Bearer x")));
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
      expect(error.message).toContain("WIZ_WEBHOOK_SECRET");
      expect(await parseWebhook(post(payload), { auth: "none" })).toHaveLength(1);
    });
  });

  it("rejects a body that is not JSON, and a payload that is not a Wiz issue", async () => {
    const notJson = await rejection(parseWebhook(post("<xml/>", `Bearer ${secret}`), { secret }));
    expect(isCloudstewardError(notJson, "INVALID_RESPONSE")).toBe(true);
    // A detection without an id cannot be keyed (one without a rule is kept under its title).
    const detection = JSON.stringify({
      trigger: { source: "DETECTIONS", type: "Created" },
      severity: "HIGH",
      createdAt: "2025-10-23 23:15:59.818948801",
    });
    const notIssue = await rejection(parseWebhook(post(detection, `Bearer ${secret}`), { secret }));
    expect((notIssue as NormalizationError).path).toEqual(["id"]);
    expect(isCloudstewardError(notIssue, "NORMALIZATION")).toBe(true);
  });
});
