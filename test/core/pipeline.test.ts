import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Action } from "../../src/core/action.js";
import { mapConcurrent } from "../../src/core/concurrency.js";
import {
  ConfigurationError,
  DeliveryError,
  NormalizationError,
  StageError,
  UpstreamError,
} from "../../src/core/errors.js";
import type { Finding, Platform } from "../../src/core/finding.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { isAction, pipeline } from "../../src/core/pipeline.js";
import type { Sink } from "../../src/core/sink.js";
import type { FindingQuery, FindingSource } from "../../src/core/source.js";
import type { Stage, StageContext } from "../../src/core/stage.js";
import { makeAction, makeCase, makeFinding } from "../../src/testing/index.js";

describe("mapConcurrent", () => {
  it("keeps input order when later items finish first", async () => {
    const results: number[] = [];
    for await (const value of mapConcurrent([5, 1, 4, 2, 3], 3, async (delay, index) => {
      await sleep(delay);
      return index * 10;
    })) {
      results.push(value);
    }
    expect(results).toEqual([0, 10, 20, 30, 40]);
  });

  it("never runs more than `limit` calls at once, and reaches the limit", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const results: number[] = [];
    for await (const value of mapConcurrent(range(20), 3, async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(item % 3);
      inFlight--;
      return item;
    })) {
      results.push(value);
    }
    expect(maxInFlight).toBe(3);
    expect(results).toEqual(range(20));
  });

  it("pulls at most `limit` items ahead of what the consumer took, and closes the input on break", async () => {
    const source = countingSource(1000);
    const taken: number[] = [];
    for await (const value of mapConcurrent(source.iterable, 4, (item) => item)) {
      taken.push(value);
      expect(source.pulled).toBeLessThanOrEqual(taken.length + 4);
      if (taken.length === 10) break;
    }
    expect(source.pulled).toBeLessThanOrEqual(14);
    expect(source.closed).toBe(true);
  });

  it("ends with the error of a failed call when its turn comes", async () => {
    const results: number[] = [];
    const iterate = async () => {
      for await (const value of mapConcurrent([1, 2, 3], 2, (item) => {
        if (item === 2) throw new Error("boom");
        return item;
      })) {
        results.push(value);
      }
    };
    await expect(iterate()).rejects.toThrow("boom");
    expect(results).toEqual([1]);
  });

  it("rejects a limit below one", async () => {
    await expect(mapConcurrent([1], 0, (item) => item).next()).rejects.toThrow(RangeError);
  });
});

describe("pipeline", () => {
  it("passes findings through the stages in order and counts every stage", async () => {
    const findings = range(50).map((index) => finding(index));
    const seen: string[] = [];
    const report = await pipeline({
      source: iterate(findings),
      stages: [
        passThrough("first"),
        filterStage("odd-only", (item: Finding) => Number(item.source.nativeId.slice(2)) % 2 === 1),
        {
          name: "concurrent",
          run: (input: AsyncIterable<Finding>) =>
            mapConcurrent(input, 4, async (item) => {
              await sleep(Number(item.source.nativeId.slice(2)) % 5);
              return item;
            }),
        },
        collect("collect", seen),
      ],
    }).start();
    expect(seen).toEqual(findings.filter((_, index) => index % 2 === 1).map((item) => item.id));
    expect(report.stages.source).toMatchObject({ in: 50, out: 50 });
    expect(report.stages.first).toMatchObject({ in: 50, out: 50 });
    expect(report.stages["odd-only"]).toMatchObject({ in: 50, out: 25 });
    expect(report.stages.concurrent).toMatchObject({ in: 25, out: 25 });
    expect(report.stages.collect).toMatchObject({ in: 25, out: 25 });
    expect(report.endedAt).toBeDefined();
    expect(report.stages.deliver).toBeUndefined();
  });

  it("emits run-start, finding-received per finding and run-end with the report", async () => {
    const run = pipeline({
      source: iterate([finding(1), finding(2, "orca")]),
      runId: "run-1",
      mode: "assisted",
    });
    const events: string[] = [];
    run.on("run-start", ({ runId, mode }) => events.push(`start ${runId} ${mode}`));
    run.on("finding-received", ({ findingId, platform }) => events.push(`finding ${findingId} ${platform}`));
    let ended: unknown;
    run.on("run-end", ({ report }) => {
      events.push("end");
      ended = report;
    });
    const report = await run.start();
    expect(events).toEqual(["start run-1 assisted", "finding wiz:f-1 wiz", "finding orca:f-2 orca", "end"]);
    expect(ended).toBe(report);
    expect(report.runId).toBe("run-1");
  });

  it("hands stages a context with the mode, clock, store and report", async () => {
    const store = memoryStore();
    const fixed = new Date("2026-03-01T00:00:00Z");
    let context: StageContext | undefined;
    const report = await pipeline({
      source: iterate([finding(1)]),
      stages: [
        {
          name: "inspect",
          async *run(input: AsyncIterable<Finding>, stageContext: StageContext) {
            context = stageContext;
            yield* input;
          },
        },
      ],
      store,
      mode: "automated",
      now: () => fixed,
    }).start();
    expect(context?.mode).toBe("automated");
    expect(context?.store).toBe(store);
    expect(context?.now()).toBe(fixed);
    expect(context?.report).toBe(report);
    expect(report.startedAt).toBe(fixed.toISOString());
  });

  it("uses a memory store and read-only mode by default", async () => {
    let context: StageContext | undefined;
    await pipeline({
      source: iterate([finding(1)]),
      stages: [
        {
          name: "inspect",
          async *run(input: AsyncIterable<Finding>, stageContext: StageContext) {
            context = stageContext;
            yield* input;
          },
        },
      ],
    }).start();
    expect(context?.store.name).toBe("memory");
    expect(context?.mode).toBe("read-only");
  });

  it("merges several sources, interleaved, passing the query, signal and report to FindingSources", async () => {
    const calls: { query?: FindingQuery; signal?: AbortSignal; hasReport: boolean }[] = [];
    const wizLike = findingSource("wiz", 5, calls);
    const seen: string[] = [];
    const query: FindingQuery = { severity: ["critical"] };
    const report = await pipeline({
      sources: [wizLike, iterate(range(5).map((index) => finding(index, "prisma")))],
      query,
      stages: [collect("collect", seen)],
    }).start();
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    expect(new Set(seen.slice(0, 4).map((id) => id.split(":")[0]))).toEqual(new Set(["wiz", "prisma"]));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toBe(query);
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.hasReport).toBe(true);
    expect(report.stages.source).toMatchObject({ in: 10, out: 10 });
  });

  it("applies back-pressure: a slow stage keeps the source at most one buffer ahead", async () => {
    const source = countingSource(10_000);
    let processed = 0;
    let maxAhead = 0;
    await pipeline({
      source: mapFindings(source.iterable),
      bufferSize: 8,
      stages: [
        {
          name: "slow",
          async *run(input: AsyncIterable<Finding>) {
            for await (const item of input) {
              processed++;
              if (processed % 10 === 0) await sleep(1);
              maxAhead = Math.max(maxAhead, source.pulled - processed);
              yield item;
              if (processed === 200) return;
            }
          },
        },
      ],
    }).start();
    expect(maxAhead).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThanOrEqual(8 + 1);
    expect(source.pulled).toBeLessThanOrEqual(200 + 8 + 1);
    expect(source.closed).toBe(true);
  });

  it("stops pulling every source when the stages stop early", async () => {
    const first = countingSource(Number.POSITIVE_INFINITY);
    const second = countingSource(Number.POSITIVE_INFINITY);
    const report = await pipeline({
      sources: [mapFindings(first.iterable), mapFindings(second.iterable, "orca")],
      bufferSize: 4,
      stages: [passThrough("before"), takeStage("take", 3)],
    }).start();
    expect(report.stages.take).toMatchObject({ out: 3 });
    await sleep(5);
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(true);
    expect(first.pulled + second.pulled).toBeLessThan(30);
  });

  it("rejects with the signal's reason on abort and stops the sources", async () => {
    let sourceSignal: AbortSignal | undefined;
    const endless: FindingSource = {
      ...findingSource("wiz", 0, []),
      async *findings(_query, options) {
        sourceSignal = options?.signal;
        for (let index = 0; ; index++) {
          await sleep(1, undefined, { signal: options?.signal });
          yield finding(index);
        }
      },
    };
    const controller = new AbortController();
    const run = pipeline({ source: endless, stages: [passThrough("pass")] });
    let received = 0;
    run.on("finding-received", () => {
      if (++received === 5) controller.abort(new Error("operator stopped the run"));
    });
    await expect(run.start({ signal: controller.signal })).rejects.toThrow("operator stopped the run");
    expect(sourceSignal?.aborted).toBe(true);
    expect(received).toBeLessThan(10);
  });

  it("rejects on abort even while a plain iterable never yields", async () => {
    const hung: AsyncIterable<Finding> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Finding>>(() => {}) }),
    };
    const reason = new Error("timed out");
    const run = pipeline({ source: hung });
    const started = run.start({ signal: AbortSignal.abort(reason) });
    await expect(started).rejects.toBe(reason);
    const controller = new AbortController();
    const second = pipeline({ source: hung }).start({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 5);
    await expect(second).rejects.toBe(reason);
  });

  it("ends the run with an error that escapes a stage, and aborts the other stages' signal", async () => {
    let contextSignal: AbortSignal | undefined;
    const failure = new UpstreamError("model API down", {
      integration: "openai",
      status: 503,
      method: "POST",
      url: "https://example.test",
    });
    const run = pipeline({
      source: iterate(range(100).map((index) => finding(index))),
      stages: [
        {
          name: "observe",
          async *run(input: AsyncIterable<Finding>, context: StageContext) {
            contextSignal = context.signal;
            yield* input;
          },
        },
        {
          name: "explode",
          async *run(input: AsyncIterable<Finding>) {
            let count = 0;
            for await (const item of input) {
              if (++count === 10) throw failure;
              yield item;
            }
          },
        },
        passThrough("after"),
      ],
    });
    let ended = false;
    run.on("run-end", () => {
      ended = true;
    });
    await expect(run.start()).rejects.toBe(failure);
    expect(contextSignal?.aborted).toBe(true);
    expect(ended).toBe(true);
  });

  it("signals the sources to stop when a stage throws before yielding anything", async () => {
    let sourceSignal: AbortSignal | undefined;
    const source: FindingSource = {
      ...findingSource("wiz", 0, []),
      async *findings(_query, options) {
        sourceSignal = options?.signal;
        yield finding(1);
      },
    };
    const broken: Stage<Finding, Finding> = {
      name: "broken",
      run() {
        throw new ConfigurationError("broken stage");
      },
    };
    await expect(pipeline({ source, stages: [broken] }).start()).rejects.toThrow("broken stage");
    expect(sourceSignal?.aborted).toBe(true);
  });

  it("delivers actions to their sinks and dead-letters failed deliveries without ending the run", async () => {
    const delivered: string[] = [];
    const sink: Sink = {
      specificationVersion: "v1",
      name: "tickets",
      async deliver(action) {
        if (action.idempotencyKey.includes("fail-typed")) {
          throw new DeliveryError("jira: 400", { sink: "tickets", key: action.idempotencyKey });
        }
        if (action.idempotencyKey.includes("fail-plain")) throw new TypeError("cannot read token=abc");
        delivered.push(action.idempotencyKey);
        return { key: action.idempotencyKey, status: "created", ref: { id: `SEC-${delivered.length}` } };
      },
    };
    const chat = recordingSink("chat");
    const actions: Action[] = [
      action("ok-1"),
      action("fail-typed"),
      action("ok-2", "chat"),
      action("fail-plain"),
      action("no-sink", "pager"),
      action("ok-3"),
    ];
    const run = pipeline({
      source: iterate([finding(1)]),
      stages: [emitStage("decide", actions)],
      sinks: { default: sink, chat: chat.sink },
      mode: "automated",
    });
    const failedEvents: string[] = [];
    const deliveredEvents: string[] = [];
    run.on("item-failed", ({ deadLetter }) => failedEvents.push(deadLetter.itemId ?? ""));
    run.on("action-delivered", ({ sink: name, delivery }) => deliveredEvents.push(`${name}:${delivery.key}`));
    const report = await run.start();

    expect(delivered.sort()).toEqual(["case:ok-1:ticket", "case:ok-3:ticket"]);
    expect(chat.keys).toEqual(["case:ok-2:ticket"]);
    expect(deliveredEvents.sort()).toEqual([
      "chat:case:ok-2:ticket",
      "default:case:ok-1:ticket",
      "default:case:ok-3:ticket",
    ]);
    const letters = report.deadLetters.map((letter) => [letter.stage, letter.itemId, letter.error.code]);
    expect(letters.sort()).toEqual([
      ["deliver", "case:fail-plain:ticket", "DELIVERY"],
      ["deliver", "case:fail-typed:ticket", "DELIVERY"],
      ["deliver", "case:no-sink:ticket", "DELIVERY"],
    ]);
    const plain = report.deadLetters.find((letter) => letter.itemId === "case:fail-plain:ticket")!;
    expect(plain.error).toBeInstanceOf(DeliveryError);
    expect(plain.error.cause).toBeInstanceOf(TypeError);
    expect(plain.error.message).not.toContain("token=abc");
    const missing = report.deadLetters.find((letter) => letter.itemId === "case:no-sink:ticket")!;
    expect(missing.error.message).toContain('no sink named "pager"');
    expect(failedEvents.sort()).toEqual([
      "case:fail-plain:ticket",
      "case:fail-typed:ticket",
      "case:no-sink:ticket",
    ]);
    expect(report.stages.deliver).toMatchObject({ in: 6, out: 3 });
    expect(report.stages.decide).toMatchObject({ in: 1, out: 6 });
  });

  it("delivers at most `concurrency` actions at once", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sink: Sink = {
      specificationVersion: "v1",
      name: "slow",
      async deliver(item) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(2);
        inFlight--;
        return { key: item.idempotencyKey, status: "created" };
      },
    };
    const report = await pipeline({
      source: iterate([finding(1)]),
      stages: [
        emitStage(
          "decide",
          range(12).map((index) => action(`a-${index}`)),
        ),
      ],
      sinks: { default: sink },
      mode: "automated",
      concurrency: 3,
    }).start();
    expect(maxInFlight).toBe(3);
    expect(report.stages.deliver).toMatchObject({ in: 12, out: 12 });
  });

  it("delivers nothing in read-only mode and says so in a warning", async () => {
    const chat = recordingSink("default");
    const run = pipeline({
      source: iterate([finding(1)]),
      stages: [emitStage("decide", [action("a"), action("b")])],
      sinks: { default: chat.sink },
    });
    const warnings: string[] = [];
    run.on("warning-raised", ({ warning }) => warnings.push(warning.message));
    const report = await run.start();
    expect(chat.keys).toEqual([]);
    expect(report.stages.deliver).toMatchObject({ in: 2, out: 0 });
    expect(report.warnings).toHaveLength(1);
    expect(warnings).toEqual([report.warnings[0]?.message]);
    expect(warnings[0]).toContain("read-only");
  });

  it("records what stages warn and fail in the report, with events, and types untyped errors", async () => {
    const run = pipeline({
      source: iterate([finding(1), finding(2), finding(3)]),
      stages: [
        {
          name: "check",
          async *run(input: AsyncIterable<Finding>, { warn, fail }: StageContext) {
            for await (const item of input) {
              if (item.id.endsWith("2")) {
                fail(new ConfigurationError("bad item"), { itemId: item.id });
                continue;
              }
              if (item.id.endsWith("3")) {
                fail(new TypeError("boom"), { itemId: item.id, item });
                continue;
              }
              warn({ type: "fallback", source: "check", message: "used the fallback" });
              yield item;
            }
          },
        },
      ],
    });
    const events: string[] = [];
    run.on("warning-raised", ({ warning }) => events.push(`warning ${warning.message}`));
    run.on("item-failed", ({ deadLetter }) => events.push(`failed ${deadLetter.itemId}`));
    const report = await run.start();
    expect(events).toEqual(["warning used the fallback", "failed wiz:f-2", "failed wiz:f-3"]);
    expect(report.warnings).toHaveLength(1);
    expect(report.deadLetters.map((letter) => [letter.stage, letter.itemId, letter.error.code])).toEqual([
      ["check", "wiz:f-2", "CONFIGURATION"],
      ["check", "wiz:f-3", "STAGE"],
    ]);
    expect(report.deadLetters[1]?.error).toBeInstanceOf(StageError);
    expect(report.deadLetters[1]?.error.cause).toBeInstanceOf(TypeError);
    expect(report.deadLetters[1]?.item).toMatchObject({ id: "wiz:f-3" });
    expect(JSON.parse(JSON.stringify(report.warnings))).toEqual([
      { type: "fallback", source: "check", message: "used the fallback" },
    ]);
    expect(report.stages.check).toMatchObject({ in: 3, out: 1 });
  });

  it("hands sources a recorder: their warnings and dead letters reach the report and the run's events", async () => {
    const source: FindingSource = {
      specificationVersion: "v1",
      platform: "my-scanner",
      capabilities: {},
      async *findings(_query, options) {
        options?.record?.warn({
          type: "unsupported",
          source: "my-scanner",
          feature: "filter.x",
          message: "x",
        });
        options?.record?.fail(
          new NormalizationError("my-scanner: record 2 has no id", { platform: "my-scanner" }),
        );
        yield finding(1);
      },
    };
    const run = pipeline({ source });
    const events: string[] = [];
    run.on("warning-raised", ({ warning }) => events.push(`warning ${warning.feature}`));
    run.on("item-failed", ({ deadLetter }) => events.push(`failed ${deadLetter.stage}`));
    const report = await run.start();
    expect(events).toEqual(["warning filter.x", "failed source:my-scanner"]);
    expect(report.warnings).toHaveLength(1);
    expect(report.deadLetters[0]).toMatchObject({
      stage: "source:my-scanner",
      error: { code: "NORMALIZATION" },
    });
  });

  it("ends the run when a stage fails an item with an abort", async () => {
    const controller = new AbortController();
    const run = pipeline({
      source: iterate([finding(1), finding(2)]),
      stages: [
        {
          name: "abort",
          async *run(input: AsyncIterable<Finding>, { fail }: StageContext) {
            for await (const item of input) {
              controller.abort(new DOMException("stop", "AbortError"));
              fail(controller.signal.reason, { itemId: item.id });
              yield item;
            }
          },
        },
      ],
    });
    await expect(run.start()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("names duplicate stages apart in the report", async () => {
    const report = await pipeline({
      source: iterate([finding(1)]),
      stages: [passThrough("pass"), passThrough("pass")],
    }).start();
    expect(Object.keys(report.stages)).toEqual(["source", "pass", "pass#2"]);
  });

  it("places each stage on the run's timeline: its start after the run's, within the run", async () => {
    const report = await pipeline({
      source: iterate([finding(1), finding(2)]),
      stages: [passThrough("pass")],
    }).start();
    expect(report.stages.source?.startMs).toBe(0);
    const pass = report.stages.pass;
    expect(pass?.startMs).toBeGreaterThanOrEqual(0);
    expect((pass?.startMs ?? 0) + (pass?.durationMs ?? 0)).toBeLessThanOrEqual(report.durationMs ?? 0);
  });

  it("refuses a run without a source, a bad concurrency, and a second start", async () => {
    expect(() => pipeline({})).toThrowError(ConfigurationError);
    expect(() => pipeline({ source: iterate([]), concurrency: 0 })).toThrowError(/concurrency/);
    const run = pipeline({ source: iterate([]) });
    await run.start();
    await expect(run.start()).rejects.toThrowError(/already called/);
  });
});

describe("isAction", () => {
  it("recognises objects with a kind and an idempotency key", () => {
    expect(isAction(makeAction())).toBe(true);
    expect(isAction(makeCase())).toBe(false);
    expect(isAction(null)).toBe(false);
  });
});

// Helpers.

const template = makeFinding({ source: { nativeId: "template" } });

function finding(index: number, platform: Platform = "wiz"): Finding {
  const nativeId = `f-${index}`;
  return { ...template, id: `${platform}:${nativeId}`, source: { ...template.source, platform, nativeId } };
}

function action(name: string, sink?: string): Action {
  return makeAction({
    case: makeCase({ groupKey: { name } }),
    idempotencyKey: `case:${name}:ticket`,
    ...(sink ? { sink } : {}),
  });
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function countingSource(count: number) {
  const state = { pulled: 0, closed: false };
  async function* numbers() {
    try {
      for (let index = 0; index < count; index++) {
        state.pulled++;
        yield index;
      }
    } finally {
      state.closed = true;
    }
  }
  return Object.assign(state, { iterable: numbers() });
}

async function* mapFindings(
  numbers: AsyncIterable<number>,
  platform: Platform = "wiz",
): AsyncGenerator<Finding> {
  for await (const index of numbers) yield finding(index, platform);
}

function findingSource(
  platform: Platform,
  count: number,
  calls: { query?: FindingQuery; signal?: AbortSignal; hasReport: boolean }[],
): FindingSource {
  return {
    specificationVersion: "v1",
    platform,
    capabilities: {},
    async *findings(query, options) {
      calls.push({ query, signal: options?.signal, hasReport: options?.record !== undefined });
      for (let index = 0; index < count; index++) yield finding(index, platform);
    },
  };
}

function passThrough(name: string): Stage<Finding, Finding> {
  return {
    name,
    async *run(input) {
      yield* input;
    },
  };
}

function filterStage(name: string, keep: (item: Finding) => boolean): Stage<Finding, Finding> {
  return {
    name,
    async *run(input) {
      for await (const item of input) if (keep(item)) yield item;
    },
  };
}

function takeStage(name: string, count: number): Stage<Finding, Finding> {
  return {
    name,
    async *run(input) {
      let taken = 0;
      for await (const item of input) {
        yield item;
        if (++taken === count) return;
      }
    },
  };
}

function collect(name: string, ids: string[]): Stage<Finding, Finding> {
  return {
    name,
    async *run(input) {
      for await (const item of input) {
        ids.push(item.id);
        yield item;
      }
    },
  };
}

function emitStage(name: string, actions: Action[]): Stage<Finding, Action> {
  return {
    name,
    async *run(input) {
      for await (const _ of input) yield* actions;
    },
  };
}

function recordingSink(name: string) {
  const keys: string[] = [];
  const sink: Sink = {
    specificationVersion: "v1",
    name,
    async deliver(item) {
      keys.push(item.idempotencyKey);
      return { key: item.idempotencyKey, status: "created" };
    },
  };
  return { keys, sink };
}
