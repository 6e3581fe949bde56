import { describe, expect, it } from "vitest";
import { parseWebhook } from "../../../src/adapters/prisma/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { readFixtures, rejection, withEnv } from "../helpers.js";

const body = readFixtures(import.meta.url).text("webhook-alerts");
const secret = "prisma-webhook-secret-91c4";
const receivedAt = "2025-08-01T00:00:00.000Z";

const request = (headers: Record<string, string>, text = body) =>
  new Request("https://hooks.example.com/prisma?token=abc", { method: "POST", headers, body: text });

describe("prisma parseWebhook", () => {
  it("accepts the secret in Authorization, bare or as a bearer token, and normalizes every alert of the array", async () => {
    for (const authorization of [secret, `Bearer ${secret}`]) {
      const findings = await parseWebhook(request({ authorization }), { secret, receivedAt });
      expect(findings.map((finding) => finding.id)).toEqual(["prisma:P-1234567", "prisma:P-1234999"]);
      expect(findings[0]!.source.fetchedAt).toBe(receivedAt);
    }
  });

  it("reads the secret from a custom header of the integration", async () => {
    const findings = await parseWebhook(request({ "x-cloudsteward-token": secret }), {
      secret,
      header: "X-Cloudsteward-Token",
    });
    expect(findings).toHaveLength(2);
  });

  it("takes one alert object as well as an array", async () => {
    const [first] = JSON.parse(body) as unknown[];
    const findings = await parseWebhook(request({ authorization: secret }, JSON.stringify(first)), {
      secret,
    });
    expect(findings.map((finding) => finding.id)).toEqual(["prisma:P-1234567"]);
  });

  it.each([
    ["a missing header", {}],
    ["a wrong secret", { authorization: `Bearer ${secret}x` }],
    ["the secret in another header", { "x-other": secret }],
    ["a prefix of the secret", { authorization: secret.slice(0, -1) }],
  ])("rejects %s with an AuthenticationError that does not contain the secret", async (_what, headers) => {
    const error = await rejection(parseWebhook(request(headers), { secret }));
    expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
    expect(error.message).toContain("authorization header");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(secret);
    expect(JSON.stringify({ ...error })).not.toContain("token=abc");
  });

  it("reads the secret from PRISMA_WEBHOOK_SECRET and asks for it when missing", async () => {
    await withEnv({ PRISMA_WEBHOOK_SECRET: undefined }, async () => {
      const missing = await rejection(parseWebhook(request({ authorization: secret })));
      expect(isCloudstewardError(missing, "CONFIGURATION")).toBe(true);
      expect(missing.message).toContain("PRISMA_WEBHOOK_SECRET");
    });
    await withEnv({ PRISMA_WEBHOOK_SECRET: secret }, async () => {
      expect(await parseWebhook(request({ authorization: secret }))).toHaveLength(2);
    });
  });

  it("skips verification with auth: none", async () => {
    expect(await parseWebhook(request({}), { auth: "none" })).toHaveLength(2);
  });

  it("rejects a body that is not JSON, and a custom payload that is not an alert", async () => {
    const notJson = await rejection(parseWebhook(request({ authorization: secret }, "<html>"), { secret }));
    expect(isCloudstewardError(notJson, "INVALID_RESPONSE")).toBe(true);
    const custom = await rejection(
      parseWebhook(request({ authorization: secret }, '[{"resourceId":"legacy-logs"}]'), { secret }),
    );
    expect(isCloudstewardError(custom, "NORMALIZATION")).toBe(true);
  });
});
