import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteStore } from "../../../src/sinks/audit/stores/sqlite.js";
import { testStore } from "../../../src/testing/store-suite.js";

const directory = mkdtempSync(join(tmpdir(), "cloudsteward-sqlite-"));
const path = join(directory, "nested", "state.db");

testStore({
  name: "sqlite",
  create: () => sqliteStore({ path }),
  reopen: () => sqliteStore({ path }),
  sharedLocation: true,
  cleanup: () => rmSync(directory, { recursive: true, force: true }),
});
