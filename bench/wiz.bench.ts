/**
 * Wiz adapter benchmarks against the sandbox: paced streaming of 100,000 findings, the cost of
 * `normalize` next to `JSON.parse` of the same bytes, and peak memory of streaming 10k vs 100k findings.
 */
import { availableParallelism, loadavg } from "node:os";
import { EventEmitter } from "eventemitter3";
import { normalize, wiz } from "../src/adapters/wiz/index.js";
import type { WizOptions } from "../src/adapters/wiz/wiz.js";
import type { PipelineEvents } from "../src/core/events.js";
import { startSandbox } from "../src/testing/sandbox/server.js";
import { type Benchmark, type BenchResult, costNotes, normalizeCost, runInChild } from "./harness.js";

const total = 100_000;
const pageSize = 500;
const requestsPerSecond = 10;

const benchmark: Benchmark = {
  name: "wiz",
  async run() {
    const sandbox = await startSandbox({ seed: 1, size: total, platforms: ["wiz"] });
    try {
      return [
        ...(await paced(sandbox.wiz)),
        ...(await normalizeVsParse(sandbox.wiz)),
        ...(await memory(sandbox.wiz)),
      ];
    } finally {
      await sandbox.close();
    }
  },
};
export default benchmark;

/** Child task: streams `limit` findings; returns how many arrived and the heap still in use after a full GC. */
export async function stream(
  options: WizOptions,
  limit: number,
): Promise<{ count: number; retainedMb: number }> {
  let count = 0;
  for await (const _ of wiz({ ...options, rateLimit: false, pageSize }).findings()) {
    if (++count >= limit) break;
  }
  (globalThis as { gc?: () => void }).gc?.();
  return { count, retainedMb: process.memoryUsage().heapUsed / 1024 / 1024 };
}

/** Child task: streams everything paced at {@link requestsPerSecond}, and reports what it saw. */
export async function pacedStream(options: WizOptions) {
  const events = new EventEmitter<PipelineEvents>();
  let retried = 0;
  let pages = 0;
  events.on("request-retried", () => retried++);
  const counting: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith("/graphql")) pages++;
    return fetch(input, init);
  };
  const source = wiz({
    ...options,
    fetch: counting,
    pageSize,
    events,
    rateLimit: { requestsPerSecond, burst: requestsPerSecond },
  });
  let count = 0;
  const started = performance.now();
  for await (const _ of source.findings()) count++;
  return { count, pages, retried, seconds: (performance.now() - started) / 1000 };
}

async function paced(options: WizOptions): Promise<BenchResult[]> {
  // The client runs in its own process, as it would against a remote API.
  const { result } = await runInChild<Awaited<ReturnType<typeof pacedStream>>>(
    import.meta.url,
    "pacedStream",
    [options],
  );
  const { count, pages, retried, seconds } = result;
  const floor = pages / requestsPerSecond;
  return [
    {
      benchmark: "wiz",
      metric: `stream ${count.toLocaleString("en")} findings at ${requestsPerSecond} req/s (${pages} pages)`,
      value: round(seconds),
      unit: "s",
      target: `<= ${round(1.1 * floor)} (1.1 × pages ÷ rate)`,
      pass: seconds <= 1.1 * floor && count === total,
      notes: `${round(count / seconds)} findings/s; load average ${round(loadavg()[0]!)} on ${availableParallelism()} cores`,
    },
    {
      benchmark: "wiz",
      metric: "failed or retried requests while streaming",
      value: retried,
      unit: "requests",
      target: "0",
      pass: retried === 0,
    },
  ];
}

async function normalizeVsParse(options: WizOptions): Promise<BenchResult[]> {
  // The raw page bodies, as the adapter receives them.
  const bodies: string[] = [];
  const token = await fetch(options.authUrl!, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: options.clientId!,
      client_secret: options.clientSecret as string,
      audience: "wiz-api",
    }),
  }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
  for (const root of ["issuesV2", "configurationFindings", "vulnerabilityFindings"]) {
    let after: string | undefined;
    for (let page = 0; page < 14; page++) {
      const response = await fetch(options.apiUrl!, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          query: `query P($after: String) { page: ${root}(first: 500, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
        }),
      });
      const text = await response.text();
      bodies.push(text);
      const info = (
        JSON.parse(text) as { data: { page: { pageInfo: { endCursor?: string; hasNextPage: boolean } } } }
      ).data.page.pageInfo;
      if (!info.hasNextPage) break;
      after = info.endCursor;
    }
  }
  const nodes = bodies.flatMap(
    (text) => (JSON.parse(text) as { data: { page: { nodes: unknown[] } } }).data.page.nodes,
  );
  const fetchedAt = new Date().toISOString();
  const cost = normalizeCost(bodies, nodes, (node) => normalize(node, { fetchedAt }));
  return [
    {
      benchmark: "wiz",
      metric: `normalize ÷ JSON.parse of the same bytes (${nodes.length.toLocaleString("en")} records)`,
      value: round(cost.ratio),
      unit: "×",
      target: "<= 1.3",
      pass: cost.ratio <= 1.3,
      notes: costNotes(cost),
    },
  ];
}

async function memory(options: WizOptions): Promise<BenchResult[]> {
  const execArgv = ["--expose-gc"];
  const small = await runInChild<{ count: number; retainedMb: number }>(
    import.meta.url,
    "stream",
    [options, 10_000],
    {
      execArgv,
    },
  );
  const large = await runInChild<{ count: number; retainedMb: number }>(
    import.meta.url,
    "stream",
    [options, total],
    {
      execArgv,
    },
  );
  const complete = small.result.count === 10_000 && large.result.count === total;
  const growth = large.peakRssMb / small.peakRssMb;
  const retained = large.result.retainedMb / small.result.retainedMb;
  return [
    {
      benchmark: "wiz",
      metric: "peak RSS streaming 100k ÷ streaming 10k findings",
      value: round(growth),
      unit: "×",
      target: "<= 1.25",
      pass: growth <= 1.25 && complete,
      notes: `${round(small.peakRssMb)} MB vs ${round(large.peakRssMb)} MB (peak RSS includes garbage not yet collected)`,
    },
    {
      benchmark: "wiz",
      metric: "heap retained after GC, 100k ÷ 10k findings",
      value: round(retained),
      unit: "×",
      target: "<= 1.1",
      pass: retained <= 1.1 && complete,
      notes: `${round(small.result.retainedMb)} MB vs ${round(large.result.retainedMb)} MB`,
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
