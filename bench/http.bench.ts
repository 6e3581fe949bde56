/**
 * The HTTP client (`createHttpClient`, src/core/http.ts) in-process, against stub fetches: its CPU
 * cost per request next to ky alone, and its behaviour in a 429 storm — a fixed-window limit that
 * answers Retry-After in whole seconds to the window's end, as Jira and Wiz do. The figures behind
 * docs/decisions/0008-http-retries-hand-written.md. `BENCH_HTTP_STORM` sets the concurrent reads.
 */
import ky from "ky";
import { createHttpClient } from "../src/core/http.js";
import { type Benchmark, resultRow } from "./harness.js";

const base = "https://api.example.test";
const okBody = '{"ok":true}';
const concurrent = Number(process.env.BENCH_HTTP_STORM ?? 100);
const perWindow = 20;

const benchmark: Benchmark = {
  name: "http",
  async run() {
    const row = resultRow("http");
    const cost = await overhead();
    const storm = await stormRun();
    return [
      row("CPU per successful GET (stub fetch, in-process)", cost.client, "µs", {
        target: "informative",
        notes: `median of ${cost.rounds} interleaved rounds of ${cost.requests}; ky alone ${cost.ky} µs, fetch + JSON.parse ${cost.floor} µs`,
      }),
      row(
        `429 storm: reads completed (${concurrent} at once, ${perWindow} per 1 s window)`,
        storm.ok,
        "reads",
        {
          target: `= ${concurrent}`,
          pass: storm.ok === concurrent,
          notes: `${storm.limited} × 429 answered; all settled in ${storm.seconds} s; default budgets (rateLimitLimit 10)`,
        },
      ),
      row("429 storm: requests sent before their Retry-After", storm.early, "requests", {
        target: "= 0",
        pass: storm.early === 0,
      }),
    ];
  },
};

export default benchmark;

/** CPU time per request (user + system, not wall: the machine may be shared), interleaved rounds, medians. */
async function overhead() {
  const fetch = async () => new Response(okBody, { headers: { "content-type": "application/json" } });
  const client = createHttpClient({
    integration: "bench",
    baseUrl: base,
    fetch,
    headers: { authorization: "Bearer bench-token-123456" },
  });
  const plainKy = ky.create({ fetch, retry: 0, timeout: 30_000 });
  const variants = {
    floor: async () => JSON.parse(await (await fetch()).text()),
    ky: () => plainKy.get(`${base}/v1/items`).json(),
    client: () => client.get("/v1/items"),
  };
  const requests = 2000;
  const rounds = 11;
  const samples = { floor: [] as number[], ky: [] as number[], client: [] as number[] };
  const names = Object.keys(variants) as (keyof typeof variants)[];
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? names : [...names].reverse()) {
      const started = process.cpuUsage();
      for (let index = 0; index < requests; index++) await variants[name]();
      const used = process.cpuUsage(started);
      samples[name].push((used.user + used.system) / requests);
    }
  }
  const median = (values: number[]) =>
    Math.round(values.sort((a, b) => a - b)[values.length >> 1]! * 10) / 10;
  return {
    floor: median(samples.floor),
    ky: median(samples.ky),
    client: median(samples.client),
    rounds,
    requests: requests.toLocaleString("en-US"),
  };
}

async function stormRun() {
  let windowStart = performance.now();
  let count = 0;
  let limited = 0;
  let early = 0;
  const notBefore = new Map<string, number>();
  const fetch = async (input: RequestInfo | URL) => {
    const now = performance.now();
    const id = new URL(input instanceof Request ? input.url : String(input)).searchParams.get("id") ?? "";
    if ((notBefore.get(id) ?? 0) > now) early++;
    if (now - windowStart >= 1000) {
      windowStart += Math.floor((now - windowStart) / 1000) * 1000;
      count = 0;
    }
    if (count >= perWindow) {
      limited++;
      const seconds = Math.ceil((windowStart + 1000 - now) / 1000);
      notBefore.set(id, now + seconds * 1000);
      return new Response(null, { status: 429, headers: { "retry-after": String(seconds) } });
    }
    count++;
    return new Response(okBody, { headers: { "content-type": "application/json" } });
  };
  const client = createHttpClient({ integration: "bench", baseUrl: base, fetch });
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: concurrent }, (_, id) => client.get("/v1/items", { searchParams: { id } })),
  );
  return {
    ok: outcomes.filter((outcome) => outcome.status === "fulfilled").length,
    limited,
    early,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
