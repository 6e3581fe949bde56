import { EventEmitter } from "eventemitter3";
import { afterEach, describe, expect, it } from "vitest";
import { type CloudstewardError, isCloudstewardError, type NormalizationError } from "../../core/errors.js";
import type { PipelineEvents } from "../../core/events.js";
import {
  type BuiltInPlatform,
  type Finding,
  type FindingStatus,
  findingId,
  findingSchema,
  formatPath,
} from "../../core/finding.js";
import { createRecorder } from "../../core/recorder.js";
import { createRunReport, type RunReport } from "../../core/report.js";
import type { CallOptions, ExceptionRequest, FindingSource, NativeQuery } from "../../core/source.js";
import type { SandboxFaults } from "../sandbox/emulation.js";
import type { EmulationName, EmulationOptions } from "../sandbox/emulations.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";

/** What {@link testFindingSource} hands to `create`: the sandbox's options for the platform, plus test plumbing. */
export interface SourceSuiteContext {
  /** The emulation's base URL, e.g. `http://127.0.0.1:53121/wiz`. */
  baseUrl: string;
  /** A fetch that counts requests and remembers the credentials sent; pass it to the source. */
  fetch: typeof globalThis.fetch;
  /** Whether the source must allow write-back in this test. */
  allowWrite: boolean;
  /** Where the source must emit its events (the suite checks them for secrets). */
  events: EventEmitter<PipelineEvents>;
  /** A page size that makes the suite's small estate span several pages. */
  pageSize: number;
}

/** The sandbox options of a platform that has an emulation, else a plain record. */
export type SandboxOptionsOf<P extends BuiltInPlatform> = P extends EmulationName
  ? EmulationOptions[P]
  : Record<string, unknown>;

/** What the write-back test of {@link testFindingSource} writes and expects to read back. */
export interface WriteBackCapability {
  /** The status `setStatus` writes; `getFinding` must then report it. */
  status: FindingStatus;
  /** What `getFinding` may report after `createException` (a platform without a risk-accepted state closes). @default ["risk_accepted", "suppressed"] */
  exceptionStatuses?: readonly FindingStatus[];
}

/** Options of {@link testFindingSource} for a source the sandbox emulates (the four CNAPP adapters). */
export interface SandboxSourceSuiteOptions<P extends BuiltInPlatform> {
  platform: P;
  /** Creates the source under test from the sandbox's options (spread them into the factory). */
  create: (context: SourceSuiteContext & SandboxOptionsOf<P>) => FindingSource;
  /**
   * What the emulation can exercise. Which optional methods are tested (getFinding, query, setStatus,
   * createException, resume) is read from the source's own `capabilities`.
   */
  capabilities?: {
    /** Tokens expire and are refreshed (OAuth, session tokens). @default true */
    tokenExpiry?: boolean;
    /**
     * How `setStatus` and `createException` are checked against the emulation when allowed: `true`, the
     * status `setStatus` writes (one the platform can store) and the statuses an exception may read back
     * as, or `false` to test only that they refuse without `allowWrite`. Only for a source declaring them.
     * @default true, i.e. `{ status: "in_progress", exceptionStatuses: ["risk_accepted", "suppressed"] }`
     */
    writeBack?: boolean | WriteBackCapability;
    /** A native query that writes; the suite checks `query()` refuses it without `allowWrite`. */
    writeQuery?: NativeQuery;
  };
  /** Findings per platform in the suite's estate. @default 60 */
  size?: number;
  /** Estate seed. @default 42 */
  seed?: number;
  /** Page size handed to `create`. @default 10 */
  pageSize?: number;
  harness?: never;
}

/** What {@link SourceHarness.create} is given. */
export interface SourceHarnessContext {
  /** Which input the source must read: the well-formed one, or the one with malformed records. */
  variant: "valid" | "malformed";
  /**
   * Wraps the input the source reads (a file stream, a list of chunks or records, your client's pages) so
   * the suite sees how far it was read and whether it was closed. Read everything through it, in several
   * pieces (e.g. a file stream with a small `highWaterMark`), so stopping early is visible.
   */
  tap: <T>(input: AsyncIterable<T> | Iterable<T>) => AsyncIterable<T>;
  /** Whether the source must allow write-back in this test. */
  allowWrite: boolean;
  /** Where the source must emit its events (the suite checks them for secrets). */
  events: EventEmitter<PipelineEvents>;
}

/**
 * How {@link testFindingSource} runs a source the sandbox does not emulate (a file or stream reader such as
 * `ocsf()`, or a client of your own service): you supply its inputs and what they must yield. HTTP faults
 * (429 storms, 5xx bursts, token expiry) are the sandbox's and are not run; everything else is.
 */
export interface SourceHarness {
  /** Creates the source under test reading `context.variant`'s input through `context.tap`. */
  create: (context: SourceHarnessContext) => FindingSource;
  /** The finding ids (`<platform>:<nativeId>`) the valid input yields, each once; more than ten. */
  expectedIds: readonly string[];
  /** The input with malformed records: the ids its good records yield, and how many dead letters it makes. */
  malformed?: { expectedIds: readonly string[]; deadLetters: number };
  /**
   * Secret values planted in the inputs or options (tokens in a malformed record, a credential the source
   * holds): none may appear in an error, event or report of a run over the malformed input.
   */
  secrets?: readonly string[];
}

/** Options of {@link testFindingSource} for a source run through a {@link SourceHarness}. */
export interface HarnessSourceSuiteOptions {
  /** The name the source must report as its `platform`. */
  platform: string;
  harness: SourceHarness;
  capabilities?: {
    /** A native query that writes; the suite checks `query()` refuses it without `allowWrite`. */
    writeQuery?: NativeQuery;
  };
  create?: never;
}

/** Options of {@link testFindingSource}: a sandbox-emulated platform, or any source through a harness. */
export type TestFindingSourceOptions<P extends BuiltInPlatform = BuiltInPlatform> =
  | SandboxSourceSuiteOptions<P>
  | HarnessSourceSuiteOptions;

/**
 * A vitest suite every {@link FindingSource} passes. Against the sandbox's emulation of its platform (the
 * four CNAPP adapters), or through a {@link SourceHarness} for any other source. Always: the platform name
 * and the declared capabilities match the methods present; findings parse with `findingSchema`; ids are
 * stable across two runs and each arrives exactly once; a malformed record becomes a dead letter naming
 * its path while the rest continue; `break` stops reading; an aborted signal rejects with `AbortError`;
 * no secret appears in any error, event or report. For the optional methods a source declares in
 * `capabilities`: `getFinding` finds by id and native id; `resume` resumes from a saved cursor;
 * `setStatus`, `createException` and writing queries refuse unless `allowWrite` (and land when allowed,
 * against the sandbox). Sandbox only: exactly once under a 429 storm, a 5xx burst and a token expiring mid-run.
 * @example
 * testFindingSource({
 *   platform: "wiz",
 *   create: (context) => wiz({ ...context, rateLimit: false }),
 *   capabilities: { writeQuery: { query: "mutation { updateIssue(input: {id: \"x\"}) { issue { id } } }" } },
 * });
 * @example
 * testFindingSource({
 *   platform: "ocsf",
 *   harness: {
 *     create: ({ variant, tap }) => ocsf({ input: () => tap(createReadStream(files[variant], { highWaterMark: 1024 })) }),
 *     expectedIds,
 *     malformed: { expectedIds, deadLetters: 3 },
 *   },
 * });
 */
export function testFindingSource<P extends BuiltInPlatform>(options: SandboxSourceSuiteOptions<P>): void;
export function testFindingSource(options: HarnessSourceSuiteOptions): void;
export function testFindingSource<P extends BuiltInPlatform>(options: TestFindingSourceOptions<P>): void {
  if (options.harness !== undefined) harnessSuite(options);
  else sandboxSuite(options as SandboxSourceSuiteOptions<P>);
}

// Internal helpers.

/** What each shared test needs from a set-up source, whichever way it was set up. */
interface Setup {
  source: FindingSource;
  /** The ids a full run must yield, sorted. */
  expected: string[];
  /** How much of the input has been read so far (requests for the sandbox, pulls of the tapped input otherwise). */
  reads: () => number;
  /** Tapped inputs opened and not yet closed (0 for the sandbox, which has nothing to close). */
  open: () => number;
}

function sandboxSuite<P extends BuiltInPlatform>(options: SandboxSourceSuiteOptions<P>): void {
  const { platform } = options;
  const capabilities = { tokenExpiry: true, writeBack: true, ...options.capabilities };
  const writeBack: Required<WriteBackCapability> | undefined =
    capabilities.writeBack === false
      ? undefined
      : {
          status: "in_progress",
          exceptionStatuses: ["risk_accepted", "suppressed"],
          ...(capabilities.writeBack === true ? {} : capabilities.writeBack),
        };
  const sandboxes: Sandbox[] = [];

  const setup = async (faults?: SandboxFaults, allowWrite = false) => {
    const sandbox = await startSandbox({ seed: options.seed ?? 42, size: options.size ?? 60, faults });
    sandboxes.push(sandbox);
    const probe = probeFetch();
    const events = new EventEmitter<PipelineEvents>();
    const seen: unknown[] = [];
    for (const name of ["request-retried", "warning-raised", "item-failed"] as const) {
      events.on(name, (payload: unknown) => seen.push(payload));
    }
    const sandboxOptions = (sandbox as unknown as Record<string, unknown>)[platform] as SandboxOptionsOf<P>;
    const context = {
      ...sandboxOptions,
      baseUrl: `${sandbox.url}/${platform}`,
      fetch: probe.fetch,
      allowWrite,
      events,
      pageSize: options.pageSize ?? 10,
    } as SourceSuiteContext & SandboxOptionsOf<P>;
    const expected = sandbox.estate.findings
      .map((finding) => finding.reportedBy[platform])
      .filter((id): id is string => id !== undefined)
      .map((id) => findingId(platform, id))
      .sort();
    const source = options.create(context);
    const run: Setup = { source, expected, reads: probe.count, open: () => 0 };
    return { ...run, sandbox, probe, events: seen, context };
  };

  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()));
  });

  describe(`FindingSource conformance: ${platform}`, () => {
    sharedTests(platform, () => setup(), capabilities.writeQuery);

    it("yields every finding exactly once under a 429 storm", async () => {
      const { source, expected, sandbox } = await setup({ rateLimit: { requestsPerSecond: 2, burst: 1 } });
      const ids = (await collect(source)).map((finding) => finding.id).sort();
      expect(ids).toEqual(expected);
      expect(sandbox.faults[platform as EmulationName]?.stats.rateLimited).toBeGreaterThan(0);
    });

    it("yields every finding exactly once through a 5xx burst", async () => {
      const { source, expected, sandbox } = await setup({ serverErrors: { every: 3, burst: 2 } });
      const ids = (await collect(source)).map((finding) => finding.id).sort();
      expect(ids).toEqual(expected);
      expect(sandbox.faults[platform as EmulationName]?.stats.serverErrors).toBeGreaterThan(0);
    });

    if (capabilities.tokenExpiry) {
      it("refreshes a token that expires mid-run and still yields every finding exactly once", async () => {
        const { source, expected, sandbox } = await setup({ tokenTtlRequests: 2 });
        const ids = (await collect(source)).map((finding) => finding.id).sort();
        expect(ids).toEqual(expected);
        expect(sandbox.faults[platform as EmulationName]?.stats.expiredTokens).toBeGreaterThan(0);
      });
    }

    it("turns a malformed record into a dead letter naming its path, and continues", async () => {
      const { source, expected } = await setup({ malformedRecordEvery: 7 });
      const report = createRunReport("suite");
      const ids = (await collect(source, { record: createRecorder(report) })).map((finding) => finding.id);
      expect(report.deadLetters.length).toBeGreaterThan(0);
      expect(ids.length).toBeGreaterThan(report.deadLetters.length);
      expectDeadLettersNamePaths(report);
      for (const letter of report.deadLetters) expect(letter.itemId).toBeDefined();
      const dead = report.deadLetters.map((letter) => letter.itemId!);
      expect(dead.filter((id) => ids.includes(id))).toEqual([]);
      expect([...ids, ...dead].sort()).toEqual(expected);
    });

    it("resumes from the cursor reported after a page and yields exactly the rest (declared: resume)", async (context) => {
      const { source } = await setup();
      if (!source.capabilities.resume) return context.skip("the source does not declare resume");
      const pages: { next: string | undefined; count: number }[] = [];
      const all = await collect(source, { onPage: (page) => void pages.push(page) });
      expect(pages.length).toBeGreaterThan(2);
      expect(pages.at(-1)?.next).toBeUndefined();
      const index = Math.floor(pages.length / 2);
      const consumed = pages.slice(0, index + 1).reduce((sum, page) => sum + page.count, 0);
      const rest: Finding[] = [];
      for await (const finding of source.findings({ cursor: pages[index]!.next })) rest.push(finding);
      expect(rest.map((finding) => finding.id)).toEqual(all.slice(consumed).map((finding) => finding.id));
    });

    if (writeBack) {
      it("writes status and exceptions back when allowWrite is set (declared: setStatus, createException)", async (context) => {
        const { source } = await setup(undefined, true);
        if (!source.capabilities.setStatus || !source.capabilities.createException) {
          return context.skip("the source does not declare setStatus and createException");
        }
        const findings = await collect(source);
        const [first, second] = findings.filter((finding) => finding.status === "open");
        await source.setStatus!(first!.id, {
          status: writeBack.status,
          note: "picked up by the platform team",
        });
        expect((await source.getFinding!(first!.id))?.status).toBe(writeBack.status);
        const ref = await source.createException!({
          ...exceptionRequest(second!.id),
          reason: "accepted risk: marketing launch",
        });
        expect(ref.id).toMatch(/\S/);
        expect(writeBack.exceptionStatuses).toContain((await source.getFinding!(second!.id))?.status);
        expect(await source.getFinding!(`${platform}:does-not-exist`)).toBeUndefined();
      });
    }

    it("keeps secrets out of every error, event and report", async () => {
      const faults = {
        rateLimit: { requestsPerSecond: 20, burst: 2 },
        serverErrors: { every: 4 },
        tokenTtlRequests: 2,
      };
      const { source, context, probe, events } = await setup(faults);
      const report = createRunReport("suite");
      await collect(source, { record: createRecorder(report) });
      const secretOptions = Object.entries(context).filter(
        (entry): entry is [string, string] =>
          /secret|token|password|apikey|api_key/i.test(entry[0]) && typeof entry[1] === "string",
      );
      expect(secretOptions.length).toBeGreaterThan(0);
      const errors: unknown[] = [];
      for (const [key, value] of secretOptions) {
        const wrong = options.create({ ...context, [key]: `wrong-${value}` });
        const error = await collect(wrong).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(
          isCloudstewardError(error, "AUTHENTICATION"),
          `a wrong ${key} must fail with AUTHENTICATION`,
        ).toBe(true);
        errors.push(error);
      }
      const secrets = [
        ...secretOptions.flatMap(([, value]) => [value, `wrong-${value}`]),
        ...probe.credentials,
      ];
      expect(events.length).toBeGreaterThan(0);
      expectNoSecrets(secrets, errors, events, report);
    });
  });
}

function harnessSuite(options: HarnessSourceSuiteOptions): void {
  const { platform, harness } = options;

  const setup = (variant: "valid" | "malformed" = "valid", allowWrite = false) => {
    const tap = createTap();
    const events = new EventEmitter<PipelineEvents>();
    const seen: unknown[] = [];
    for (const name of ["request-retried", "warning-raised", "item-failed"] as const) {
      events.on(name, (payload: unknown) => seen.push(payload));
    }
    const source = harness.create({ variant, tap: tap.tap, allowWrite, events });
    const ids = variant === "valid" ? harness.expectedIds : (harness.malformed?.expectedIds ?? []);
    const run: Setup = { source, expected: [...ids].sort(), reads: tap.pulls, open: tap.open };
    return { ...run, tap, events: seen };
  };

  describe(`FindingSource conformance: ${platform}`, () => {
    it("has a harness whose valid input yields more than ten distinct findings", () => {
      expect(new Set(harness.expectedIds).size).toBe(harness.expectedIds.length);
      expect(harness.expectedIds.length).toBeGreaterThan(10);
    });

    sharedTests(platform, async () => setup(), options.capabilities?.writeQuery);

    it("reads its input through the harness's tap and closes it at the end of a run", async () => {
      const { source, tap } = setup();
      await collect(source);
      expect(tap.used(), "the harness must read its input through context.tap").toBe(true);
      expect(tap.pulls()).toBeGreaterThan(1);
      expect(tap.open()).toBe(0);
    });

    if (harness.malformed) {
      const malformed = harness.malformed;
      it("turns each malformed record into a dead letter naming its path, and reads the rest", async () => {
        const { source, expected } = setup("malformed");
        const report = createRunReport("suite");
        const ids = (await collect(source, { record: createRecorder(report) })).map((finding) => finding.id);
        expect(report.deadLetters).toHaveLength(malformed.deadLetters);
        expectDeadLettersNamePaths(report);
        const dead = report.deadLetters.flatMap((letter) =>
          letter.itemId === undefined ? [] : [letter.itemId],
        );
        expect(dead.filter((id) => ids.includes(id))).toEqual([]);
        expect([...ids].sort()).toEqual(expected);
        expect(new Set(ids).size).toBe(ids.length);
      });
    }

    if (harness.secrets !== undefined) {
      const secrets = harness.secrets;
      it("keeps the planted secrets out of every error, event and report", async () => {
        expect(secrets.length).toBeGreaterThan(0);
        const { source, events } = setup(harness.malformed ? "malformed" : "valid");
        const report = createRunReport("suite");
        const errors: unknown[] = [];
        await collect(source, { record: createRecorder(report) }).catch((error: unknown) =>
          errors.push(error),
        );
        errors.push(...report.deadLetters.map((letter) => letter.error));
        if (harness.malformed) expect(report.deadLetters.length).toBeGreaterThan(0);
        expectNoSecrets(secrets, errors, events, report);
      });
    }
  });
}

/** The tests every source passes, however it was set up. */
function sharedTests(
  platform: string,
  setup: () => Promise<Setup>,
  writeQuery: NativeQuery | undefined,
): void {
  it("names its platform, declares exactly the optional methods it has, and yields findings that parse", async () => {
    const { source, expected } = await setup();
    expect(source.specificationVersion).toBe("v1");
    expect(source.platform).toBe(platform);
    const methods = {
      getFinding: "getFinding",
      nativeQuery: "query",
      setStatus: "setStatus",
      createException: "createException",
    } as const;
    for (const [flag, method] of Object.entries(methods)) {
      const declared = source.capabilities[flag as keyof typeof methods] === true;
      expect(
        typeof source[method] === "function",
        `capabilities.${flag} must match whether ${method}() exists`,
      ).toBe(declared);
    }
    const findings = await collect(source);
    expect(findings.length).toBe(expected.length);
    for (const finding of findings) {
      const parsed = findingSchema.safeParse(finding);
      expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues[0])).toBe(true);
      expect(finding.source.platform).toBe(platform);
    }
  });

  it("yields each expected finding exactly once, with ids stable across two runs", async () => {
    const { source, expected } = await setup();
    const first = (await collect(source)).map((finding) => finding.id).sort();
    const second = (await collect(source)).map((finding) => finding.id).sort();
    expect(first).toEqual(expected);
    expect(second).toEqual(first);
  });

  it("stops reading when the consumer breaks after ten findings", async () => {
    const { source, reads, open } = await setup();
    await collect(source);
    const fullRun = reads();
    const taken: Finding[] = [];
    for await (const finding of source.findings()) {
      taken.push(finding);
      if (taken.length === 10) break;
    }
    const partialRun = reads() - fullRun;
    expect(taken).toHaveLength(10);
    expect(partialRun).toBeLessThan(fullRun);
    expect(open(), "leaving the loop early must close what the source opened").toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads() - fullRun).toBe(partialRun);
  });

  it("rejects with AbortError when the signal is aborted, before or during the run", async () => {
    const { source, open } = await setup();
    const before = new AbortController();
    before.abort();
    await expect(collect(source, { signal: before.signal })).rejects.toMatchObject({ name: "AbortError" });
    const during = new AbortController();
    const run = (async () => {
      for await (const _ of source.findings({}, { signal: during.signal })) during.abort();
    })();
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(open()).toBe(0);
  });

  it("finds one finding by its id and by its native id (declared: getFinding)", async (context) => {
    const { source } = await setup();
    if (!source.capabilities.getFinding) return context.skip("the source does not declare getFinding");
    const [first] = await collect(source);
    const byId = await source.getFinding!(first!.id);
    expect(byId?.id).toBe(first!.id);
    expect(byId?.dedupKey).toBe(first!.dedupKey);
    expect(byId?.status).toBe(first!.status);
    expect((await source.getFinding!(first!.source.nativeId))?.id).toBe(first!.id);
    expect(await source.getFinding!(`${platform}:does-not-exist`)).toBeUndefined();
  });

  it("refuses write-back with WriteDisabledError unless allowWrite (declared: setStatus, createException, query)", async () => {
    const { source } = await setup();
    const { setStatus, createException, nativeQuery } = source.capabilities;
    if (!setStatus && !createException && !(nativeQuery && writeQuery)) {
      // A source that declares no write has no way to write at all.
      expect(source.setStatus).toBeUndefined();
      expect(source.createException).toBeUndefined();
      return;
    }
    const [finding] = await collect(source);
    if (setStatus) {
      await expect(source.setStatus!(finding!.id, { status: "in_progress" })).rejects.toSatisfy((error) =>
        isCloudstewardError(error, "WRITE_DISABLED"),
      );
    }
    if (createException) {
      await expect(source.createException!(exceptionRequest(finding!.id))).rejects.toSatisfy((error) =>
        isCloudstewardError(error, "WRITE_DISABLED"),
      );
    }
    if (nativeQuery && writeQuery) {
      await expect(source.query!(writeQuery)).rejects.toSatisfy((error) =>
        isCloudstewardError(error, "WRITE_DISABLED"),
      );
    }
    if (source.getFinding) expect((await source.getFinding(finding!.id))?.status).toBe(finding!.status);
  });
}

function expectDeadLettersNamePaths(report: RunReport): void {
  for (const letter of report.deadLetters) {
    expect(isCloudstewardError(letter.error, "NORMALIZATION")).toBe(true);
    const { path } = letter.error as NormalizationError;
    expect(path.length).toBeGreaterThan(0);
    expect(letter.error.message).toContain(formatPath(path));
  }
}

function expectNoSecrets(
  secrets: readonly string[],
  errors: readonly unknown[],
  events: readonly unknown[],
  report: RunReport,
): void {
  const haystack = [
    ...errors.map(describeError),
    JSON.stringify(events, errorReplacer),
    JSON.stringify(report, errorReplacer),
  ].join("\n");
  for (const secret of secrets) expect(haystack).not.toContain(secret);
}

function exceptionRequest(findingId: string): ExceptionRequest {
  return {
    findingId,
    reason: "accepted risk",
    expiresAt: "2099-01-01T00:00:00.000Z",
    requestedBy: "owner@example.com",
    approvedBy: "ciso@example.com",
  };
}

async function collect(source: FindingSource, options: CallOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for await (const finding of source.findings({}, options)) findings.push(finding);
  return findings;
}

/** A fetch that counts requests and remembers every credential sent in an Authorization header. */
function probeFetch() {
  let count = 0;
  const credentials = new Set<string>();
  const fetch: typeof globalThis.fetch = (input, init) => {
    count++;
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const authorization = headers.get("authorization");
    const credential = authorization?.split(/\s+/).pop();
    if (credential && credential.length >= 8) credentials.add(credential);
    return globalThis.fetch(input, init);
  };
  return { fetch, count: () => count, credentials };
}

/** Counts the pieces a source pulls from its tapped inputs, and which of them it left open. */
function createTap() {
  let pulls = 0;
  let open = 0;
  let used = false;
  const tap = <T>(input: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> => {
    used = true;
    return {
      [Symbol.asyncIterator](): AsyncIterator<T> {
        const iterator: AsyncIterator<T> | Iterator<T> =
          Symbol.asyncIterator in input
            ? (input as AsyncIterable<T>)[Symbol.asyncIterator]()
            : (input as Iterable<T>)[Symbol.iterator]();
        open++;
        let closed = false;
        const close = () => {
          if (!closed) {
            closed = true;
            open--;
          }
        };
        return {
          async next() {
            pulls++;
            try {
              const result = await iterator.next();
              if (result.done) close();
              return result;
            } catch (error) {
              close();
              throw error;
            }
          },
          async return(value?: unknown) {
            close();
            await iterator.return?.(value as T);
            return { done: true, value: value as T };
          },
        };
      },
    };
  };
  return { tap, pulls: () => pulls, open: () => open, used: () => used };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as CloudstewardError & Record<string, unknown>;
  return [error.message, JSON.stringify({ ...details }, errorReplacer), describeError(error.cause)].join(
    "\n",
  );
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { ...value, name: value.name, message: value.message } : value;
}
