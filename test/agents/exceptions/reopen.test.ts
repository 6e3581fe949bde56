import { describe, expect, it } from "vitest";
import {
  type ExceptionRecord,
  type ExceptionRoute,
  exceptionRouteNamespace,
  reopenRoutedTicket,
} from "../../../src/agents/exceptions/index.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeAction } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { servicenowEmulation } from "../../../src/testing/sandbox/servicenow.js";

describe("reopenRoutedTicket", () => {
  it("reopens the closed ServiceNow record an exception was routed to, with a work note; other routes are left alone", async () => {
    const emulation = servicenowEmulation();
    const baseUrl = "http://sandbox.test/servicenow";
    const store = memoryStore();
    const sink = servicenow({
      ...emulation.options(baseUrl),
      fetch: emulationFetch(emulation, baseUrl),
      store,
      rateLimit: { requestsPerSecond: 10_000 },
    });
    const delivery = await sink.deliver(makeAction({ idempotencyKey: "exc_1" }));
    const sysId = delivery.ref?.id as string;
    emulation.setState("incident", sysId, "7");
    const routes: ExceptionRoute[] = [
      {
        exceptionId: "exc_1",
        sink: "servicenow",
        key: "exc_1",
        ref: delivery.ref!,
        routedAt: "2026-03-01T00:00:00Z",
      },
      {
        exceptionId: "exc_1",
        sink: "slack",
        key: "exc_1",
        ref: { id: "C1/1.2" },
        routedAt: "2026-03-01T00:00:00Z",
      },
    ];
    for (const route of routes) await store.set(exceptionRouteNamespace, `exc_1:${route.sink}`, route);
    const exception = { id: "exc_1", justification: "Vendor appliance until Q3" } as ExceptionRecord;

    await reopenRoutedTicket({ sinks: [sink], store })(exception, "Exception exc_1 expired at 2026-04-01.");

    expect(emulation.records("incident")[0]).toMatchObject({ state: "2", active: "true" });
    expect(emulation.workNotes("incident", sysId).at(-1)).toBe(
      "Exception exc_1 expired at 2026-04-01.\nJustification: Vendor appliance until Q3",
    );
    expect(emulation.records("incident")).toHaveLength(1);
  });
});
