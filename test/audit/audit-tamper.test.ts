import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditRecord, auditLog, canonicalJson, parseAuditAnchors } from "../../src/audit/index.js";
import { CorruptRecordError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import type { LogEntry, Store } from "../../src/core/store.js";
import { jsonlStore, postgresStore, sqliteStore } from "../../src/stores/index.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

// Each backend can be tampered with the way an attacker with access to its storage would:
// rows of the SQLite file or the PostgreSQL table, lines of the JSONL file.
interface Backend {
  name: string;
  open(): Promise<Store> | Store;
  /** Replaces the stored records of `log` with `change(records)`, directly in the storage. */
  rewrite(log: string, change: (records: AuditRecord[]) => AuditRecord[]): Promise<void>;
}

const directory = mkdtempSync(join(tmpdir(), "cloudsteward-tamper-"));
const opened: Store[] = [];
let server: TestPostgres;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await server.stop();
  rmSync(directory, { recursive: true, force: true });
});

const sqlitePath = join(directory, "audit.db");
const jsonlPath = join(directory, "audit.jsonl");
const memory = tamperableMemoryStore();
let jsonl: Store | undefined;

const backends: Backend[] = [
  {
    name: "memory",
    open: () => memory.store,
    rewrite: async (log, change) => memory.rewrite(log, change),
  },
  {
    name: "sqlite",
    open: () => track(sqliteStore({ path: sqlitePath })),
    async rewrite(log, change) {
      const db = new Database(sqlitePath);
      const rows = db.prepare("SELECT value FROM cloudsteward_log WHERE log = ? ORDER BY seq").all(log) as {
        value: string;
      }[];
      const records = change(rows.map((row) => JSON.parse(row.value)));
      db.transaction(() => {
        db.prepare("DELETE FROM cloudsteward_log WHERE log = ?").run(log);
        const insert = db.prepare("INSERT INTO cloudsteward_log (log, seq, value) VALUES (?, ?, ?)");
        for (const [index, record] of records.entries()) insert.run(log, index + 1, JSON.stringify(record));
      })();
      db.close();
    },
  },
  {
    name: "postgres",
    open: () => track(postgresStore({ connectionString: server.connectionString, schema: "tamper" })),
    async rewrite(log, change) {
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      const { rows } = await client.query(
        "SELECT value FROM tamper.cloudsteward_log WHERE log = $1 ORDER BY seq",
        [log],
      );
      const records = change(rows.map((row) => JSON.parse(row.value)));
      await client.query("BEGIN");
      await client.query("DELETE FROM tamper.cloudsteward_log WHERE log = $1", [log]);
      for (const [index, record] of records.entries()) {
        await client.query("INSERT INTO tamper.cloudsteward_log (log, seq, value) VALUES ($1, $2, $3)", [
          log,
          index + 1,
          JSON.stringify(record),
        ]);
      }
      await client.query("COMMIT");
      await client.end();
    },
  },
  {
    name: "jsonl",
    // A new store replays the file, so every open sees what is on disk now; one writer at a time.
    async open() {
      await jsonl?.close();
      jsonl = track(jsonlStore({ path: jsonlPath }));
      return jsonl;
    },
    async rewrite(log, change) {
      const lines = readFileSync(jsonlPath, "utf8").trim().split("\n");
      const mine = lines.map((line) => JSON.parse(line)).filter((operation) => operation.log === log);
      const others = lines.filter((line) => JSON.parse(line).log !== log);
      const records = change(mine.map((operation) => operation.value));
      const rewritten = records.map((record, index) =>
        JSON.stringify({ op: "append", log, seq: index + 1, value: record }),
      );
      writeFileSync(jsonlPath, `${[...others, ...rewritten].join("\n")}\n`);
    },
  },
];

interface Scenario {
  name: string;
  change: (records: AuditRecord[]) => AuditRecord[];
  expected: { firstBadSeq: number; reason: string };
  hmacKey?: string;
}

const scenarios: Scenario[] = [
  {
    name: "an edited event",
    change: (records) =>
      with3(records, (record) => ({ ...record, event: { ...record.event, data: { action: "close" } } })),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "an edited hash",
    change: (records) => with3(records, (record) => ({ ...record, hash: "f".repeat(64) })),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "an edited seq",
    change: (records) => with3(records, (record) => ({ ...record, seq: 9 })),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "a deleted record",
    change: (records) => records.filter((record) => record.seq !== 3),
    expected: { firstBadSeq: 3, reason: "deleted" },
  },
  {
    name: "a forged record inserted with a valid SHA-256 link",
    change: (records) => {
      const forged = rehash({
        ...records[2]!,
        prevHash: records[1]!.hash,
        event: { type: "approval", actor: "mallory", data: { approved: true } },
      });
      return [...records.slice(0, 2), forged, ...records.slice(2)];
    },
    expected: { firstBadSeq: 3, reason: "inserted" },
  },
  {
    name: "a forged record inserted under an HMAC key the forger lacks",
    hmacKey: "kept-outside-the-store",
    change: (records) => {
      const forged = rehash({ ...records[2]!, event: { type: "approval", actor: "mallory", data: {} } });
      return [...records.slice(0, 2), forged, ...records.slice(2)];
    },
    expected: { firstBadSeq: 3, reason: "inserted" },
  },
  {
    name: "a copy of an earlier record",
    change: (records) => [...records.slice(0, 4), records[1]!, ...records.slice(4)],
    expected: { firstBadSeq: 5, reason: "inserted" },
  },
  {
    name: "two records swapped",
    change: (records) => [records[0]!, records[1]!, records[3]!, records[2]!, ...records.slice(4)],
    expected: { firstBadSeq: 3, reason: "reordered" },
  },
  {
    name: "a record moved to the end",
    change: (records) => [records[0]!, ...records.slice(2), records[1]!],
    expected: { firstBadSeq: 2, reason: "reordered" },
  },
  {
    name: "an edited event whose own hash was recomputed",
    change: (records) =>
      with3(records, (record) =>
        rehash({ ...record, event: { ...record.event, data: { action: "close" } } }),
      ),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "a re-hashed record pointing elsewhere",
    change: (records) => with3(records, (record) => rehash({ ...record, prevHash: "a".repeat(64) })),
    expected: { firstBadSeq: 3, reason: "broken-link" },
  },
  {
    name: "a chain recomputed after an edit, under an HMAC key",
    hmacKey: "kept-outside-the-store",
    change: (records) =>
      rechain(with3(records, (record) => ({ ...record, event: { ...record.event, actor: "mallory" } }))),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
];

describe.each(backends)("audit log tampering on $name", (backend) => {
  it.each(scenarios)("detects $name", async (scenario) => {
    const log = `audit-${scenario.name.replaceAll(" ", "-")}`;
    const audit = auditLog(await backend.open(), { log, hmacKey: scenario.hmacKey });
    await writeSix(audit);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 6 });
    await backend.rewrite(log, scenario.change);
    const result = await auditLog(await backend.open(), { log, hmacKey: scenario.hmacKey }).verify();
    expect(result).toMatchObject({ ok: false, ...scenario.expected });
  });

  it("detects a cut-off tail and a recomputed chain only with an anchor", async () => {
    for (const [name, change, expected] of [
      ["cut", (records: AuditRecord[]) => records.slice(0, 5), { firstBadSeq: 6, reason: "deleted" }],
      [
        "rechained",
        (records: AuditRecord[]) => rechain(with3(records, (record) => ({ ...record, actor: "x" }))),
        { firstBadSeq: 6, reason: "edited" },
      ],
    ] as const) {
      const log = `audit-anchor-${name}`;
      const audit = auditLog(await backend.open(), { log });
      await writeSix(audit);
      const before = await audit.verify();
      if (!before.ok) throw new Error("expected an intact log");
      await backend.rewrite(log, change);
      const after = auditLog(await backend.open(), { log });
      // Without an anchor, a shorter or fully recomputed plain-SHA-256 chain looks intact.
      expect(await after.verify()).toMatchObject({ ok: true });
      expect(await after.verify({ anchor: { seq: 6, hash: before.lastHash! } })).toMatchObject({
        ok: false,
        ...expected,
      });
    }
  });
});

/** The attacks of issue 14's tampering target, on a log of six records, and who names what. */
const attacks: {
  name: string;
  change: (records: AuditRecord[]) => AuditRecord[];
  /** What verify names with an anchor per record (an earlier export) or with an HMAC key. */
  expected: { firstBadSeq: number; reason: string };
  /** What a single anchor on the last record names, when it differs. */
  lastAnchor?: { firstBadSeq: number; reason: string; suspectFrom?: number };
  /** An HMAC key alone cannot see a log cut short or wiped: a prefix of a chain is a chain. */
  hmacBlind?: true;
}[] = [
  {
    name: "edit",
    change: (records) =>
      with3(records, (record) => ({ ...record, event: { ...record.event, actor: "mallory" } })),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "recomputed-hash edit",
    change: (records) =>
      with3(records, (record) => rehash({ ...record, event: { ...record.event, actor: "mallory" } })),
    expected: { firstBadSeq: 3, reason: "edited" },
  },
  {
    name: "delete",
    change: (records) => records.filter((record) => record.seq !== 3),
    expected: { firstBadSeq: 3, reason: "deleted" },
  },
  {
    name: "insert",
    change: (records) => {
      const forged = rehash({
        ...records[2]!,
        prevHash: records[1]!.hash,
        event: { type: "approval", actor: "mallory", data: { approved: true } },
      });
      return [...records.slice(0, 2), forged, ...records.slice(2)];
    },
    expected: { firstBadSeq: 3, reason: "inserted" },
  },
  {
    name: "reorder",
    change: (records) => [records[0]!, records[1]!, records[3]!, records[2]!, ...records.slice(4)],
    expected: { firstBadSeq: 3, reason: "reordered" },
  },
  {
    name: "re-hash from a point",
    change: (records) =>
      rechain(with3(records, (record) => ({ ...record, event: { ...record.event, actor: "mallory" } }))),
    expected: { firstBadSeq: 3, reason: "edited" },
    lastAnchor: { firstBadSeq: 6, reason: "edited", suspectFrom: 1 },
  },
  {
    name: "truncate",
    change: (records) => records.slice(0, 4),
    expected: { firstBadSeq: 5, reason: "deleted" },
    hmacBlind: true,
  },
  {
    name: "wipe",
    change: () => [],
    expected: { firstBadSeq: 1, reason: "deleted" },
    hmacBlind: true,
  },
];

const protections = ["last-record anchor", "anchor per record (earlier export)", "HMAC key"] as const;

describe.each(backends)("tampering matrix on $name", (backend) => {
  it.each(attacks.flatMap((attack) => protections.map((protection) => ({ attack, protection }))))(
    "$attack.name with $protection: detected, first bad record named",
    async ({ attack, protection }) => {
      const log = `matrix-${attack.name}-${protection}`.replace(/[^a-z0-9-]+/gi, "-");
      const hmacKey = protection === "HMAC key" ? "kept-outside-the-store" : undefined;
      const audit = auditLog(await backend.open(), { log, hmacKey });
      await writeSix(audit);
      const before = await audit.verify();
      if (!before.ok) throw new Error("expected an intact log");
      const evidence = join(directory, log);
      await audit.export(evidence);
      const anchor =
        protection === "last-record anchor"
          ? parseAuditAnchors(`${before.count}:${before.lastHash}`)
          : protection === "HMAC key"
            ? undefined
            : parseAuditAnchors(readFileSync(join(evidence, "audit.jsonl"), "utf8"));
      await backend.rewrite(log, attack.change);
      const result = await auditLog(await backend.open(), { log, hmacKey }).verify(anchor ? { anchor } : {});
      if (protection === "HMAC key" && attack.hmacBlind) {
        expect(result).toMatchObject({ ok: true });
        return;
      }
      const expected =
        protection === "last-record anchor" ? (attack.lastAnchor ?? attack.expected) : attack.expected;
      expect(result).toMatchObject({ ok: false, ...expected });
      if (protection !== "last-record anchor") expect(result).not.toHaveProperty("suspectFrom");
    },
  );
});

describe.each(backends.filter((backend) => backend.name !== "memory"))(
  "corrupt records on $name",
  (backend) => {
    it("verify names the corrupt record; query throws a typed error naming it; export writes the rest", async () => {
      const log = "audit-corrupt";
      const audit = auditLog(await backend.open(), { log });
      await writeSix(audit);
      await corrupt(backend.name, log, 3);
      const reopened = auditLog(await backend.open(), { log });
      if (backend.name === "jsonl") {
        // A JSON Lines file replays whole: a corrupt line is named by file and line before any record is read.
        const error = await reopened.verify().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CorruptRecordError);
        expect(error).toMatchObject({ code: "CORRUPT_RECORD", file: jsonlPath });
        expect((error as Error).message).toMatch(/line \d+ of .*Restore the file from a backup/);
        const lines = readFileSync(jsonlPath, "utf8").split("\n");
        writeFileSync(jsonlPath, lines.filter((line) => line !== "not json {").join("\n"));
        return;
      }
      expect(await reopened.verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: "corrupt" });
      const error = await (async () => {
        for await (const _ of reopened.query());
      })().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorruptRecordError);
      expect(error).toMatchObject({ code: "CORRUPT_RECORD", seq: 3, log });
      expect((error as Error).message).toContain("record 3");
      const evidence = join(directory, `corrupt-${backend.name}`);
      const exported = await reopened.export(evidence);
      expect(exported).toMatchObject({ records: 5, unreadable: [{ seq: 3 }] });
      expect(readFileSync(join(evidence, "audit.jsonl"), "utf8").trim().split("\n")).toHaveLength(5);
      expect(readFileSync(join(evidence, "unreadable.md"), "utf8")).toContain("| 3 |");
      expect(readFileSync(join(evidence, "index.md"), "utf8")).toContain("1 record(s) could not be read");
      // An append needs the last record's hash: a corrupt last record is named, not a SyntaxError.
      await corrupt(backend.name, log, 6);
      const appended = await reopened
        .append({ type: "gate", actor: "cloudsteward/test", data: {} })
        .catch((caught: unknown) => caught);
      expect(appended).toBeInstanceOf(CorruptRecordError);
      expect(appended).toMatchObject({ seq: 6, log });
    });
  },
);

describe("read-only verification", () => {
  it("verifies a SQLite file opened read-only without changing it, and refuses writes", async () => {
    const path = join(directory, "read-only.db");
    const writer = sqliteStore({ path });
    await writeSix(auditLog(writer));
    await writer.close();
    const before = readFileSync(path);
    const reader = sqliteStore({ path, readOnly: true });
    const audit = auditLog(reader);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 6 });
    await expect(audit.append({ type: "gate", actor: "x", data: {} })).rejects.toThrow();
    await reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    await expect(
      sqliteStore({ path: join(directory, "absent.db"), readOnly: true }).get("a", "b"),
    ).rejects.toThrow(/does not exist/);
  });

  it("verifies a JSONL file opened read-only, torn last line included, without changing it", async () => {
    const path = join(directory, "read-only.jsonl");
    const writer = jsonlStore({ path });
    await writeSix(auditLog(writer));
    await writer.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}{"op":"append","log":"audit","seq":7,"va`);
    const before = readFileSync(path, "utf8");
    const reader = jsonlStore({ path, readOnly: true });
    expect(await auditLog(reader).verify()).toMatchObject({ ok: true, count: 6 });
    await reader.close();
    expect(readFileSync(path, "utf8")).toBe(before);
  });
});

describe("audit log with several writers", () => {
  it("two PostgreSQL pools appending at once form one chain", async () => {
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: server.connectionString, max: 4 }));
    const audits = pools.map((pool) => auditLog(track(postgresStore({ pool, schema: "workers" }))));
    await Promise.all(
      audits.flatMap((audit, worker) =>
        Array.from({ length: 60 }, (_, n) =>
          audit.append({ type: "gate", actor: `worker-${worker}`, data: { n } }),
        ),
      ),
    );
    const result = await audits[0]!.verify();
    expect(result).toMatchObject({ ok: true, count: 120 });
    const actors = new Set<string>();
    for await (const record of audits[1]!.query()) actors.add(record.event.actor);
    expect(actors).toEqual(new Set(["worker-0", "worker-1"]));
    for (const store of opened.splice(-2)) await store.close();
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it("three processes appending to one SQLite file form one chain", async () => {
    const path = join(directory, "processes.db");
    const script = join(directory, "writer.mts");
    const auditModule = fileURLToPath(new URL("../../src/audit/index.ts", import.meta.url));
    const storesModule = fileURLToPath(new URL("../../src/stores/index.ts", import.meta.url));
    writeFileSync(
      script,
      `import { auditLog } from ${JSON.stringify(auditModule)};
import { sqliteStore } from ${JSON.stringify(storesModule)};
const store = sqliteStore({ path: process.argv[2] });
const audit = auditLog(store);
for (let n = 0; n < 40; n++) {
  if (n % 10 === 0) await audit.appendMany([1, 2, 3].map((k) => ({ type: "gate", actor: "w" + process.argv[3], data: { n, k } })));
  else await audit.append({ type: "gate", actor: "w" + process.argv[3], data: { n } });
}
await store.close();
`,
    );
    const run = promisify(execFile);
    await Promise.all(
      [1, 2, 3].map((worker) => run(process.execPath, ["--import", "tsx", script, path, String(worker)])),
    );
    const store = track(sqliteStore({ path }));
    expect(await auditLog(store).verify()).toMatchObject({ ok: true, count: 3 * (40 + 4 * 2) });
  }, 120_000); // three Node processes start tsx: slow on a busy machine
});

/** Breaks record `seq` of `log` in the backend's storage so that it is no longer JSON. */
async function corrupt(backend: string, log: string, seq: number): Promise<void> {
  if (backend === "sqlite") {
    const db = new Database(sqlitePath);
    db.prepare("UPDATE cloudsteward_log SET value = 'not json {' WHERE log = ? AND seq = ?").run(log, seq);
    db.close();
  } else if (backend === "postgres") {
    const client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    await client.query(
      "UPDATE tamper.cloudsteward_log SET value = 'not json {' WHERE log = $1 AND seq = $2",
      [log, seq],
    );
    await client.end();
  } else {
    await jsonl?.close();
    const lines = readFileSync(jsonlPath, "utf8").split("\n");
    let found = 0;
    const index = lines.findIndex((line) => line.includes(`"log":"${log}"`) && ++found === seq);
    lines[index] = "not json {";
    writeFileSync(jsonlPath, lines.join("\n"));
  }
}

function track(store: Store): Store {
  opened.push(store);
  return store;
}

async function writeSix(audit: ReturnType<typeof auditLog>): Promise<void> {
  for (const [index, type] of [
    "ingestion",
    "ai-output",
    "decision",
    "approval",
    "delivery",
    "gate",
  ].entries()) {
    await audit.append({ type, actor: "cloudsteward/test", caseId: "case-1", data: { step: index + 1 } });
  }
}

function with3(records: AuditRecord[], change: (record: AuditRecord) => AuditRecord): AuditRecord[] {
  return records.map((record) => (record.seq === 3 ? change(record) : record));
}

/** What an attacker without the HMAC key can compute: a plain SHA-256 hash. */
function rehash(record: AuditRecord): AuditRecord {
  const { hash: _, ...body } = record;
  return { ...body, hash: createHash("sha256").update(canonicalJson(body)).digest("hex") };
}

/** Re-hashes records 3 onwards so that each links to the one before: a consistent forged chain. */
function rechain(records: AuditRecord[]): AuditRecord[] {
  const result = records.slice(0, 2);
  for (const record of records.slice(2)) result.push(rehash({ ...record, prevHash: result.at(-1)!.hash }));
  return result;
}

function tamperableMemoryStore() {
  const inner = memoryStore();
  const overrides = new Map<string, AuditRecord[]>();
  const store: Store = {
    ...inner,
    append: (log, build) => inner.append(log, build),
    async *read<T>(log: string, options?: { fromSeq?: number }) {
      const override = overrides.get(log);
      if (!override) return yield* inner.read<T>(log, options);
      for (const [index, value] of override.entries()) yield { seq: index + 1, value } as LogEntry<T>;
    },
  };
  return {
    store,
    async rewrite(log: string, change: (records: AuditRecord[]) => AuditRecord[]) {
      const records: AuditRecord[] = [];
      for await (const entry of store.read<AuditRecord>(log)) records.push(structuredClone(entry.value));
      overrides.set(log, change(records));
    },
  };
}
