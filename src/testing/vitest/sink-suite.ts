import { afterEach, describe, expect, it } from "vitest";
import type { Action } from "../../core/action.js";
import { isCloudstewardError } from "../../core/errors.js";
import { memoryStore } from "../../core/memory-store.js";
import type { Sink } from "../../core/sink.js";
import type { Store } from "../../core/store.js";
import { makeAction, makeCase, makeFinding } from "../factories.js";
import { type Emulation, emulationFetch } from "../sandbox/emulation.js";
import { jiraEmulation } from "../sandbox/jira.js";
import { servicenowEmulation } from "../sandbox/servicenow.js";
import { slackEmulation } from "../sandbox/slack.js";

/** A fault the suite makes the target answer with once. */
export type SinkFault = "rate-limit" | "bad-request" | "unauthorized";

/** The system a sink under test talks to, started fresh for every test. */
export interface SinkTarget {
  /** The URL the sink is pointed at. */
  baseUrl: string;
  /** The options the target's integration takes (an emulation's `options(baseUrl)`: URL and credentials). */
  options?: Record<string, unknown>;
  /** A fetch that reaches the target; the suite wraps it to inject faults. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** How many objects (tickets, messages, mails, calls) the target holds. */
  count(): number | Promise<number>;
  /** For targets not reached over fetch (SMTP): answers the next operation with this fault. */
  failNext?(fault: SinkFault): void;
  close?(): Promise<void> | void;
}

/** What {@link testSink} passes to `create`. */
export interface SinkContext {
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  store: Store;
  /** The target's options object (for the sandbox targets: `sandbox.jira`, `sandbox.servicenow`, `sandbox.slack`). */
  options: Record<string, unknown>;
}

/** Options of {@link testSink}. */
export interface TestSinkOptions {
  /** The suite's title and the sink's expected `name`. */
  name: string;
  /** Creates the sink under test against the target. */
  create: (context: SinkContext) => Sink;
  /** Starts the target. @default the sandbox emulation named `name` (`jira`, `servicenow` or `slack`) */
  target?: () => SinkTarget | Promise<SinkTarget>;
  /** Strings that must never appear in an error (tokens, passwords, webhook URLs). */
  secrets?: string[];
  /**
   * The remote system can be searched by idempotency key, so a create whose response was lost, or a
   * lost ledger, does not duplicate. Sinks without search are at-least-once for those cases.
   * @default true for `jira` and `servicenow`
   */
  searchable?: boolean;
  /** Builds the `index`-th distinct action. @default a ticket action for a fresh case */
  action?: (index: number) => Action;
}

/**
 * A vitest suite every {@link Sink} passes: the same action delivered twice makes one object and
 * returns `unchanged`; a 429 is retried; a 400 becomes a `DeliveryError` with its `cause`; a run
 * killed mid-batch and run again makes no duplicate; `close()` twice is safe; no secret appears in
 * any error.
 * @example
 * testSink({
 *   name: "jira",
 *   create: ({ options, fetch, store }) => jira({ ...options, projectKey: "SEC", fetch, store }),
 * });
 */
export function testSink(options: TestSinkOptions): void {
  const actionAt =
    options.action ??
    ((index: number) => {
      const run = Math.random().toString(36).slice(2, 8);
      const finding = makeFinding({ source: { nativeId: `sink-suite-${run}-${index}` } });
      return makeAction({
        case: makeCase({ findings: [finding], groupKey: { rule: `suite-${run}-${index}` } }),
      });
    });

  const startTarget = options.target ?? sandboxTargets[options.name];
  if (!startTarget) {
    throw new Error(`testSink: pass \`target\`; there is no sandbox emulation named "${options.name}".`);
  }
  const searchable = options.searchable ?? (options.name === "jira" || options.name === "servicenow");

  const setup = async () => {
    const target = await startTarget();
    targets.push(target);
    const faults: SinkFault[] = [];
    const seen: Request[] = [];
    const base = target.fetch ?? globalThis.fetch;
    let onRequest: ((request: Request) => Response | undefined | Promise<Response | undefined>) | undefined;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      const fault = faults.shift();
      if (fault) return faultResponse(fault);
      const hooked = await onRequest?.(request);
      return hooked ?? base(request);
    };
    const inject = (fault: SinkFault) => (target.failNext ? target.failNext(fault) : faults.push(fault));
    const store = memoryStore();
    const create = (withStore: Store = store) =>
      options.create({ baseUrl: target.baseUrl, fetch, store: withStore, options: target.options ?? {} });
    return {
      target,
      fetch,
      store,
      create,
      inject,
      seen,
      hook: (fn: typeof onRequest) => {
        onRequest = fn;
      },
    };
  };

  const targets: SinkTarget[] = [];
  describe(`Sink conformance: ${options.name}`, () => {
    afterEach(async () => {
      for (const target of targets.splice(0)) await target.close?.();
    });

    it("has its name and specification version", async () => {
      const context = await setup();
      const sink = context.create();
      expect(sink.name).toBe(options.name);
      expect(sink.specificationVersion).toBe("v1");
    });

    it("delivers the same action twice as one object, the second time `unchanged`", async () => {
      const context = await setup();
      const sink = context.create();
      const action = actionAt(0);
      const first = await sink.deliver(action);
      const second = await sink.deliver(action);
      expect(first).toMatchObject({ key: action.idempotencyKey, status: "created" });
      expect(second).toEqual({ ...first, status: "unchanged" });
      expect(await context.target.count()).toBe(1);
    });

    it("delivers concurrent duplicates once", async () => {
      const context = await setup();
      const action = actionAt(1);
      const results = await Promise.allSettled([
        context.create().deliver(action),
        context.create().deliver(action),
      ]);
      const fulfilled = results.filter((result) => result.status === "fulfilled");
      expect(fulfilled.length).toBeGreaterThanOrEqual(1);
      for (const result of results) {
        if (result.status === "rejected") expect(isCloudstewardError(result.reason, "DELIVERY")).toBe(true);
      }
      expect(await context.target.count()).toBe(1);
    });

    it("retries a 429 and still delivers once", async () => {
      const context = await setup();
      const sink = context.create();
      context.inject("rate-limit");
      const delivery = await sink.deliver(actionAt(2));
      expect(delivery.status).toBe("created");
      expect(await context.target.count()).toBe(1);
    });

    it("turns a 400 into a DeliveryError with its cause, creating nothing, and a later delivery succeeds", async () => {
      const context = await setup();
      const sink = context.create();
      const action = actionAt(3);
      context.inject("bad-request");
      const error = await sink.deliver(action).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(isCloudstewardError(error, "DELIVERY")).toBe(true);
      expect((error as Error).cause).toBeDefined();
      expect(await context.target.count()).toBe(0);
      expect((await sink.deliver(action)).status).toBe("created");
      expect(await context.target.count()).toBe(1);
    });

    it("keeps secrets out of error messages", async () => {
      const context = await setup();
      const sink = context.create();
      for (const fault of ["unauthorized", "bad-request"] as const) {
        context.inject(fault);
        const error = await sink.deliver(actionAt(4)).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(isCloudstewardError(error)).toBe(true);
        const text = describeError(error);
        for (const secret of options.secrets ?? []) expect(text).not.toContain(secret);
      }
    });

    it("makes no duplicate when a run is killed mid-batch and run again", async () => {
      const context = await setup();
      const actions = Array.from({ length: 6 }, (_, index) => actionAt(10 + index));
      const controller = new AbortController();
      const first = context.create();
      if (context.target.failNext) {
        // Not reached over fetch: kill between deliveries.
        for (const [index, action] of actions.entries()) {
          if (index === 3) controller.abort(new DOMException("killed", "AbortError"));
          await first.deliver(action, { signal: controller.signal }).catch(() => undefined);
        }
      } else {
        let requests = 0;
        context.hook(() => {
          // Kill the run while a request is in flight, after some deliveries went through.
          if (++requests === 5) controller.abort(new DOMException("killed", "AbortError"));
          if (controller.signal.aborted) throw controller.signal.reason;
          return undefined;
        });
        const outcomes = [];
        for (const action of actions)
          outcomes.push(await first.deliver(action, { signal: controller.signal }).catch((e: unknown) => e));
        expect(outcomes.some((outcome) => outcome instanceof Error || outcome instanceof DOMException)).toBe(
          true,
        );
        context.hook(undefined);
      }
      await first.close?.();
      const second = context.create();
      for (const action of actions)
        expect(["created", "unchanged"]).toContain((await second.deliver(action)).status);
      expect(await context.target.count()).toBe(actions.length);
    });

    if (searchable) {
      it("makes no duplicate when a create's response is lost", async () => {
        const context = await setup();
        const action = actionAt(20);
        const controller = new AbortController();
        const base = context.target.fetch ?? globalThis.fetch;
        context.hook(async (request) => {
          if (request.method !== "POST" || controller.signal.aborted) return undefined;
          const response = await base(request.clone());
          // Searches are POSTs too: only a 201 is a create whose answer we now lose.
          if (response.status !== 201) return response;
          controller.abort(new DOMException("killed after the create", "AbortError"));
          throw controller.signal.reason;
        });
        await expect(context.create().deliver(action, { signal: controller.signal })).rejects.toThrow();
        expect(await context.target.count()).toBe(1);
        context.hook(undefined);
        const delivery = await context.create().deliver(action);
        expect(delivery.ref).toBeDefined();
        expect(await context.target.count()).toBe(1);
      });

      it("makes no duplicate when the ledger is lost", async () => {
        const context = await setup();
        const action = actionAt(21);
        await context.create().deliver(action);
        const delivery = await context.create(memoryStore()).deliver(action);
        expect(delivery.status).toBe("unchanged");
        expect(await context.target.count()).toBe(1);
      });
    }

    it("can be closed twice", async () => {
      const context = await setup();
      const sink = context.create();
      await sink.deliver(actionAt(30));
      await sink.close?.();
      await expect(sink.close?.() ?? Promise.resolve()).resolves.toBeUndefined();
    });
  });
}

/**
 * A {@link SinkTarget} over an emulation, reached through an in-process fetch (no server, no network).
 * @example
 * const target = emulationTarget(jiraEmulation(), (emulation) => emulation.issues().length);
 */
export function emulationTarget<E extends Emulation>(
  emulation: E,
  count: (emulation: E) => number,
): SinkTarget {
  const baseUrl = `http://sandbox.test/${emulation.name}`;
  return {
    baseUrl,
    options: emulation.options(baseUrl) as Record<string, unknown>,
    fetch: emulationFetch(emulation, baseUrl),
    count: () => count(emulation),
  };
}

function faultResponse(fault: SinkFault): Response {
  const [status, body, headers] =
    fault === "rate-limit"
      ? [429, { error: "ratelimited", message: "Too Many Requests" }, { "retry-after": "0" }]
      : fault === "unauthorized"
        ? [401, { error: "invalid_auth", message: "Unauthorized" }, {}]
        : [400, { error: "invalid_request", message: "Injected bad request" }, {}];
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? "");
    if (typeof current === "object") parts.push(JSON.stringify(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

/** The default targets: the sandbox's ticketing and chat emulations, counting what they hold. */
const sandboxTargets: Record<string, () => SinkTarget> = {
  jira: () => emulationTarget(jiraEmulation(), (emulation) => emulation.issues().length),
  servicenow: () =>
    emulationTarget(servicenowEmulation(), (emulation) => emulation.records("incident").length),
  slack: () => emulationTarget(slackEmulation(), (emulation) => emulation.messages().length),
};
