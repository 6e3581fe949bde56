import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import type { PipelineEvents } from "../../../src/core/events.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import type { Warning } from "../../../src/core/report.js";
import { type ServiceNowStates, servicenow } from "../../../src/sinks/servicenow/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { emulationFetch } from "../../../src/testing/sandbox/emulation.js";
import {
  type ServiceNowEmulationOptions,
  servicenowEmulation,
} from "../../../src/testing/sandbox/servicenow.js";

const baseUrl = "http://sandbox.test/servicenow";
const password = "sandbox-servicenow-password";

/** A sink on an emulation, counting `sys_choice` requests; `answer` may replace their responses. */
function setup(
  options: {
    table?: string;
    states?: ServiceNowStates;
    emulation?: ServiceNowEmulationOptions;
    answer?: (attempt: number) => Response | undefined | Promise<Response | undefined>;
  } = {},
) {
  const emulation = servicenowEmulation(options.emulation);
  const inner = emulationFetch(emulation, baseUrl);
  let choiceRequests = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!new URL(request.url).pathname.endsWith("/table/sys_choice")) return inner(request);
    choiceRequests++;
    return (await options.answer?.(choiceRequests)) ?? inner(request);
  };
  const warnings: Warning[] = [];
  const events = new EventEmitter<PipelineEvents>();
  events.on("warning-raised", ({ warning }) => warnings.push(warning));
  const table = options.table ?? "incident";
  const sink = servicenow({
    ...emulation.options(baseUrl),
    table,
    states: options.states,
    fetch,
    events,
    store: memoryStore(),
    rateLimit: false,
  });
  const finding = (status: "open" | "resolved") =>
    makeFinding({ id: "f", source: { nativeId: "f" }, status, resource: { id: "res-f", name: "f" } });
  const deliver = (key: string, status: "open" | "resolved") =>
    sink.deliver(makeAction({ case: makeCase({ findings: [finding(status)] }), idempotencyKey: key }));
  const record = () => emulation.records(table)[0]!;
  return { emulation, sink, deliver, record, warnings, choiceRequests: () => choiceRequests };
}

const customIncident = [
  { value: "1", label: "New" },
  { value: "5", label: "In Progress" },
  { value: "9", label: "On Hold" },
  { value: "42", label: "Resolved" },
  { value: "43", label: "Closed" },
  { value: "44", label: "Canceled" },
];

const forbidden = () =>
  new Response(
    JSON.stringify({
      error: { message: "User Not Authorized", detail: "ACL restricts the record retrieval" },
      status: "failure",
    }),
    { status: 403, headers: { "content-type": "application/json" } },
  );

describe("servicenow state discovery", () => {
  it("closes, reopens and reads with the numbers of a customized instance", async () => {
    const { emulation, deliver, record, sink, warnings } = setup({
      emulation: { stateChoices: { incident: customIncident } },
    });
    await deliver("custom", "open");
    expect(record().state).toBe("1");
    await deliver("custom", "resolved");
    expect(record()).toMatchObject({ state: "42", close_code: "Solution provided", active: "false" });
    expect(await sink.readStatus("custom")).toMatchObject({ state: "done", nativeStatus: "42" });
    await deliver("custom", "open");
    expect(record()).toMatchObject({ state: "5", active: "true" });
    emulation.setState("incident", record().sys_id!, "9");
    expect(await sink.readStatus("custom")).toMatchObject({ state: "in_progress", nativeStatus: "9" });
    emulation.setState("incident", record().sys_id!, "44");
    expect(await sink.readStatus("custom")).toMatchObject({ state: "done", nativeStatus: "44" });
    expect(warnings).toEqual([]);
  });

  it("falls back to the defaults with exactly one warning when sys_choice answers 403, and still delivers", async () => {
    const { deliver, record, sink, warnings, choiceRequests } = setup({ answer: forbidden });
    await deliver("acl", "open");
    expect((await deliver("acl", "resolved")).status).toBe("updated");
    expect(record()).toMatchObject({ state: "6", active: "false" });
    expect(await sink.readStatus("acl")).toMatchObject({ state: "done", nativeStatus: "6" });
    expect((await deliver("acl", "open")).status).toBe("updated");
    expect(record().state).toBe("2");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      type: "fallback",
      source: "servicenow",
      details: { table: "incident" },
    });
    expect(warnings[0]!.message).toContain('table "incident"');
    expect(warnings[0]!.message).toContain("403");
    expect(warnings[0]!.message).toContain("`states`");
    const text = JSON.stringify(warnings);
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`cloudsteward:${password}`).toString("base64"));
    // A refusal is final: the sink does not ask again.
    expect(choiceRequests()).toBe(1);
  });

  it("never reads sys_choice when `states` is passed, and uses them", async () => {
    const states: ServiceNowStates = { resolved: "7", reopened: "3", done: ["7"], inProgress: ["3"] };
    const { deliver, record, sink, warnings, choiceRequests } = setup({ states });
    await deliver("explicit", "open");
    await deliver("explicit", "resolved");
    expect(record().state).toBe("7");
    expect(await sink.readStatus("explicit")).toMatchObject({ state: "done", nativeStatus: "7" });
    await deliver("explicit", "open");
    expect(record().state).toBe("3");
    expect(choiceRequests()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it("discovers once per sink, not per delivery, even when deliveries race", async () => {
    const { deliver, sink, choiceRequests } = setup({ table: "sn_si_incident" });
    await Promise.all(["a", "b", "c"].map((key) => deliver(key, "open")));
    expect(choiceRequests()).toBe(0);
    await Promise.all(["a", "b", "c"].map((key) => deliver(key, "resolved")));
    await Promise.all(["a", "b", "c"].map((key) => sink.readStatus(key)));
    await deliver("a", "open");
    expect(choiceRequests()).toBe(1);
    expect(await sink.readStatus("a")).toMatchObject({ state: "in_progress", nativeStatus: "16" });
  });

  it("falls back with one warning for a table without state choices", async () => {
    const { deliver, record, warnings } = setup({ table: "u_cloud_finding" });
    await deliver("custom-table", "open");
    await deliver("custom-table", "resolved");
    expect(record().state).toBe("6");
    await deliver("custom-table", "open");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('table "u_cloud_finding"');
  });

  it("uses the defaults while sys_choice keeps failing with 5xx, and learns the values once it answers", async () => {
    const unavailable = new Response(JSON.stringify({ error: { message: "Service Unavailable" } }), {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "0" },
    });
    // Two discoveries (each a request and four retries) fail; the third succeeds.
    const { deliver, record, sink, warnings, choiceRequests } = setup({
      emulation: { stateChoices: { incident: customIncident } },
      answer: (attempt) => (attempt <= 10 ? unavailable.clone() : undefined),
    });
    await deliver("flaky", "open");
    await deliver("flaky", "resolved");
    expect(record().state).toBe("6");
    expect(choiceRequests()).toBe(5);
    expect(await sink.readStatus("flaky")).toMatchObject({ nativeStatus: "6", state: "done" });
    expect(choiceRequests()).toBe(10);
    expect(await sink.readStatus("flaky")).toMatchObject({ nativeStatus: "6", state: "open" });
    expect(choiceRequests()).toBe(11);
    // "6" is not a done state on this instance, so the regression leaves it; resolving then uses "42".
    await deliver("flaky", "open");
    expect(record().state).toBe("6");
    await deliver("flaky", "resolved");
    expect(record().state).toBe("42");
    expect(choiceRequests()).toBe(11);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("503");
  });

  it("rejects a caller aborted during discovery, while another caller waiting on it still gets the states", async () => {
    const controller = new AbortController();
    let opened: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const { deliver, sink, warnings, choiceRequests } = setup({
      emulation: { stateChoices: { incident: customIncident } },
      answer: async (attempt) => {
        if (attempt > 1) return undefined;
        await gate;
        controller.abort(new DOMException("killed", "AbortError"));
        throw controller.signal.reason;
      },
    });
    await deliver("abort", "open");
    const aborted = sink.readStatus("abort", { signal: controller.signal });
    const waiting = sink.readStatus("abort");
    setTimeout(opened, 20);
    await expect(aborted).rejects.toThrow("killed");
    expect(await waiting).toMatchObject({ state: "open", nativeStatus: "1" });
    await deliver("abort", "resolved");
    expect(choiceRequests()).toBe(2);
    expect(warnings).toEqual([]);
  });

  it("reports a 401 on sys_choice as the authentication failure it is, not as a fallback", async () => {
    const unauthorized = new Response(
      JSON.stringify({ error: { message: "User Not Authenticated", detail: null }, status: "failure" }),
      { status: 401, headers: { "content-type": "application/json" } },
    );
    const { deliver, sink, warnings, choiceRequests } = setup({
      answer: (attempt) => (attempt === 1 ? unauthorized : undefined),
    });
    await deliver("auth", "open");
    const error = await sink.readStatus("auth").catch((failure: unknown) => failure);
    expect(isCloudstewardError(error, "AUTHENTICATION")).toBe(true);
    expect(warnings).toEqual([]);
    expect(await sink.readStatus("auth")).toMatchObject({ state: "open", nativeStatus: "1" });
    expect(choiceRequests()).toBe(2);
  });
});
