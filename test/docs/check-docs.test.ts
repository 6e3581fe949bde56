import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runShell } from "../../scripts/check-docs.mjs";
import { parseBlocks } from "../../scripts/doc-blocks.mjs";

const apps: string[] = [];
const app = () => {
  const dir = mkdtempSync(join(tmpdir(), "cloudsteward-doc-shell-"));
  apps.push(dir);
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const dir of apps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const quiet = () => {
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
};

describe("runShell", () => {
  it("runs a file's blocks in order in one directory, gives later blocks a background block's exports, and stops it", async () => {
    quiet();
    const dir = app();
    const markdown = [
      "```sh background",
      "echo $$ > server.pid",
      "echo 'export GREETING=hello'",
      "exec sleep 300",
      "```",
      "```sh no-run",
      "exit 1",
      "```",
      "```sh",
      'echo "$GREETING from the second shell" > said.txt',
      "```",
      "```sh",
      "test -f said.txt",
      "```",
    ].join("\n");
    await runShell(dir, parseBlocks("docs/x.md", markdown));
    const cwd = join(dir, "doc-shell", "docs-x-md");
    expect(readFileSync(join(cwd, "said.txt"), "utf8")).toBe("hello from the second shell\n");
    const pid = Number(readFileSync(join(cwd, "server.pid"), "utf8"));
    expect(() => process.kill(pid, 0)).toThrow(); // stopped
  });

  it("fails naming the block's file and line when a command fails", async () => {
    quiet();
    const markdown = ["Some text.", "", "```sh", "true", "exit 3", "```"].join("\n");
    await expect(runShell(app(), parseBlocks("README.md", markdown))).rejects.toThrow(
      /^doc test: README.md:3 exited 3 \(run in /,
    );
  });

  it("passes no credentials on: a reader's shell has none", async () => {
    quiet();
    vi.stubEnv("WIZ_CLIENT_SECRET", "from-the-test-runner");
    vi.stubEnv("OPENAI_API_KEY", "sk-from-the-test-runner");
    const markdown = ["```sh", 'test -z "$WIZ_CLIENT_SECRET$OPENAI_API_KEY"', "```"].join("\n");
    await expect(runShell(app(), parseBlocks("README.md", markdown))).resolves.toBeUndefined();
  });

  it("never runs a block marked no-run", async () => {
    quiet();
    const dir = app();
    await runShell(dir, parseBlocks("README.md", "```sh no-run\ntouch ran.txt\n```\n"));
    expect(existsSync(join(dir, "doc-shell", "README-md", "ran.txt"))).toBe(false);
  });
});
