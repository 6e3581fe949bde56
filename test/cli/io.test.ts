import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import type { GovernanceRun } from "../../src/agents/governance/governance.js";
import { parseSince } from "../../src/cli/commands/run.js";
import { createOutput } from "../../src/cli/io.js";
import { progressLine, trackProgress } from "../../src/cli/progress.js";
import { CliUsageError } from "../../src/cli/usage.js";

function fakeIo(options: { tty: boolean; env?: Record<string, string> }) {
  const written = { stdout: "", stderr: "" };
  return {
    written,
    io: {
      stdout: { write: (text: string) => (written.stdout += text), isTTY: options.tty },
      stderr: { write: (text: string) => (written.stderr += text), isTTY: options.tty },
      env: options.env ?? {},
      cwd: "/",
    },
  };
}

describe("createOutput", () => {
  it("colours and shows progress on a TTY, and clears the progress line before printing", () => {
    const { io, written } = fakeIo({ tty: true });
    const out = createOutput(io);
    out.progress("working 1/2");
    out.line(out.green("done"));
    expect(written.stderr).toContain("working 1/2");
    expect(written.stderr.endsWith("\r\u001b[2K")).toBe(true);
    expect(written.stdout).toBe("\u001b[32mdone\u001b[0m\n");
  });

  it("builds a lazy progress line only when it draws it (at most ten times a second)", () => {
    const { io, written } = fakeIo({ tty: true });
    const out = createOutput(io);
    let built = 0;
    const line = () => `line ${++built}`;
    for (let index = 0; index < 1000; index++) out.progress(line);
    expect(built).toBe(1);
    expect(written.stderr).toBe("\r\u001b[2Kline 1");
    createOutput(fakeIo({ tty: false }).io).progress(line);
    expect(built).toBe(1);
  });

  it("respects NO_COLOR on a TTY", () => {
    const { io, written } = fakeIo({ tty: true, env: { NO_COLOR: "1" } });
    createOutput(io).line(createOutput(io).red("plain"));
    expect(written.stdout).toBe("plain\n");
  });

  it("prints no progress and no colour when piped, and nothing but JSON on stdout with --json", () => {
    const piped = fakeIo({ tty: false });
    const out = createOutput(piped.io);
    out.progress("hidden");
    out.line(out.bold("x"));
    expect(piped.written.stderr).toBe("");
    expect(piped.written.stdout).toBe("x\n");

    const json = fakeIo({ tty: true });
    const jsonOut = createOutput(json.io, { json: true });
    jsonOut.note("a note");
    jsonOut.progress("hidden");
    jsonOut.data({ ok: true });
    expect(JSON.parse(json.written.stdout)).toEqual({ ok: true });
    expect(json.written.stderr).toBe("");
  });
});

describe("parseSince", () => {
  const now = new Date("2026-03-20T12:00:00Z");
  it("reads durations back from now and ISO dates", () => {
    expect(parseSince("7d", now)).toBe("2026-03-13T12:00:00.000Z");
    expect(parseSince("12h", now)).toBe("2026-03-20T00:00:00.000Z");
    expect(parseSince("30m", now)).toBe("2026-03-20T11:30:00.000Z");
    expect(parseSince("2026-03-01", now)).toBe("2026-03-01T00:00:00.000Z");
  });
  it("rejects anything else as a usage error", () => {
    expect(() => parseSince("last week", now)).toThrow(CliUsageError);
  });
});

describe("trackProgress", () => {
  const fakeRun = () => new EventEmitter() as unknown as GovernanceRun & EventEmitter;

  it("draws the reading bar on a TTY when the number of findings is known", () => {
    const { io, written } = fakeIo({ tty: true });
    const run = fakeRun();
    trackProgress(run, createOutput(io), { expectedFindings: 4 });
    run.emit("finding-received", { findingId: "a", platform: "wiz" });
    expect(written.stderr).toContain(
      "reading findings ▕████░░░░░░░░░░░░▏  25% 1/4 · 0 cases, 0 actions, 0 delivered",
    );
  });

  it("formats each phase's line", () => {
    const at = { findings: 2000, cases: 0, explained: 0, actions: 0, deliverable: 0, delivered: 0 };
    expect(progressLine({ ...at, findings: 1000 }, 2000)).toBe(
      "reading findings ▕████████░░░░░░░░▏  50% 1,000/2,000 · 0 cases, 0 actions, 0 delivered",
    );
    expect(progressLine({ ...at, findings: 1234 })).toBe(
      "reading findings: 1,234 read · 0 cases, 0 actions, 0 delivered",
    );
    expect(progressLine({ ...at, cases: 40, explained: 10, actions: 5 }, 2000)).toBe(
      "explaining cases ▕████░░░░░░░░░░░░▏  25% 10/40 · 2,000 findings, 40 cases, 5 actions, 0 delivered",
    );
    expect(progressLine({ ...at, cases: 40, explained: 40, actions: 20, deliverable: 8, delivered: 6 })).toBe(
      "delivering actions ▕████████████░░░░▏  75% 6/8 · 2,000 findings, 40 cases, 20 actions, 6 delivered",
    );
    // A run that delivers nothing (dry run, read-only) stays on explaining.
    expect(progressLine({ ...at, cases: 40, explained: 40, actions: 20 })).toContain("explaining cases ▕█");
  });

  it("writes plain lines when piped (every 1,000 findings and when reading ends), nothing with --json", () => {
    const piped = fakeIo({ tty: false });
    const run = fakeRun();
    trackProgress(run, createOutput(piped.io));
    for (let index = 0; index < 2500; index++)
      run.emit("finding-received", { findingId: `${index}`, platform: "wiz" });
    run.emit("case-created", { caseId: "c1", findings: 1 });
    run.emit("case-created", { caseId: "c2", findings: 1 });
    expect(piped.written.stderr).toBe(
      "reading findings: 1,000 read\nreading findings: 2,000 read\nreading findings: done, 2,500 read; explaining and deciding…\n",
    );
    expect(piped.written.stdout).toBe("");

    const json = fakeIo({ tty: true });
    const jsonRun = fakeRun();
    trackProgress(jsonRun, createOutput(json.io, { json: true }));
    for (let index = 0; index < 1000; index++)
      jsonRun.emit("finding-received", { findingId: `${index}`, platform: "wiz" });
    jsonRun.emit("case-created", { caseId: "c1", findings: 1 });
    expect(json.written.stderr).toBe("");
  });

  it("counts only actions that need no approval as deliverable, and none when the run does not deliver", () => {
    const { io, written } = fakeIo({ tty: true });
    const run = fakeRun();
    trackProgress(run, createOutput(io), { delivering: false });
    run.emit("case-created", { caseId: "c1", findings: 1 });
    run.emit("case-explained", { caseId: "c1", source: "knowledge" });
    run.emit("action-proposed", { actionId: "x", kind: "ticket", requiresApproval: false });
    expect(written.stderr).toContain("explaining cases");
    expect(written.stderr).not.toContain("delivering");
  });
});
