import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { reconcile, trackingId } from "../../../src/core/ledger.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import { servicenowEmulation } from "../../../src/testing/sandbox/servicenow.js";
import { testSink } from "../../../src/testing/vitest/sink-suite.js";

const password = "sandbox-servicenow-password";

testSink({
  name: "servicenow",
  create: ({ options, fetch, store }) => servicenow({ ...options, fetch, store }),
  secrets: [password],
});

function setup(table?: string) {
  const emulation = servicenowEmulation();
  const baseUrl = "http://sandbox.test/servicenow";
  const fetch = emulationFetch(emulation, baseUrl);
  const sink = servicenow({
    ...emulation.options(baseUrl),
    table,
    fetch,
    store: memoryStore(),
    rateLimit: { requestsPerSecond: 10_000 },
    fields: { assignment_group: "287ebd7da9fe198100f92cc8d1d2154e" },
  });
  return { emulation, sink, baseUrl, fetch };
}

const finding = (id: string, status: "open" | "resolved" = "open", severity: "high" | "critical" = "high") =>
  makeFinding({ id, source: { nativeId: id }, status, severity, resource: { id: `res-${id}`, name: id } });

describe("servicenow", () => {
  it("creates an incident with impact/urgency from severity, a correlation id and a plain-text description", async () => {
    const { emulation, sink } = setup();
    const action = makeAction({
      case: makeCase({ findings: [finding("a", "open", "critical")] }),
      dueDate: "2026-03-01",
    });
    const delivery = await sink.deliver(action);
    expect(delivery.status).toBe("created");
    const [record] = emulation.records("incident");
    expect(delivery.ref?.id).toBe(record?.sys_id);
    expect(record).toMatchObject({
      impact: "1",
      urgency: "1",
      priority: "1",
      state: "1",
      correlation_id: `cs-${trackingId(action.idempotencyKey)}`,
      correlation_display: "cloudsteward",
      assignment_group: "287ebd7da9fe198100f92cc8d1d2154e",
      due_date: "2026-03-01 23:59:59",
    });
    expect(record?.short_description).toMatch(/^\[CRITICAL\]/);
    expect(record?.description).toContain("Affected resources:");
  });

  it("adds work notes on change, resolves when every finding is resolved, and reopens on regression", async () => {
    const { emulation, sink } = setup();
    const key = "snow-sync";
    const deliver = (findings: ReturnType<typeof finding>[]) =>
      sink.deliver(makeAction({ case: makeCase({ findings }), idempotencyKey: key }));
    await deliver([finding("a")]);
    const sysId = emulation.records("incident")[0]!.sys_id!;
    expect((await deliver([finding("a"), finding("b")])).status).toBe("updated");
    expect(emulation.workNotes("incident", sysId).join("\n")).toContain("New finding joined");

    expect((await deliver([finding("a", "resolved"), finding("b", "resolved")])).status).toBe("updated");
    expect(emulation.records("incident")[0]).toMatchObject({
      state: "6",
      close_code: "Solution provided",
      active: "false",
    });
    expect(await sink.readStatus(key)).toMatchObject({
      state: "done",
      nativeStatus: "6",
      resolution: "Solution provided",
    });

    expect((await deliver([finding("a", "resolved"), finding("b")])).status).toBe("updated");
    expect(emulation.records("incident")[0]).toMatchObject({ state: "2", active: "true" });
    expect(await sink.readStatus(key)).toMatchObject({ state: "in_progress" });
    expect(emulation.records("incident")).toHaveLength(1);
  });

  it("reads a state a person set", async () => {
    const { emulation, sink } = setup();
    const action = makeAction();
    await sink.deliver(action);
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({ state: "open", nativeStatus: "1" });
    emulation.setState("incident", emulation.records("incident")[0]!.sys_id!, "7");
    expect(await sink.readStatus(action.idempotencyKey)).toMatchObject({ state: "done", nativeStatus: "7" });
  });

  it("maps states of the security incident table", async () => {
    const { emulation, sink } = setup("sn_si_incident");
    const key = "sir";
    await sink.deliver(makeAction({ case: makeCase({ findings: [finding("s")] }), idempotencyKey: key }));
    expect(emulation.records("sn_si_incident")[0]).toMatchObject({ state: "10" });
    await sink.deliver(
      makeAction({ case: makeCase({ findings: [finding("s", "resolved")] }), idempotencyKey: key }),
    );
    expect(emulation.records("sn_si_incident")[0]).toMatchObject({ state: "3" });
    expect(await sink.readStatus(key)).toMatchObject({ state: "done" });
  });

  it("does not treat an ignored query fragment as a match (custom correlation column missing)", async () => {
    const { emulation, baseUrl, fetch } = setup();
    const good = servicenow({ ...emulation.options(baseUrl), fetch });
    await good.deliver(makeAction({ idempotencyKey: "first" }));
    // A misspelled column is ignored by ServiceNow, so the query returns every record: the sink must compare.
    const typo = servicenow({
      ...emulation.options(baseUrl),
      fetch,
      fieldMap: { correlationId: "u_corelation" },
    });
    const delivery = await typo.deliver(makeAction({ idempotencyKey: "second" }));
    expect(delivery.status).toBe("created");
    expect(emulation.records("incident")).toHaveLength(2);
  });

  it("repairs a lost ledger with reconcile()", async () => {
    const { emulation, baseUrl, fetch } = setup();
    const first = servicenow({ ...emulation.options(baseUrl), fetch });
    for (const key of ["k1", "k2"]) await first.deliver(makeAction({ idempotencyKey: key }));
    const second = servicenow({ ...emulation.options(baseUrl), fetch, store: memoryStore() });
    expect(await reconcile(second)).toMatchObject({ scanned: 2, repaired: 2, duplicates: [] });
    expect(await second.ledger.get("k1")).toMatchObject({ state: "done" });
  });

  it("accepts a bearer token and rejects bad credentials with a typed cause", async () => {
    const { emulation, baseUrl, fetch } = setup();
    const bearer = servicenow({ instanceUrl: baseUrl, token: "sandbox-servicenow-token", fetch });
    expect((await bearer.deliver(makeAction())).status).toBe("created");
    const wrong = servicenow({
      instanceUrl: baseUrl,
      username: "cloudsteward",
      password: "not-the-password",
      fetch,
    });
    const error = await wrong
      .deliver(makeAction({ idempotencyKey: "x" }))
      .catch((failure: unknown) => failure);
    const cause = (error as Error).cause as Error;
    expect(isCloudstewardError(cause, "AUTHENTICATION")).toBe(true);
    expect(cause.message).toContain("User Not Authenticated");
    expect(cause.message).not.toContain("not-the-password");
    expect(emulation.records("incident")).toHaveLength(1);
  });
});
