import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completionScript } from "../../src/cli/completion.js";
import { colourOn, createOutput } from "../../src/cli/io.js";
import { cliCommands } from "../../src/cli/main.js";
import { CliUsageError, parseCommandArgs, suggestion } from "../../src/cli/usage.js";
import { runCli } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cloudsteward-basics-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("--version", () => {
  it("prints the version from package.json", async () => {
    const { version } = JSON.parse(await readFile("package.json", "utf8"));
    for (const flag of ["--version", "-v"]) {
      const result = await runCli([flag], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`cloudsteward ${version}\n`);
    }
  });

  it("prints it from the bin run by tsx too, whatever the working directory", async () => {
    const { version } = JSON.parse(await readFile("package.json", "utf8"));
    const bin = join(process.cwd(), "src/cli/index.ts");
    // What `node --import tsx` loads, resolved here since the command runs elsewhere.
    const tsx = pathToFileURL(createRequire(join(process.cwd(), "package.json")).resolve("tsx")).href;
    const stdout = execFileSync(process.execPath, ["--import", tsx, bin, "--version"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(stdout).toBe(`cloudsteward ${version}\n`);
  });
});

describe("help", () => {
  it("lists every command, and each command's help has examples and names every flag it parses", async () => {
    const top = await runCli(["--help"], { cwd: dir });
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Examples:");
    for (const [name, command] of Object.entries(cliCommands)) {
      expect(top.stdout).toContain(`  ${name.padEnd(10)}  ${command.summary}`);
      const help = await runCli(["help", name], { cwd: dir });
      expect(help.code).toBe(0);
      expect(help.stdout).toBe(`${command.help}\n`);
      expect(help.stdout).toMatch(/\nExamples:\n {2}\S/);
      for (const flag of Object.keys(command.args.flags)) expect(help.stdout).toContain(`--${flag}`);
      for (const word of command.args.subcommands ?? []) expect(help.stdout).toContain(word);
      expect((await runCli([name, "--help"], { cwd: dir })).stdout).toBe(help.stdout);
    }
  });

  it("with no command prints the help and exits 2", async () => {
    const result = await runCli([], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Usage: cloudsteward <command>");
  });
});

describe("did you mean", () => {
  it("suggests the closest command", async () => {
    const typo = await runCli(["rnu", "--dry-run"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "rnu". Did you mean `cloudsteward run`?');
    const help = await runCli(["help", "valdate"], { cwd: dir });
    expect(help.code).toBe(2);
    expect(help.stderr).toContain("Did you mean `cloudsteward validate`?");
    for (const inherited of ["toString", "constructor"]) {
      expect((await runCli([inherited], { cwd: dir })).code).toBe(2);
      expect((await runCli(["help", inherited], { cwd: dir })).code).toBe(2);
    }
    const far = await runCli(["frobnicate"], { cwd: dir });
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain("Did you mean");
  });

  it("suggests the closest flag, value and subcommand, and points at the command's help", async () => {
    const cases: [string[], string][] = [
      [["run", "--dry"], "unknown flag --dry (did you mean --dry-run?)."],
      [["run", "--confg", "x.yaml"], "unknown flag --confg (did you mean --config?)."],
      [
        ["run", "--mode", "asisted"],
        '--mode must be read-only, assisted or automated; got "asisted" (did you mean "assisted"?).',
      ],
      [["demo", "--modle", "none"], "unknown flag --modle (did you mean --model?)."],
      [["approvals", "aprove", "apr_1"], 'got "aprove" (did you mean "approve"?).'],
      [["audit", "verfy"], 'got "verfy" (did you mean "verify"?).'],
      [["completion", "zhs"], 'got "zhs" (did you mean "zsh"?).'],
      [["run", "--config"], "--config needs a value."],
      [["sandbox", "now"], 'unexpected argument "now".'],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv, { cwd: dir });
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toContain(`cloudsteward ${argv[0]}: `);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`Run \`cloudsteward help ${argv[0]}\` for its options and examples.`);
    }
    const unrelated = await runCli(["run", "--colour"], { cwd: dir });
    expect(unrelated.stderr).toContain("unknown flag --colour.");
  });

  it("suggestion() prefers a prefix, then the smallest edit distance, and gives up when nothing is close", () => {
    expect(suggestion("--dry", ["--dry-run", "--json"])).toBe("--dry-run");
    expect(suggestion("rnu", ["run", "init", "replay"])).toBe("run");
    expect(suggestion("aproval", ["approvals", "audit"])).toBe("approvals");
    expect(suggestion("Demo", ["demo"])).toBe("demo");
    expect(suggestion("frobnicate", Object.keys(cliCommands))).toBeUndefined();
  });

  it("parseCommandArgs checks choices, repeated values included, and types the values", () => {
    const spec = {
      flags: {
        kind: { type: "string", multiple: true, choices: ["ticket", "notify"] },
        json: { type: "boolean", default: false },
      },
    } as const;
    const { values } = parseCommandArgs(["--kind", "ticket", "--kind", "notify", "--json"], spec);
    expect(values).toEqual({ kind: ["ticket", "notify"], json: true });
    expect(() => parseCommandArgs(["--kind", "ticket", "--kind", "notfy"], spec)).toThrow(
      new CliUsageError('--kind must be ticket or notify; got "notfy" (did you mean "notify"?).'),
    );
  });
});

describe("completion", () => {
  it("prints a bash script whose function completes commands, flags, choices and subcommands", async () => {
    const result = await runCli(["completion", "bash"], { cwd: dir });
    expect(result.code).toBe(0);
    const script = join(dir, "cloudsteward.bash");
    await writeFile(script, result.stdout);
    const complete = (words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `source "$0"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _cloudsteward; printf '%s\\n' "\${COMPREPLY[@]}"`,
          script,
        ],
        { encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean);
    expect(complete(["cloudsteward", "va"])).toEqual(["validate"]);
    expect(complete(["cloudsteward", "run", "--d"])).toEqual(["--dry-run"]);
    expect(complete(["cloudsteward", "run", "--mode", ""])).toEqual(["read-only", "assisted", "automated"]);
    expect(complete(["cloudsteward", "approvals", "e"])).toEqual(["execute"]);
    expect(complete(["cloudsteward", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(complete(["cloudsteward", "help", "rep"])).toEqual(["replay"]);
  });

  it("zsh and fish scripts are generated from the same table: every command, flag and choice", () => {
    const zsh = completionScript("zsh", cliCommands);
    const fish = completionScript("fish", cliCommands);
    expect(zsh.startsWith("#compdef cloudsteward\n")).toBe(true);
    for (const [name, command] of Object.entries(cliCommands)) {
      expect(zsh).toContain(`'${name}:${command.summary}'`);
      expect(fish).toContain(`-a ${name} -d '${command.summary}'`);
      for (const [flag, spec] of Object.entries(command.args.flags)) {
        expect(zsh).toMatch(new RegExp(`'\\*?--${flag}[:']`));
        expect(fish).toContain(`'__fish_seen_subcommand_from ${name}' -l ${flag}`);
        if (spec.choices) expect(fish).toContain(`-l ${flag} -x -a '${spec.choices.join(" ")}'`);
      }
    }
    expect(zsh).toContain("'--mode:mode:(read-only assisted automated)'");
    expect(zsh).toContain("'*--anchor:anchor:_files'");
    expect(fish).toContain("'__fish_seen_subcommand_from init' -l dir -r -F");
  });
});

describe("colour", () => {
  it("follows FORCE_COLOR, then NO_COLOR and TERM=dumb, then the TTY", () => {
    const tty = { isTTY: true };
    const piped = { isTTY: false };
    expect(colourOn(tty, {})).toBe(true);
    expect(colourOn(piped, {})).toBe(false);
    expect(colourOn(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colourOn(tty, { NO_COLOR: "" })).toBe(true);
    expect(colourOn(tty, { TERM: "dumb" })).toBe(false);
    expect(colourOn(piped, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourOn(piped, { FORCE_COLOR: "" })).toBe(true);
    expect(colourOn(tty, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(true);
    expect(colourOn(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourOn(tty, { FORCE_COLOR: "false" })).toBe(false);
  });

  it("FORCE_COLOR colours piped output, never --json", () => {
    let stdout = "";
    const io = {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: () => true, isTTY: false },
      env: { FORCE_COLOR: "1" },
      cwd: dir,
    };
    const out = createOutput(io);
    out.line(out.red("failed"));
    expect(stdout).toBe("\u001b[31mfailed\u001b[0m\n");
    const json = createOutput(io, { json: true });
    expect(json.red("x")).toBe("x");
  });
});
