import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Briefing } from "../../src/agents/briefing/briefing.js";
import type { EvidenceVerification } from "../../src/agents/compliance/evidence.js";
import { type EvidencePack, verifyEvidencePack } from "../../src/agents/compliance/evidence.js";
import { auditLog } from "../../src/audit/audit-log.js";
import type { FrameworkStatus } from "../../src/cli/commands/compliance.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { runCli } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-compliance-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cloudsteward evidence, brief and compliance on the sandbox", () => {
  it("one command writes a SOC 2 pack that verifies against the audit chain, and the weekly brief", async () => {
    const result = await runCli(
      ["evidence", "--sandbox", "--framework", "soc2", "--brief", "--out", "report", "--json"],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(result.stdout) as {
      files: string[];
      verification: EvidenceVerification;
      anchor: { seq: number; hash: string };
    };
    const out = join(dir, "report");
    expect(written.files.map((file) => file.slice(out.length + 1)).sort()).toEqual([
      "brief.html",
      "brief.json",
      "brief.md",
      "oscal-assessment-results.json",
      "pack.csv",
      "pack.html",
      "pack.json",
      "pack.md",
    ]);
    expect(written.verification).toMatchObject({ ok: true, failures: [] });

    // A reviewer verifies the pack later, against the log kept beside it: every evidence item.
    const pack = JSON.parse(await readFile(join(out, "pack.json"), "utf8")) as EvidencePack;
    const items = pack.requirements.reduce((sum, requirement) => sum + requirement.evidence.length, 0);
    expect(items).toBeGreaterThan(0);
    expect(pack.anchor).toEqual(written.anchor);
    const store = sqliteStore({ path: join(out, "sandbox-state.db") });
    try {
      const verification = await verifyEvidencePack(pack, auditLog(store));
      expect(verification).toMatchObject({ ok: true, items, failures: [] });
      // A record altered in the pack no longer verifies.
      const tampered = structuredClone(pack);
      tampered.records[0]!.event.actor = "someone-else";
      expect((await verifyEvidencePack(tampered, auditLog(store))).ok).toBe(false);
    } finally {
      await store.close?.();
    }
    expect(pack.summary.fail).toBeGreaterThan(0);
    expect(pack.requirements.some((requirement) => requirement.history.length === 8)).toBe(true);

    const schema = JSON.parse(
      await readFile(
        new URL("../agents/compliance/__fixtures__/oscal_assessment-results_schema.json", import.meta.url),
        "utf8",
      ),
    );
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const oscal = JSON.parse(await readFile(join(out, "oscal-assessment-results.json"), "utf8"));
    expect(validate(oscal), ajv.errorsText(validate.errors)).toBe(true);

    const html = await readFile(join(out, "pack.html"), "utf8");
    expect(html).toContain("@media print");
    expect(html).not.toMatch(/<script|<link /);
    const brief = JSON.parse(await readFile(join(out, "brief.json"), "utf8")) as Briefing;
    expect(Date.parse(brief.period.to) - Date.parse(brief.period.from)).toBe(7 * 86_400_000);
    expect(brief.compliance.map((framework) => framework.framework)).toEqual(["soc2"]);
    expect(brief.compliance[0]!.scores).toHaveLength(2);
    expect(brief.exceptionsExpiring.length).toBeGreaterThan(0);
    const briefHtml = await readFile(join(out, "brief.html"), "utf8");
    expect(briefHtml).toContain(brief.narrative.slice(0, 40));
    expect(briefHtml).not.toMatch(/<script|<link /);

    // Written again, the pack is built from a fresh sandbox history, not appended to the first log.
    const again = await runCli(["evidence", "--sandbox", "--format", "json", "--out", "report", "--json"], {
      cwd: dir,
    });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { anchor: { seq: number } }).anchor.seq).toBe(written.anchor.seq);
  });

  it("compliance shows each requirement now, and as of an earlier snapshot", async () => {
    const now = await runCli(["compliance", "--sandbox", "--framework", "soc2", "--json"], { cwd: dir });
    expect(now.code, now.stderr).toBe(0);
    const [soc2] = JSON.parse(now.stdout) as FrameworkStatus[];
    expect(soc2).toMatchObject({ framework: "soc2", from: "findings" });
    expect(soc2!.requirements).toHaveLength(soc2!.pass + soc2!.fail + soc2!.notAssessed);
    expect(soc2!.requirements!.filter((requirement) => requirement.status === "fail")).toHaveLength(
      soc2!.fail,
    );

    const earlier = new Date(Date.parse(soc2!.at) - 20 * 86_400_000).toISOString();
    const asOf = await runCli(
      ["compliance", "--sandbox", "--framework", "soc2", "--as-of", earlier, "--json"],
      {
        cwd: dir,
      },
    );
    expect(asOf.code, asOf.stderr).toBe(0);
    const [past] = JSON.parse(asOf.stdout) as FrameworkStatus[];
    expect(past).toMatchObject({ framework: "soc2", from: "snapshot" });
    expect(past!.at <= earlier).toBe(true);
    expect(Date.parse(earlier) - Date.parse(past!.at)).toBeLessThan(7 * 86_400_000);

    const text = await runCli(["compliance", "--sandbox", "--framework", "soc2"], { cwd: dir });
    expect(text.stdout).toMatch(/soc2 +\d+% {2}\d+ pass, \d+ fail, \d+ not assessed/);
  });

  it("brief prints the month's brief, and evidence asks for --out", async () => {
    const month = await runCli(["brief", "--sandbox", "--period", "month", "--framework", "soc2"], {
      cwd: dir,
    });
    expect(month.code, month.stderr).toBe(0);
    expect(month.stdout).toMatch(/^# Security brief, /);
    expect(month.stdout).toMatch(/Score: .* → .* → .* → .*%/);

    const missing = await runCli(["evidence", "--sandbox"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--out");
  });
});
