import { EventEmitter } from "eventemitter3";
import type { PipelineEventName, PipelineEvents } from "../../../src/core/events.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createRunReport } from "../../../src/core/report.js";
import { createStageContext, type Stage, type StageContext } from "../../../src/core/stage.js";
import type { Store } from "../../../src/core/store.js";

/** A stage context with a fixed clock, a memory store and a log of every event. */
export function stageContext(options: { now?: string; store?: Store } = {}) {
  const events = new EventEmitter<PipelineEvents>();
  const emitted: { name: PipelineEventName; payload: unknown }[] = [];
  const names: PipelineEventName[] = [
    "case-created",
    "suppression-expired",
    "warning-raised",
    "request-retried",
  ];
  for (const name of names) events.on(name, (payload: unknown) => emitted.push({ name, payload }));
  const now = new Date(options.now ?? "2026-06-01T12:00:00.000Z");
  const context = createStageContext({
    stage: "triage",
    events,
    report: createRunReport("run-test", now),
    store: options.store ?? memoryStore(),
    now: () => now,
  });
  return { context, emitted };
}

/** Runs a stage over `items` and collects what it yields. */
export async function runStage<In, Out>(
  stage: Stage<In, Out>,
  items: Iterable<In>,
  context: StageContext,
): Promise<Out[]> {
  const output: Out[] = [];
  for await (const item of stage.run(toAsync(items), context)) output.push(item);
  return output;
}

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}
