import { describe, expect, it } from "vitest";
import { teams } from "../../src/sinks/teams/teams.js";
import { makeAction } from "../../src/testing/factories.js";
import { startSandbox } from "../../src/testing/sandbox/server.js";

describe("sandbox Teams emulation", () => {
  it("accepts a card message at the flow's URL (202), refuses a wrong signature (401) and a body that is not a card (400)", async () => {
    const sandbox = await startSandbox({ size: 5, platforms: ["wiz"] });
    try {
      const url = String(sandbox.teams.webhookUrl);
      const delivery = await teams({ webhookUrl: url }).deliver(makeAction({ kind: "notify" }));
      expect(delivery.status).toBe("created");
      const [posted] = sandbox.emulations.teams.cards();
      expect(posted?.card).toMatchObject({ type: "AdaptiveCard" });

      const wrong = await fetch(url.replace(/sig=[^&]+/, "sig=wrong"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(wrong.status).toBe(401);
      const notACard = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "message", text: "hello" }),
      });
      expect(notACard.status).toBe(400);
      expect(sandbox.emulations.teams.cards()).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });
});
