import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AuditEvent,
  type AuditRecord,
  auditLog,
  canonicalJson,
  GENESIS_HASH,
} from "../../src/audit/index.js";
import { appendAll } from "../../src/core/audit.js";
import { isCloudstewardError } from "../../src/core/errors.js";
import { memoryStore } from "../../src/core/memory-store.js";
import { redact } from "../../src/core/redact.js";

const directory = mkdtempSync(join(tmpdir(), "cloudsteward-audit-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function clock(start = Date.parse("2026-03-01T10:00:00.000Z")) {
  let tick = 0;
  return () => new Date(start + 60_000 * tick++);
}

const caseEvents: AuditEvent[] = [
  {
    type: "ingestion",
    actor: "cloudsteward/wiz",
    caseId: "case-1",
    findingIds: ["wiz:1", "wiz:2"],
    data: { platform: "wiz" },
  },
  {
    type: "ai-output",
    actor: "cloudsteward/explain",
    caseId: "case-1",
    data: {
      model: "gpt-4.1-mini",
      promptVersion: "explain@3",
      inputDigest: "sha256:ab12",
      outputDigest: "sha256:cd34",
      tokens: { input: 812, output: 233 },
    },
  },
  {
    type: "decision",
    actor: "cloudsteward/decide",
    caseId: "case-1",
    data: { action: "ticket", rationale: "public bucket | prod" },
  },
  {
    type: "approval",
    actor: "alice@example.com",
    caseId: "case-1",
    at: "2026-03-01T12:00:00.000Z",
    data: { approved: true },
  },
  { type: "delivery", actor: "cloudsteward/jira", caseId: "case-1", data: { sink: "jira", ref: "SEC-12" } },
  { type: "ingestion", actor: "cloudsteward/orca", caseId: "case/2 <x>", findingIds: ["orca:9"], data: {} },
];

describe("auditLog", () => {
  it("chains records: seq from 1, prevHash links, hash = SHA-256 of canonical { seq, at, prevHash, event }", async () => {
    const audit = auditLog(memoryStore(), { now: clock() });
    const first = await audit.append(caseEvents[0]!);
    const second = await audit.append(caseEvents[1]!);
    expect(first).toMatchObject({
      seq: 1,
      at: "2026-03-01T10:00:00.000Z",
      prevHash: GENESIS_HASH,
      event: caseEvents[0],
    });
    expect(second.prevHash).toBe(first.hash);
    const { hash, ...body } = second;
    expect(hash).toBe(createHash("sha256").update(canonicalJson(body)).digest("hex"));
    expect(await audit.verify()).toEqual({ ok: true, count: 2, lastHash: second.hash });
  });

  it("verifies an empty log", async () => {
    expect(await auditLog(memoryStore()).verify()).toEqual({ ok: true, count: 0 });
  });

  it("keeps one chain under concurrent appends and appendMany keeps the given order", async () => {
    const audit = auditLog(memoryStore());
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => audit.append({ type: "gate", actor: `w${n}`, data: { n } })),
    );
    const many = await audit.appendMany(caseEvents);
    expect(many.map((record) => record.seq)).toEqual([31, 32, 33, 34, 35, 36]);
    expect(many.map((record) => record.event.type)).toEqual(caseEvents.map((event) => event.type));
    expect(await audit.verify()).toMatchObject({ ok: true, count: 36 });
  });

  it("masks secrets in event data before hashing and storing", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const record = await audit.append({
      type: "delivery",
      actor: "cloudsteward/webhook",
      data: { url: "https://bot:hunter2@hooks.example.com/x", apiKey: "sk-live-abcdef", status: 201 },
    });
    const stored = JSON.stringify(await collect(store.read("audit")));
    expect(stored).not.toContain("hunter2");
    expect(stored).not.toContain("sk-live-abcdef");
    expect(record.event.data.status).toBe(201);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it("masks a case's finding ids each time they are recorded, as redact does, however often the list repeats", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    const secret = "AKIAIOSFODNN7EXAMPLE";
    const clean = ["wiz:bd26e12c-c4da-4877-a807-871cc6033936", "wiz:2", "orca:9"];
    const withSecret = [...clean.slice(0, 2), `wiz:token=${secret}`];
    const lists = [clean, [...clean], withSecret, clean.slice(0, 2), [...withSecret], clean];
    // Built afresh each time, as stages rebuild a case's ids (equal strings, not the same objects).
    const copies = lists.map((ids) => ids.map((id) => ` ${id}`.slice(1)));
    for (const [index, ids] of copies.entries())
      await audit.append({
        type: "decision",
        actor: "cloudsteward/decide",
        caseId: `case-${index}`,
        findingIds: ids,
        data: {},
      });
    const stored = (await collect(store.read<AuditRecord>("audit"))).map(
      (entry) => entry.value.event.findingIds,
    );
    expect(stored).toEqual(lists.map((ids) => redact({ findingIds: ids }).findingIds));
    expect(stored[2]![2]).toBe("wiz:token=[REDACTED:aws_access_key_id]");
    expect(JSON.stringify(stored)).not.toContain(secret);
    // A list changed after it was recorded is masked as changed, not as remembered.
    const mutable = [...clean];
    await audit.append({ type: "gate", actor: "cloudsteward/gate", findingIds: mutable, data: {} });
    mutable[1] = `wiz:password=${secret}`;
    const again = await audit.append({
      type: "gate",
      actor: "cloudsteward/gate",
      findingIds: mutable,
      data: {},
    });
    expect(again.event.findingIds).toEqual(redact({ findingIds: mutable }).findingIds);
    expect(JSON.stringify(again)).not.toContain(secret);
    expect(await audit.verify()).toMatchObject({ ok: true, count: lists.length + 2 });
  });

  it("can keep data as given when redaction is turned off", async () => {
    const audit = auditLog(memoryStore(), { redact: false });
    const record = await audit.append({ type: "gate", actor: "a", data: { password: "kept-on-purpose" } });
    expect(record.event.data.password).toBe("kept-on-purpose");
  });

  it("rejects an invalid event with a ConfigurationError naming the field", async () => {
    const audit = auditLog(memoryStore());
    const error = await audit
      .append({ type: "decision", actor: "", data: {} } as AuditEvent)
      .catch((caught: unknown) => caught);
    expect(isCloudstewardError(error, "CONFIGURATION")).toBe(true);
    expect((error as Error).message).toContain("actor");
    await expect(
      audit.appendMany([caseEvents[0]!, { type: "gate", actor: "a", at: "not a date", data: {} }]),
    ).rejects.toThrow(/at:/);
    expect(await audit.verify()).toEqual({ ok: true, count: 0 });
  });

  it("rejects finding ids that are not strings, and keeps the ids as they were when appended", async () => {
    for (const findingIds of [["wiz:1", 2], "wiz:1", Array.from({ length: 2, 1: "wiz:2" })]) {
      const audit = auditLog(memoryStore());
      const event = { type: "gate", actor: "a", findingIds, data: {} } as unknown as AuditEvent;
      await expect(audit.append(event)).rejects.toThrow(/findingIds/);
      expect(await audit.verify()).toEqual({ ok: true, count: 0 });
    }
    for (const redactOption of [true, false]) {
      const audit = auditLog(memoryStore(), { redact: redactOption });
      const findingIds = ["wiz:1", "wiz:2"];
      const written = audit.append({
        type: "gate",
        actor: "a",
        findingIds,
        data: {},
        extra: 1,
      } as AuditEvent);
      findingIds.push("wiz:added-after-append");
      const record = await written;
      expect(record.event.findingIds).toEqual(["wiz:1", "wiz:2"]);
      expect(record.event).not.toHaveProperty("extra");
      expect((await collect(audit.query()))[0]!.event.findingIds).toEqual(["wiz:1", "wiz:2"]);
    }
  });

  it("writes through appendAll the records appendMany writes, without returning them", async () => {
    const many = auditLog(memoryStore(), { now: clock() });
    const all = auditLog(memoryStore(), { now: clock() });
    await many.appendMany(caseEvents);
    expect(await appendAll(all, caseEvents)).toBeUndefined();
    expect(await collect(all.query())).toStrictEqual(await collect(many.query()));
    expect(await all.verify()).toEqual(await many.verify());
    await expect(appendAll(all, [caseEvents[0]!, { type: "gate", actor: "", data: {} }])).rejects.toThrow(
      /actor/,
    );
    expect((await all.verify()).count).toBe(caseEvents.length);
  });

  it("queries by type, case, finding, actor and time", async () => {
    const audit = auditLog(memoryStore(), { now: clock() });
    await audit.appendMany(caseEvents);
    const seqs = async (filter: Parameters<typeof audit.query>[0]) =>
      (await collect(audit.query(filter))).map((record) => record.seq);
    expect(await seqs({})).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await seqs({ type: "ingestion" })).toEqual([1, 6]);
    expect(await seqs({ type: ["decision", "approval"] })).toEqual([3, 4]);
    expect(await seqs({ caseId: "case-1", findingId: "wiz:2" })).toEqual([1]);
    expect(await seqs({ actor: "alice@example.com" })).toEqual([4]);
    // Record times run 10:00, 10:01…; the approval happened at 12:00.
    expect(
      await seqs({ since: "2026-03-01T10:02:00.000Z", until: new Date("2026-03-01T11:00:00.000Z") }),
    ).toEqual([3, 5, 6]);
    expect(await seqs({ since: "2026-03-01T11:59:00.000Z" })).toEqual([4]);
    await expect(collect(audit.query({ since: "yesterday" }))).rejects.toThrow(/since/);
  });

  it("verifies with an HMAC key and fails with another key", async () => {
    const store = memoryStore();
    const audit = auditLog(store, { hmacKey: "audit-key-1" });
    const record = await audit.append(caseEvents[0]!);
    const { hash, ...body } = record;
    expect(hash).not.toBe(createHash("sha256").update(canonicalJson(body)).digest("hex"));
    expect(await audit.verify()).toMatchObject({ ok: true, count: 1 });
    expect(await auditLog(store, { hmacKey: () => "other-key" }).verify()).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      reason: "edited",
    });
  });

  it("keeps separate logs in one store", async () => {
    const store = memoryStore();
    await auditLog(store, { log: "a" }).append(caseEvents[0]!);
    expect(await auditLog(store, { log: "b" }).verify()).toEqual({ ok: true, count: 0 });
  });

  it("exports audit.jsonl, an index and one timeline per case", async () => {
    const audit = auditLog(memoryStore(), { now: clock() });
    await audit.appendMany([...caseEvents, { type: "gate", actor: "system", data: { note: "no case" } }]);
    const out = join(directory, "bundle");
    const result = await audit.export(out);
    expect(result).toMatchObject({ records: 7, cases: 2, verification: { ok: true, count: 7 } });
    expect(result.files.slice(0, 2)).toEqual([join(out, "audit.jsonl"), join(out, "index.md")]);
    const lines = readFileSync(join(out, "audit.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[3]!)).toMatchObject({
      seq: 4,
      event: { type: "approval", actor: "alice@example.com" },
    });
    expect(lines[0]).toBe(canonicalJson(JSON.parse(lines[0]!)));

    const index = readFileSync(join(out, "index.md"), "utf8");
    expect(index).toContain("Verified: 7 records, hash chain intact");
    expect(index).toContain("(cases/case-1.md)");
    const timeline = readFileSync(join(out, "cases", "case-1.md"), "utf8");
    const steps = ["Detection", "Explanation (AI output)", "Decision", "Approval", "Delivery"];
    expect(steps.map((step) => timeline.indexOf(`| ${step} |`))).toEqual(
      [...steps.map((step) => timeline.indexOf(`| ${step} |`))].sort((a, b) => a - b),
    );
    expect(steps.every((step) => timeline.includes(`| ${step} |`))).toBe(true);
    expect(timeline).toContain("`wiz:1`, `wiz:2`");
    expect(timeline).toContain("- **Approval**: 2026-03-01T12:00:00.000Z by alice@example.com (record 4)");
    expect(timeline).toContain("- **Detection**: 2026-03-01T10:00:00.000Z by cloudsteward/wiz (record 1)");
    expect(timeline).toContain("promptVersion: explain@3");
    expect(timeline).toContain("public bucket \\| prod");
    const other = result.files.find((file) => file.includes("case_2"));
    expect(other).toBeDefined();
    const otherTimeline = readFileSync(other!, "utf8");
    expect(otherTimeline).toContain("# Case case/2 &lt;x&gt;");
    expect(otherTimeline).toContain("- **Delivery**: not recorded");
  });

  it("says in the exported index when verification fails", async () => {
    const store = memoryStore();
    const audit = auditLog(store);
    await audit.appendMany(caseEvents.slice(0, 2));
    const forged = auditLog(store, { hmacKey: "not-the-original" });
    const result = await forged.export(join(directory, "failed"));
    expect(result.verification).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(readFileSync(join(directory, "failed", "index.md"), "utf8")).toContain(
      "**Verification FAILED** at record 1 (edited)",
    );
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
