import { createServer } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../src/audit/index.js";
import { isCloudstewardError } from "../../src/core/errors.js";
import { postgresStore } from "../../src/stores/postgres.js";
import { testStore } from "../../src/testing/vitest/store-suite.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server.stop());

testStore({
  name: "postgres",
  create: () => postgresStore({ connectionString: server.connectionString, schema: "conformance" }),
  reopen: () => postgresStore({ connectionString: server.connectionString, schema: "conformance" }),
  sharedLocation: true,
});

describe("postgresStore", () => {
  it("readOnly: an auditor's read-only role verifies the audit log without creating or deleting anything", async () => {
    const writer = postgresStore({ connectionString: server.connectionString, schema: "audited" });
    const audit = auditLog(writer);
    for (let n = 0; n < 3; n++) await audit.append({ type: "gate", actor: "bot", data: { n } });
    await writer.set("ns", "gone", { expired: true }, { ttlMs: 1 });
    await writer.close();
    const admin = new pg.Pool({ connectionString: server.connectionString, max: 1 });
    await admin.query("CREATE ROLE auditor LOGIN PASSWORD 'auditor'");
    await admin.query("GRANT USAGE ON SCHEMA audited TO auditor");
    await admin.query("GRANT SELECT ON ALL TABLES IN SCHEMA audited TO auditor");
    const url = new URL(server.connectionString);
    url.username = "auditor";
    url.password = "auditor";

    // Without readOnly, opening the store needs CREATE rights the auditor lacks.
    const writable = postgresStore({ connectionString: url.toString(), schema: "audited" });
    expect(
      await auditLog(writable)
        .verify()
        .catch((error: unknown) => error),
    ).toBeInstanceOf(Error);
    await writable.close();

    const reader = postgresStore({ connectionString: url.toString(), schema: "audited", readOnly: true });
    expect(await auditLog(reader).verify()).toMatchObject({ ok: true, count: 3 });
    expect(await reader.set("ns", "key", 1).catch((error: unknown) => error)).toBeInstanceOf(Error);
    await reader.close();
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM audited.cloudsteward_kv");
    expect(rows[0]?.n).toBe(1); // the expired row is still there: opening read-only deleted nothing
    await admin.end();
  });

  it("stores log values uncompressed in a log table it creates, and leaves an existing table's choice", async () => {
    const storage = async (admin: pg.Pool) =>
      (
        await admin.query(
          "SELECT attstorage FROM pg_attribute WHERE attrelid = 'plain.cloudsteward_log'::regclass AND attname = 'value'",
        )
      ).rows[0]?.attstorage;
    const open = () => postgresStore({ connectionString: server.connectionString, schema: "plain" });
    const first = open();
    await first.append("audit", () => ({ ids: Array.from({ length: 200 }, (_, n) => `wiz:${n}`) }));
    await first.close();
    const admin = new pg.Pool({ connectionString: server.connectionString, max: 1 });
    expect(await storage(admin)).toBe("e");
    // The owner turns compression back on: opening the store again keeps that.
    await admin.query("ALTER TABLE plain.cloudsteward_log ALTER COLUMN value SET STORAGE EXTENDED");
    const again = open();
    expect((await again.append("audit", () => ({ n: 2 }))).seq).toBe(2);
    await again.close();
    expect(await storage(admin)).toBe("x");
    await admin.end();
  });

  it("writes appends made in the same tick to several logs in one statement, text kept byte for byte", async () => {
    const store = postgresStore({ connectionString: server.connectionString, schema: "batched" });
    const texts = ['quote " and \\ backslash', '{"json": [1, 2]}', "日本語 🔐 \u2028 \t\n", "", "$1 $2"];
    const appended = await Promise.all(
      texts.flatMap((text, index) => [
        store.append("one", () => ({ text, index })),
        store.append("two", () => ({ text, index })),
      ]),
    );
    expect(appended.map((entry) => entry.seq)).toEqual(texts.flatMap((_, index) => [index + 1, index + 1]));
    for (const log of ["one", "two"]) {
      const read: unknown[] = [];
      for await (const entry of store.read(log)) read.push(entry.value);
      expect(read).toEqual(texts.map((text, index) => ({ text, index })));
    }
    await store.close();
  });

  it("uses a caller's pool and leaves it open on close()", async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    const store = postgresStore({ pool, schema: "own pool" });
    await store.set("ns", "key", { ok: true });
    await store.close();
    const { rows } = await pool.query('SELECT value FROM "own pool".cloudsteward_kv WHERE key = $1', ["key"]);
    expect(rows).toEqual([{ value: '{"ok":true}' }]);
    await pool.end();
  });

  it("fails its first call with a ConfigurationError naming the option and DATABASE_URL", async () => {
    const previous = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const error = await postgresStore()
        .get("ns", "key")
        .catch((caught: unknown) => caught);
      expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
      expect((error as Error).message).toMatch(/connectionString.*DATABASE_URL/);
    } finally {
      if (previous !== undefined) process.env.DATABASE_URL = previous;
    }
  });

  it("turns a refused connection into a retryable ConnectionError without the password", async () => {
    const url = new URL(server.connectionString);
    url.port = String(await closedPort());
    const store = postgresStore({ connectionString: url.toString() });
    const error = await store.get("ns", "key").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONNECTION")).toBe(true);
    expect((error as { isRetryable: boolean }).isRetryable).toBe(true);
    expect((error as Error).message).not.toContain(url.password);
    await store.close();
  });

  it("turns a refused statement into an UPSTREAM error carrying the SQLSTATE", async () => {
    const admin = new pg.Client({ connectionString: server.connectionString });
    await admin.connect();
    await admin.query("CREATE ROLE limited LOGIN PASSWORD 'limited-pw'");
    await admin.end();
    const url = new URL(server.connectionString);
    url.username = "limited";
    url.password = "limited-pw";
    const store = postgresStore({ connectionString: url.toString(), schema: "forbidden" });
    const error = await store.get("ns", "key").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "UPSTREAM")).toBe(true);
    expect((error as Error).message).toContain("SQLSTATE 42501");
    await store.close();
  });

  it("rejects calls after close()", async () => {
    const store = postgresStore({ connectionString: server.connectionString });
    await store.close();
    await expect(store.get("ns", "key")).rejects.toThrow(/closed/);
  });
});

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}
