/**
 * Exactly-once delivery under real faults (issue #14.6/#14.7, #22.2): rounds of workers that are
 * killed mid-run (no clean-up: their claims stay pending and their last requests may or may not land),
 * against Jira and ServiceNow emulations that lose create responses, answer 5xx after a create and
 * (Jira) show a new issue in searches only 2–60 s after it was made. Time runs on a controllable
 * clock shared by the sinks and the emulations, so no test waits for real.
 */
import { describe, expect, it } from "vitest";
import type { Action } from "../../src/core/action.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { Sink } from "../../src/core/sink.js";
import type { Store } from "../../src/core/store.js";
import { jira } from "../../src/sinks/jira/index.js";
import { servicenow } from "../../src/sinks/servicenow/index.js";
import { makeAction, makeCase, makeFinding } from "../../src/testing/factories.js";
import { emulationFetch } from "../../src/testing/sandbox/emulation.js";
import { type JiraSandboxOptions, jiraEmulation } from "../../src/testing/sandbox/jira.js";
import { type ServiceNowSandboxOptions, servicenowEmulation } from "../../src/testing/sandbox/servicenow.js";

const cases = Number(process.env.EXACTLY_ONCE_CASES ?? 300);
const rounds = 10;

describe("exactly once under kills, lost responses, 5xx after create and a lagging search", () => {
  it(`${rounds} kill-and-rerun rounds of ${cases} cases: every case has exactly one ticket in Jira and in ServiceNow`, async () => {
    let now = Date.parse("2026-12-01T00:00:00Z");
    const clock = () => now;
    const jiraTarget = jiraEmulation({
      clock,
      faults: {
        searchLagMs: { min: 2_000, max: 60_000 },
        lostCreateResponses: { every: 7 },
        serverErrorsAfterCreate: { every: 11 },
      },
    });
    const serviceNowTarget = servicenowEmulation({
      clock,
      faults: {
        searchLagMs: { min: 0, max: 5_000 },
        lostCreateResponses: { every: 5 },
        serverErrorsAfterCreate: { every: 13 },
      },
    });
    const jiraUrl = "http://sandbox.test/jira";
    const serviceNowUrl = "http://sandbox.test/servicenow";
    const store = memoryStore();
    const actions = Array.from({ length: cases }, (_, index) => actionFor(index));
    let random = 7;
    const next = (limit: number) => {
      random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
      return random % limit;
    };

    /** One worker process: two sinks over the shared store and emulations, killed after `killAfter` requests. */
    const worker = (killAfter: number) => {
      const process = killable(killAfter);
      const common = { store: process.store(store), rateLimit: false as const, now: clock };
      const sinks: Sink[] = [
        jira({
          ...jiraTarget.options(jiraUrl),
          ...common,
          projectKey: "SEC",
          fetch: process.fetch(emulationFetch(jiraTarget, jiraUrl)),
        }),
        servicenow({
          ...serviceNowTarget.options(serviceNowUrl),
          ...common,
          fetch: process.fetch(emulationFetch(serviceNowTarget, serviceNowUrl)),
        }),
      ];
      return { sinks, killed: process.killed };
    };

    const outcomes = { delivered: 0, uncertain: 0, busy: 0, killed: 0 };
    let failedLastRound = 0;
    const runRound = async (killAfter: number) => {
      const { sinks, killed } = worker(killAfter);
      failedLastRound = 0;
      await pool(
        actions.flatMap((action) => sinks.map((sink) => ({ action, sink }))),
        8,
        async ({ action, sink }) => {
          if (killed()) return;
          try {
            const delivery = await sink.deliver(action);
            expect(delivery.safeToRetry).toBe(true);
            outcomes.delivered++;
          } catch (error) {
            failedLastRound++;
            if (killed()) outcomes.killed++;
            else if ((error as { uncertain?: boolean }).uncertain) outcomes.uncertain++;
            else if ((error as Error).message.includes("another worker")) outcomes.busy++;
            else throw error;
            if (!killed()) expect((error as { safeToRetry?: boolean }).safeToRetry).toBe(true);
          }
        },
      );
    };

    // Killed rounds: each worker dies after a random number of requests; 20 s pass between rounds
    // (longer than a lease, shorter than the search lag can be).
    for (let round = 0; round < rounds; round++) {
      await runRound(20 + next(cases));
      now += 20_000;
    }
    // Then runs that are not killed, far enough apart for every settle window to pass, until nothing is outstanding.
    failedLastRound = 1;
    for (let round = 0; round < 6 && !allDone(); round++) {
      now += 61_000;
      await runRound(Number.POSITIVE_INFINITY);
    }

    const tickets = (labels: (string | undefined)[]) => {
      const counts = new Map<string, number>();
      for (const label of labels) if (label) counts.set(label, (counts.get(label) ?? 0) + 1);
      return counts;
    };
    const jiraTickets = tickets(
      jiraTarget.issues().map((issue) => issue.fields.labels.find((label) => label.startsWith("cs-"))),
    );
    const serviceNowTickets = tickets(
      serviceNowTarget.records("incident").map((record) => record.correlation_id),
    );
    for (const counts of [jiraTickets, serviceNowTickets]) {
      const duplicates = [...counts.values()].filter((count) => count > 1).length;
      expect({ tickets: counts.size, duplicates }).toEqual({ tickets: cases, duplicates: 0 });
    }
    // The faults did happen.
    expect(jiraTarget.faults.stats.lostCreateResponses).toBeGreaterThan(0);
    expect(jiraTarget.faults.stats.serverErrorsAfterCreate).toBeGreaterThan(0);
    expect(serviceNowTarget.faults.stats.lostCreateResponses).toBeGreaterThan(0);
    expect(outcomes.killed).toBeGreaterThan(0);
    expect(outcomes.uncertain).toBeGreaterThan(0);

    function allDone(): boolean {
      return failedLastRound === 0;
    }
  }, 120_000);
});

describe("the ledger protocol against the emulations", () => {
  for (const target of ["jira", "servicenow"] as const) {
    it(`${target}: a new ticket costs one request; a lost create response is settled by a search after the settle window, never re-created before`, async () => {
      let now = Date.parse("2026-12-01T00:00:00Z");
      const clock = () => now;
      const faults = { searchLagMs: 30_000, lostCreateResponses: { every: 2 } };
      const url = `http://sandbox.test/${target}`;
      const emulation =
        target === "jira" ? jiraEmulation({ clock, faults }) : servicenowEmulation({ clock, faults });
      const count = () =>
        target === "jira"
          ? (emulation as ReturnType<typeof jiraEmulation>).issues().length
          : (emulation as ReturnType<typeof servicenowEmulation>).records("incident").length;
      const store = memoryStore();
      const common = { store, rateLimit: false as const, now: clock, fetch: emulationFetch(emulation, url) };
      const sink =
        target === "jira"
          ? jira({ ...(emulation.options(url) as JiraSandboxOptions), ...common, projectKey: "SEC" })
          : servicenow({ ...(emulation.options(url) as ServiceNowSandboxOptions), ...common });
      expect(emulation.options(url)).toMatchObject({ settleMs: 30_000 });

      // The first delivery lists the (empty) remote system once to seed the new ledger, then creates.
      expect((await sink.deliver(actionFor(1))).status).toBe("created");
      const afterFirst = emulation.faults.stats.requests;
      expect(afterFirst).toBe(2);

      // The second create's response is lost: the issue exists but the search does not show it yet.
      const action = actionFor(2);
      const lost = await sink.deliver(action).catch((error: unknown) => error);
      expect(lost).toMatchObject({ code: "DELIVERY", uncertain: true, safeToRetry: true, isRetryable: true });
      expect(count()).toBe(2);
      // Within the window every delivery searches and waits; nothing is created again.
      now += 20_000;
      await expect(sink.deliver(action)).rejects.toMatchObject({ uncertain: true });
      expect(count()).toBe(2);
      // After it, the search shows the ticket the lost create made.
      now += 15_000;
      expect(await sink.deliver(action)).toMatchObject({ status: "unchanged", safeToRetry: true });
      expect(count()).toBe(2);

      // A new ticket on the seeded ledger: exactly one request.
      const before = emulation.faults.stats.requests;
      expect((await sink.deliver(actionFor(3))).status).toBe("created");
      expect(emulation.faults.stats.requests - before).toBe(1);
    });
  }
});

function actionFor(index: number): Action {
  const finding = makeFinding({ id: `eo-${index}`, source: { nativeId: `eo-${index}` } });
  return makeAction({ case: makeCase({ findings: [finding], groupKey: { rule: `eo-${index}` } }) });
}

/**
 * A process that can be SIGKILLed: after `killAfter` requests it is dead. Requests it had sent may
 * still land (the emulation acts) but it never sees an answer, and it never writes to the store again.
 */
function killable(killAfter: number) {
  let requests = 0;
  let dead = false;
  const death = () => new Error("killed");
  return {
    killed: () => dead,
    fetch:
      (base: typeof globalThis.fetch): typeof globalThis.fetch =>
      async (input, init) => {
        if (dead) throw death();
        if (++requests >= killAfter) dead = true;
        const response = await base(input, init);
        if (dead) throw death();
        return response;
      },
    store(store: Store): Store {
      const guard =
        <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          if (dead) throw death();
          return call(...args);
        };
      return {
        ...store,
        get: guard(store.get.bind(store)) as Store["get"],
        set: guard(store.set.bind(store)) as Store["set"],
        setIfAbsent: guard(store.setIfAbsent.bind(store)) as Store["setIfAbsent"],
        compareAndSet: guard(store.compareAndSet.bind(store)) as Store["compareAndSet"],
        delete: guard(store.delete.bind(store)) as Store["delete"],
        list: store.list.bind(store),
        append: store.append.bind(store),
        read: store.read.bind(store),
        close: store.close.bind(store),
      };
    },
  };
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (index < items.length) await work(items[index++]!);
    }),
  );
}
