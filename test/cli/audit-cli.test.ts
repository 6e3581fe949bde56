import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type AuditRecord, auditLog, canonicalJson } from "../../src/audit/index.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { runCli } from "./helpers.js";

// `audit verify` and `audit export` on a store built here; no source is called.
const root = mkdtempSync(join(tmpdir(), "cloudsteward-audit-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const policy = `rules: []
principals:
  - id: cloudsteward-bot
    scopes: [execute:ticket]
`;

let count = 0;
async function project(options: { hmacKey?: string; config?: string } = {}) {
  const dir = join(root, `project-${++count}`);
  const db = join(dir, "state.db");
  const store = sqliteStore({ path: db });
  const audit = auditLog(store, options.hmacKey ? { hmacKey: options.hmacKey } : {});
  for (const step of [1, 2, 3, 4, 5, 6]) {
    await audit.append({ type: "decision", actor: "cloudsteward/test", caseId: "case-1", data: { step } });
  }
  await store.close();
  writeFileSync(join(dir, "policy.yaml"), policy);
  writeFileSync(
    join(dir, "cloudsteward.yaml"),
    `policy: ./policy.yaml
store: { sqlite: ./state.db }
sources:
  wiz: { apiUrl: "https://api.us20.app.wiz.io/graphql" }
${options.config ?? ""}`,
  );
  return { dir, db };
}

function rewrite(db: string, change: (records: AuditRecord[]) => AuditRecord[]): void {
  const database = new Database(db);
  const rows = database
    .prepare("SELECT value FROM cloudsteward_log WHERE log = 'audit' ORDER BY seq")
    .all() as { value: string }[];
  const records = change(rows.map((row) => JSON.parse(row.value)));
  database.prepare("DELETE FROM cloudsteward_log WHERE log = 'audit'").run();
  const insert = database.prepare("INSERT INTO cloudsteward_log (log, seq, value) VALUES ('audit', ?, ?)");
  for (const [index, record] of records.entries()) insert.run(index + 1, JSON.stringify(record));
  database.close();
}

/** Records 3 onwards re-hashed with plain SHA-256 after editing record 3: a consistent forged chain. */
function rechainFrom3(records: AuditRecord[]): AuditRecord[] {
  const result = records.slice(0, 2);
  for (const record of records.slice(2)) {
    const { hash: _, ...body } = {
      ...record,
      prevHash: result.at(-1)!.hash,
      event: record.seq === 3 ? { ...record.event, actor: "mallory" } : record.event,
    };
    result.push({ ...body, hash: createHash("sha256").update(canonicalJson(body)).digest("hex") });
  }
  return result;
}

describe("cloudsteward audit", () => {
  it("verify prints an anchor; a recomputed chain passes alone and fails with the anchor, named exactly with an export", async () => {
    const { dir, db } = await project();
    const first = await runCli(["audit", "verify", "--json"], { cwd: dir });
    expect(first.code).toBe(0);
    const intact = JSON.parse(first.stdout);
    expect(intact).toMatchObject({ ok: true, count: 6, anchor: `6:${intact.lastHash}` });
    writeFileSync(join(dir, "anchor.json"), first.stdout);
    expect((await runCli(["audit", "export", "evidence"], { cwd: dir })).code).toBe(0);
    const before = readFileSync(db);

    rewrite(db, rechainFrom3);
    // Plain SHA-256: anyone who can write the store can recompute a consistent chain.
    expect((await runCli(["audit", "verify"], { cwd: dir })).code).toBe(0);
    const anchored = await runCli(["audit", "verify", "--anchor", "anchor.json"], { cwd: dir });
    expect(anchored.code).toBe(3);
    expect(anchored.stdout).toContain("FAILED at record 6 (the change is somewhere in records 1–6)");
    const exact = await runCli(["audit", "verify", "--json", "--anchor", "evidence/audit.jsonl"], {
      cwd: dir,
    });
    expect(exact.code).toBe(3);
    expect(JSON.parse(exact.stdout)).toMatchObject({ ok: false, firstBadSeq: 3, reason: "edited" });
    expect(JSON.parse(exact.stdout)).not.toHaveProperty("suspectFrom");
    // verify opens the store read-only: the database file is not touched.
    const after = readFileSync(db);
    await runCli(["audit", "verify"], { cwd: dir });
    expect(readFileSync(db).equals(after)).toBe(true);
    expect(after.equals(before)).toBe(false);
  });

  it("a cut-off tail and a wiped log fail with an anchor given as seq:hash", async () => {
    const { dir, db } = await project();
    const intact = JSON.parse((await runCli(["audit", "verify", "--json"], { cwd: dir })).stdout);
    rewrite(db, (records) => records.slice(0, 4));
    expect((await runCli(["audit", "verify"], { cwd: dir })).code).toBe(0);
    const cut = await runCli(["audit", "verify", "--json", "--anchor", intact.anchor], { cwd: dir });
    expect(cut.code).toBe(3);
    expect(JSON.parse(cut.stdout)).toMatchObject({ firstBadSeq: 5, reason: "deleted" });
    rewrite(db, () => []);
    const wiped = await runCli(["audit", "verify", "--json", "--anchor", intact.anchor], { cwd: dir });
    expect(wiped.code).toBe(3);
    expect(JSON.parse(wiped.stdout)).toMatchObject({ firstBadSeq: 1, reason: "deleted" });
  });

  it("with CLOUDSTEWARD_AUDIT_KEY, a chain recomputed without the key fails at the edited record", async () => {
    const key = "kept-outside-the-store";
    const { dir, db } = await project({ hmacKey: key });
    const env = { CLOUDSTEWARD_AUDIT_KEY: key };
    expect((await runCli(["audit", "verify"], { cwd: dir, env })).code).toBe(0);
    rewrite(db, rechainFrom3);
    const result = await runCli(["audit", "verify", "--json"], { cwd: dir, env });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, firstBadSeq: 3, reason: "edited" });
    // A log written without the key fails at record 1 under it, and the CLI says why.
    const plain = await project();
    const mixed = await runCli(["audit", "verify"], { cwd: plain.dir, env });
    expect(mixed.code).toBe(3);
    expect(mixed.stdout).toContain("written without the HMAC key");
  });

  it("audit.hmacKeyEnv names the variable; unset, it is a configuration error naming it", async () => {
    const { dir } = await project({ hmacKey: "k", config: "audit: { hmacKeyEnv: MY_AUDIT_KEY }\n" });
    expect((await runCli(["audit", "verify"], { cwd: dir, env: { MY_AUDIT_KEY: "k" } })).code).toBe(0);
    const missing = await runCli(["audit", "verify"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("MY_AUDIT_KEY");
  });

  it("a corrupt row fails verify with exit 3 naming its seq; export writes every readable record and a report", async () => {
    const { dir, db } = await project();
    const database = new Database(db);
    database
      .prepare("UPDATE cloudsteward_log SET value = '{\"seq\":4,' WHERE log = 'audit' AND seq = 4")
      .run();
    database.close();
    const verify = await runCli(["audit", "verify", "--json"], { cwd: dir });
    expect(verify.code).toBe(3);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: false, firstBadSeq: 4, reason: "corrupt" });
    const exported = await runCli(["audit", "export", "evidence"], { cwd: dir });
    expect(exported.code).toBe(3);
    expect(exported.stdout).toContain("1 record(s) could not be read (4)");
    expect(
      readFileSync(join(dir, "evidence", "audit.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(5);
    expect(existsSync(join(dir, "evidence", "unreadable.md"))).toBe(true);
  });

  it("a bad --anchor is a usage error", async () => {
    const { dir } = await project();
    expect((await runCli(["audit", "verify", "--anchor", "nope.txt"], { cwd: dir })).code).toBe(2);
    writeFileSync(join(dir, "empty.txt"), "hello");
    const result = await runCli(["audit", "verify", "--anchor", "empty.txt"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the anchor holds no hash");
  });
});

describe("cloudsteward.yaml syntax errors", () => {
  it("name file:line:column, like policy errors, with exit code 2", async () => {
    const { dir } = await project();
    writeFileSync(
      join(dir, "cloudsteward.yaml"),
      "policy: ./policy.yaml\nsources:\n  wiz: { apiUrl: x\nmode: [\n",
    );
    const result = await runCli(["audit", "verify"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cloudsteward\.yaml:\d+:\d+: YAML syntax: /);
  });
});
