/**
 * The MCP server (#18): per read tool, the p95 latency of a call through the SDK's `Client` on an
 * in-memory transport, over a Store of 100,000 findings (1,000 cases of 100), with exceptions,
 * approvals and an audit log beside them. Each call is a whole round trip: the client's request,
 * the tool, the audit record of the call, redaction, the untrusted-data fence and the client's
 * validation of the result against the output schema. Timing starts once the server is ready, as a
 * client's would after the initialize handshake: its start (reading, decoding and indexing the Store's
 * cases for queries, which `serveMcpStdio` and `cloudsteward mcp` do before answering) is reported on
 * its own, and every call after it counts.
 */
import { loadavg } from "node:os";
import { requestException } from "../src/agents/exceptions/exceptions.js";
import { casesNamespace } from "../src/agents/governance/governance.js";
import { auditLog } from "../src/audit/audit-log.js";
import type { Case } from "../src/core/case.js";
import type { Finding } from "../src/core/finding.js";
import { memoryStore } from "../src/core/memory-store.js";
import { warmMcpStore } from "../src/mcp/server.js";
import { makeCase, makeFinding } from "../src/testing/factories.js";
import { connectClient, mcpPolicy } from "../test/mcp/rig.js";
import { type Benchmark, type BenchResult, resultRow } from "./harness.js";

const row = resultRow("mcp");
const casesStored = 1_000;
const findingsPerCase = 100;
const rounds = 30;
const dayMs = 86_400_000;
const asOf = new Date();

const benchmark: Benchmark = {
  name: "mcp",
  async run() {
    const load = () => `load average ${loadavg()[0]?.toFixed(1)}`;
    const store = memoryStore();
    const audit = auditLog(store);
    const ids: string[] = [];
    for (let n = 0; n < casesStored; n++) {
      const findings = Array.from({ length: findingsPerCase }, (_, index) =>
        finding(n * findingsPerCase + index, n),
      );
      const item = makeCase({ findings, groupKey: { rule: `rule-${n}`, owner: `team-${n % 20}` } });
      ids.push(item.id);
      await store.set(casesNamespace, item.id, item);
    }
    // A few exception requests (each one audited), so the exception and audit tools have rows to read.
    const critical = ids.filter((_, n) => n % 4 === 0).slice(0, 50);
    for (const id of critical) {
      const item = (await store.get<Case>(casesNamespace, id))!;
      await requestException(
        {
          kind: "exception",
          findings: item.findings.slice(0, 5),
          caseId: id,
          scope: "resource",
          requester: "alice",
          justification: "compensated by a WAF rule",
          requestedUntil: new Date(asOf.getTime() + 30 * dayMs).toISOString(),
        },
        { store, policy: mcpPolicy, audit },
      );
    }
    const starting = performance.now();
    await warmMcpStore(store);
    const start = performance.now() - starting;
    const client = await connectClient({ store, principal: "alice", audit });

    const call = async (name: string, args: Record<string, unknown>) => {
      const started = performance.now();
      const result = await client.callTool({ name, arguments: args });
      const ms = performance.now() - started;
      if (result.isError) {
        const text = (result.content as { text: string }[]).map((part) => part.text).join(" ");
        throw new Error(`${name} failed: ${text}`);
      }
      return ms;
    };
    const rows: BenchResult[] = [];
    rows.push(
      row("server start (decodes and indexes the Store's cases once)", start, "ms", {
        notes: `warmMcpStore: reads and parses ${(casesStored * findingsPerCase).toLocaleString("en")} findings and indexes them for queries; every call shares the copy, re-read and re-indexed in the background after a minute; ${load()}`,
      }),
    );
    const tools: [string, Record<string, unknown>, number][] = [
      ["list_cases", { severity: ["critical"], limit: 50 }, rounds],
      ["get_case", { id: ids[500] }, rounds],
      ["explain_case", { id: ids[501] }, rounds],
      ["compliance_status", { framework: "pci-dss-4.0" }, rounds],
      ["evidence_pack", { framework: "pci-dss-4.0" }, rounds],
      ["list_exceptions", { state: ["requested"] }, rounds],
      ["list_approvals", {}, rounds],
      ["verify_audit_log", {}, rounds],
      [
        "query",
        {
          filters: { severity: ["critical", "high"], environment: ["production"], olderThanDays: 30 },
          groupBy: ["severity"],
        },
        rounds,
      ],
      ["ask", { question: "critical vulnerabilities in production older than 30 days" }, rounds],
    ];
    for (const [name, args, count] of tools) {
      const times: number[] = [];
      for (let round = 0; round < count; round++) times.push(await call(name, args));
      const p95 = percentile(times, 0.95);
      rows.push(
        row(`p95 ${name}`, p95, "ms", {
          target: "<= 100",
          pass: p95 <= 100,
          notes: `${count} calls, median ${Math.round(percentile(times, 0.5))} ms, first ${Math.round(times[0]!)} ms; ${load()}`,
        }),
      );
    }
    await client.close();
    return rows;
  },
};

export default benchmark;

/** The `q` quantile of `values` (nearest rank). */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Finding `n` of case `group`: a spread of severities, categories, environments and ages. */
function finding(n: number, group: number): Finding {
  const environments = ["production", "staging", "dev", "test"];
  return makeFinding({
    source: { nativeId: `f-${n}` },
    severity: (["critical", "high", "medium", "low"] as const)[group % 4],
    category: group % 3 === 0 ? "vulnerability" : "misconfiguration",
    rule: group % 2 === 0 ? {} : { id: `rule-${group}` },
    resource: {
      id: `resource-${n}`,
      name: `resource-${n}`,
      tags: { env: environments[n % 4]!, owner: `team-${group % 20}` },
    },
    firstSeen: new Date(asOf.getTime() - (n % 90) * dayMs).toISOString(),
    lastSeen: asOf.toISOString(),
  });
}
