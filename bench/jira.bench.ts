/**
 * Jira sink benchmark against the sandbox Jira (a real HTTP server) limited to 10 requests/second:
 * first the old protocol (a search before every create, `searchBeforeCreate: true`) over
 * `BENCH_JIRA_BEFORE_CASES` cases, then 1,000 cases delivered by the ledger's protocol (a fresh claim
 * creates without a search), a run killed at ~500 and rerun over the same ledger, then every ticket
 * counted in the emulation. `BENCH_JIRA_CASES` scales it down for a quick check.
 */
import { EventEmitter } from "eventemitter3";
import type { PipelineEvents } from "../src/core/events.js";
import { memoryStore } from "../src/core/memory-store.js";
import { jira } from "../src/sinks/jira/index.js";
import { makeAction, makeCase, makeFinding } from "../src/testing/factories.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { type Benchmark, resultRow } from "./harness.js";

const total = Number(process.env.BENCH_JIRA_CASES ?? 1000);
const beforeTotal = Number(process.env.BENCH_JIRA_BEFORE_CASES ?? 150);
const killAt = Math.floor(total / 2);
const requestsPerSecond = 10;

const benchmark: Benchmark = {
  name: "jira",
  async run() {
    const sandbox = await startSandbox({
      seed: 1,
      size: 10,
      platforms: ["wiz"],
      faults: { rateLimit: { requestsPerSecond } },
    });
    try {
      const store = memoryStore();
      const events = new EventEmitter<PipelineEvents>();
      let retries = 0;
      events.on("request-retried", () => {
        retries++;
      });
      const sink = () =>
        jira({ ...sandbox.jira, projectKey: "SEC", store, events, rateLimit: { requestsPerSecond } });
      const actionsFor = (prefix: string, count: number) =>
        Array.from({ length: count }, (_, index) => {
          const finding = makeFinding({
            id: `${prefix}-${index}`,
            source: { nativeId: `${prefix}-${index}` },
          });
          return makeAction({
            case: makeCase({ findings: [finding], groupKey: { rule: `${prefix}-${index}` } }),
          });
        });
      const actions = actionsFor("bench", total);
      const served = () => sandbox.faults.jira.stats.requests - sandbox.faults.jira.stats.rateLimited;

      // Before: a search before every create (the protocol before the ledger could prove a claim fresh).
      const before = jira({
        ...sandbox.jira,
        projectKey: "OLD",
        store: memoryStore(),
        rateLimit: { requestsPerSecond },
        searchBeforeCreate: true,
      });
      const beforeStarted = performance.now();
      for (const action of actionsFor("before", beforeTotal)) await before.deliver(action);
      const beforeSeconds = (performance.now() - beforeStarted) / 1000;
      const beforeRequests = served();
      const beforeRate = beforeTotal / beforeSeconds;
      // Let the sandbox's rate-limit bucket refill, so the next run starts as the first one did.
      await new Promise((resolve) => setTimeout(resolve, 1500));

      // First run: killed while the delivery of case `killAt` is in flight.
      const controller = new AbortController();
      const started = performance.now();
      const first = sink();
      let deliveredBeforeKill = 0;
      for (const [index, action] of actions.entries()) {
        if (index === killAt)
          setTimeout(() => controller.abort(new DOMException("killed", "AbortError")), 50);
        try {
          await first.deliver(action, { signal: controller.signal });
          deliveredBeforeKill++;
        } catch {
          break;
        }
      }
      const firstSeconds = (performance.now() - started) / 1000;
      // Requests the sandbox served (a 429 is not served; it is counted separately below).
      const requestsFirst = served() - beforeRequests;
      const afterRate = deliveredBeforeKill / firstSeconds;
      const perCase = requestsFirst / Math.max(1, deliveredBeforeKill);

      // Rerun everything over the same ledger.
      const rerunStarted = performance.now();
      const statuses = { created: 0, updated: 0, unchanged: 0 };
      const second = sink();
      for (const action of actions) statuses[(await second.deliver(action)).status]++;
      const rerunSeconds = (performance.now() - rerunStarted) / 1000;

      const issues = sandbox.emulations.jira
        .issues()
        .filter((issue) => (issue.fields.project as { key?: string }).key === "SEC");
      const labels = issues.map((issue) => issue.fields.labels.find((label) => label.startsWith("cs-")));
      const duplicates = labels.length - new Set(labels).size;
      const requests = sandbox.faults.jira.stats.requests;
      const row = resultRow("jira");
      return [
        row(
          `tickets in Jira after kill at ${deliveredBeforeKill} + rerun (${total} cases)`,
          issues.length,
          "tickets",
          {
            target: `= ${total}`,
            pass: issues.length === total,
          },
        ),
        row("duplicate tickets", duplicates, "tickets", { target: "= 0", pass: duplicates === 0 }),
        row("requests per new case, before (search + create)", beforeRequests / beforeTotal, "requests", {
          notes: `searchBeforeCreate: true, ${beforeTotal} cases`,
        }),
        row("throughput before (10 req/s limit)", beforeRate, "cases/s", {
          notes: `${beforeTotal} cases in ${beforeSeconds.toFixed(1)} s`,
        }),
        row("requests per new case (first run)", perCase, "requests", {
          target: "<= 1.1",
          pass: perCase <= 1.1,
          notes: "a fresh claim creates without a search; one listing fills the new ledger",
        }),
        row("first run throughput (10 req/s limit)", afterRate, "cases/s", {
          target: ">= 1.8x before",
          pass: afterRate >= 1.8 * beforeRate,
          notes: `${deliveredBeforeKill} cases in ${firstSeconds.toFixed(1)} s; ${(afterRate / beforeRate).toFixed(2)}x before`,
        }),
        row("rerun", rerunSeconds, "s", {
          notes: `${statuses.created} created, ${statuses.unchanged} unchanged from the ledger or a search`,
        }),
        row("429s answered by the sandbox", sandbox.faults.jira.stats.rateLimited, "responses", {
          notes: `${retries} retries; ${requests} requests in all`,
        }),
      ];
    } finally {
      await sandbox.close();
    }
  },
};
export default benchmark;
