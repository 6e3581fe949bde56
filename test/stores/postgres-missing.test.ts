import { describe, expect, it, vi } from "vitest";
import { isCloudstewardError } from "../../src/core/errors.js";
import { postgresStore } from "../../src/stores/postgres.js";

vi.mock("pg", () => {
  throw new Error("Cannot find package 'pg'");
});

describe("postgresStore without pg", () => {
  it("fails its first call with a ConfigurationError saying what to install, and never shows the password", async () => {
    const store = postgresStore({ connectionString: "postgres://app:s3cret-pw@127.0.0.1:5432/app" });
    const error = await store.get("ns", "key").catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("npm install pg");
    expect((error as Error).message).not.toContain("s3cret-pw");
    await store.close();
  });
});
