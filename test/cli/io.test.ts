import { describe, expect, it } from "vitest";
import { parseSince } from "../../src/cli/commands/run.js";
import { createOutput } from "../../src/cli/io.js";
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
