import { describe, expect, it } from "vitest";
import { parseWebhook } from "../../../src/adapters/orca/index.js";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { readFixtures, withEnv } from "../helpers.js";

const secret = "orca-hook-secret-31f9";
const { text } = readFixtures(import.meta.url);
const alert = text("legacy-alert");
const quirks = text("webhook-legacy-quirks");

function hook(body: string, headers: Record<string, string> = { "x-cloudsteward-token": secret }) {
  return new Request("https://hooks.example/orca?token=abc", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

describe("orca parseWebhook", () => {
  it("accepts the default body (one legacy alert) with the right custom header", async () => {
    const findings = await parseWebhook(hook(alert), { secret, receivedAt: "2026-01-01T00:00:00.000Z" });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: "orca:orca-123456", severity: "high", status: "open" });
    expect(findings[0]!.source.fetchedAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("accepts an array of alerts, and a header of your choosing", async () => {
    const findings = await parseWebhook(hook(`[${alert},${quirks}]`, { "X-Orca-Secret": ` ${secret} ` }), {
      secret: async () => secret,
      header: "x-orca-secret",
      consoleUrl: "https://app.eu.orcasecurity.io",
    });
    expect(findings.map((finding) => finding.id)).toEqual(["orca:orca-123456", "orca:orca-777001"]);
    expect(findings[1]!.source.url).toBe("https://app.eu.orcasecurity.io/alerts/orca-777001");
  });

  it.each([
    ["a missing header", {}],
    ["a wrong secret", { "x-cloudsteward-token": "orca-hook-secret-31f8" }],
    ["a longer secret", { "x-cloudsteward-token": `${secret}0` }],
    ["the secret in another header", { authorization: `Token ${secret}` }],
  ])("rejects %s with AuthenticationError that does not echo the secret", async (_, headers) => {
    const error = await parseWebhook(hook(alert, headers), { secret }).catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
    expect(String((error as Error).message)).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain("token=abc");
  });

  it("reads the secret from ORCA_WEBHOOK_SECRET and names it when missing", async () => {
    await withEnv({ ORCA_WEBHOOK_SECRET: secret }, async () => {
      expect(await parseWebhook(hook(alert))).toHaveLength(1);
    });
    await withEnv({ ORCA_WEBHOOK_SECRET: undefined }, async () => {
      await expect(parseWebhook(hook(alert))).rejects.toThrow(/ORCA_WEBHOOK_SECRET/);
    });
  });

  it("skips verification only when told to", async () => {
    expect(await parseWebhook(hook(alert, {}), { header: "none" })).toHaveLength(1);
  });

  it("reports a body that is not JSON, and an alert without an id with its path; an alert missing its status is kept as open", async () => {
    await expect(parseWebhook(hook("<html>"), { secret })).rejects.toSatisfy((error) =>
      isCloudstewardError(error, "INVALID_RESPONSE"),
    );
    const partial = JSON.parse(alert);
    delete partial.state.status;
    const [finding] = await parseWebhook(hook(JSON.stringify(partial)), { secret });
    expect(finding?.status).toBe("open");
    delete partial.state.alert_id;
    await expect(parseWebhook(hook(JSON.stringify(partial)), { secret })).rejects.toMatchObject({
      code: "NORMALIZATION",
      path: ["state", "alert_id"],
    });
  });
});
