import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeAction } from "../../../src/testing/factories.js";
import { type Sandbox, startSandbox } from "../../../src/testing/sandbox/server.js";

describe("servicenow against startSandbox()", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 3,
      size: 5,
      platforms: ["wiz"],
      faults: { serverErrors: { every: 3 } },
    });
  });
  afterAll(() => sandbox.close());

  it("works with `servicenow(sandbox.servicenow)` over real HTTP through 5xx bursts", async () => {
    const sink = servicenow({ ...sandbox.servicenow, rateLimit: false });
    for (let index = 0; index < 6; index++) {
      const action = makeAction({ idempotencyKey: `sandbox-${index}` });
      const delivery = (await sink.deliver(action).catch(() => undefined)) ?? (await sink.deliver(action));
      expect(delivery.ref?.url).toContain(`${sandbox.url}/servicenow/nav_to.do`);
    }
    expect(sandbox.faults.servicenow.stats.serverErrors).toBeGreaterThan(0);
    const ids = sandbox.emulations.servicenow.records("incident").map((record) => record.correlation_id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });
});
