import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { postgresStore } from "../../../src/sinks/audit/stores/postgres.js";
import { testStore } from "../../../src/testing/store-suite.js";
import { startPostgres, type TestPostgres } from "../../helpers/postgres.js";

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

  it("rejects calls after close()", async () => {
    const store = postgresStore({ connectionString: server.connectionString });
    await store.close();
    await expect(store.get("ns", "key")).rejects.toThrow(/closed/);
  });
});
