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
import { createRunReport } from "../../core/report.js";
import type { CallOptions, CnappSource, FindingSource, NativeQuery } from "../../core/source.js";
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

/** Options of {@link testFindingSource}. */
export interface TestFindingSourceOptions<P extends BuiltInPlatform> {
  platform: P;
  /** Creates the source under test from the sandbox's options (spread them into the factory). */
  create: (context: SourceSuiteContext & SandboxOptionsOf<P>) => CnappSource;
  capabilities?: {
    /** Tokens expire and are refreshed (OAuth, session tokens). @default true */
    tokenExpiry?: boolean;
    /**
     * `setStatus` and `createException` work against the emulation when allowed: `true`, or the status
     * `setStatus` writes (one the platform can store) and the statuses an exception may read back as.
     * @default true, i.e. `{ status: "in_progress", exceptionStatuses: ["risk_accepted", "suppressed"] }`
     */
    writeBack?: boolean | WriteBackCapability;
    /** `findings()` reports resume cursors through `onPage` and honours `query.cursor`. @default false */
    resume?: boolean;
    /** A native query that writes; the suite checks `query()` refuses it without `allowWrite`. */
    writeQuery?: NativeQuery;
  };
  /** Findings per platform in the suite's estate. @default 60 */
  size?: number;
  /** Estate seed. @default 42 */
  seed?: number;
  /** Page size handed to `create`. @default 10 */
  pageSize?: number;
}

/**
 * A vitest suite every {@link FindingSource} passes, run against the sandbox's emulation of its platform:
 * findings parse; ids are stable and match the estate; each finding arrives exactly once under a 429
 * storm, a 5xx burst and a token expiring mid-run; a malformed record becomes a dead letter naming its
 * path while the rest continue; a saved cursor resumes (when `resume`); `break` stops fetching; an aborted signal rejects with `AbortError`;
 * write-back refuses unless allowed (and lands when allowed); no secret appears in any error, event or report.
 * @example
 * testFindingSource({
 *   platform: "wiz",
 *   create: (context) => wiz({ ...context, rateLimit: false }),
 *   capabilities: { writeQuery: { query: "mutation { updateIssue(input: {id: \"x\"}) { issue { id } } }" } },
 * });
 */
export function testFindingSource<P extends BuiltInPlatform>(options: TestFindingSourceOptions<P>): void {
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
  const statusToWrite = writeBack?.status ?? "in_progress";
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
    return { sandbox, probe, events: seen, context, source: options.create(context), expected };
  };

  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()));
  });

  describe(`FindingSource conformance: ${platform}`, () => {
    it("names its platform and yields findings that parse with findingSchema", async () => {
      const { source, expected } = await setup();
      expect(source.specificationVersion).toBe("v1");
      expect(source.platform).toBe(platform);
      const findings = await collect(source);
      expect(findings.length).toBe(expected.length);
      for (const finding of findings) {
        const parsed = findingSchema.safeParse(finding);
        expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues[0])).toBe(true);
        expect(finding.source.platform).toBe(platform);
      }
    });

    it("yields the estate's findings with ids stable across two runs", async () => {
      const { source, expected } = await setup();
      const first = (await collect(source)).map((finding) => finding.id).sort();
      const second = (await collect(source)).map((finding) => finding.id).sort();
      expect(first).toEqual(expected);
      expect(second).toEqual(first);
    });

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
      const ids = (await collect(source, { report })).map((finding) => finding.id);
      expect(report.deadLetters.length).toBeGreaterThan(0);
      expect(ids.length).toBeGreaterThan(report.deadLetters.length);
      for (const letter of report.deadLetters) {
        expect(isCloudstewardError(letter.error, "NORMALIZATION")).toBe(true);
        const { path } = letter.error as NormalizationError;
        expect(path.length).toBeGreaterThan(0);
        expect(letter.error.message).toContain(formatPath(path));
        expect(letter.itemId).toBeDefined();
      }
      const dead = report.deadLetters.map((letter) => letter.itemId!);
      expect(dead.filter((id) => ids.includes(id))).toEqual([]);
      expect([...ids, ...dead].sort()).toEqual(expected);
    });

    if (capabilities.resume) {
      it("resumes from the cursor reported after a page and yields exactly the rest", async () => {
        const { source } = await setup();
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
    }

    it("stops fetching when the consumer breaks after ten findings", async () => {
      const { source, probe } = await setup();
      await collect(source);
      const fullRun = probe.count();
      const taken: Finding[] = [];
      for await (const finding of source.findings()) {
        taken.push(finding);
        if (taken.length === 10) break;
      }
      const partialRun = probe.count() - fullRun;
      expect(taken).toHaveLength(10);
      expect(partialRun).toBeLessThan(fullRun);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(probe.count() - fullRun).toBe(partialRun);
    });

    it("rejects with AbortError when the signal is aborted, before or during the run", async () => {
      const { source } = await setup();
      const before = new AbortController();
      before.abort();
      await expect(collect(source, { signal: before.signal })).rejects.toMatchObject({ name: "AbortError" });
      const during = new AbortController();
      const run = (async () => {
        for await (const _ of source.findings({}, { signal: during.signal })) during.abort();
      })();
      await expect(run).rejects.toMatchObject({ name: "AbortError" });
    });

    it("refuses write-back with WriteDisabledError unless allowWrite", async () => {
      const { source } = await setup();
      const [finding] = await collect(source);
      await expect(source.setStatus(finding!.id, { status: statusToWrite })).rejects.toSatisfy((error) =>
        isCloudstewardError(error, "WRITE_DISABLED"),
      );
      await expect(
        source.createException({
          findingId: finding!.id,
          reason: "accepted risk",
          expiresAt: "2099-01-01T00:00:00.000Z",
          requestedBy: "owner@example.com",
          approvedBy: "ciso@example.com",
        }),
      ).rejects.toSatisfy((error) => isCloudstewardError(error, "WRITE_DISABLED"));
      if (capabilities.writeQuery) {
        await expect(source.query(capabilities.writeQuery)).rejects.toSatisfy((error) =>
          isCloudstewardError(error, "WRITE_DISABLED"),
        );
      }
      expect((await source.getFinding(finding!.id))?.status).toBe(finding!.status);
    });

    if (writeBack) {
      it("writes status and exceptions back when allowWrite is set", async () => {
        const { source } = await setup(undefined, true);
        const findings = await collect(source);
        const [first, second] = findings.filter((finding) => finding.status === "open");
        await source.setStatus(first!.id, {
          status: writeBack.status,
          note: "picked up by the platform team",
        });
        expect((await source.getFinding(first!.id))?.status).toBe(writeBack.status);
        const ref = await source.createException({
          findingId: second!.id,
          reason: "accepted risk: marketing launch",
          expiresAt: "2099-01-01T00:00:00.000Z",
          requestedBy: "owner@example.com",
          approvedBy: "ciso@example.com",
        });
        expect(ref.id).toMatch(/\S/);
        expect(writeBack.exceptionStatuses).toContain((await source.getFinding(second!.id))?.status);
        expect(await source.getFinding(`${platform}:does-not-exist`)).toBeUndefined();
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
      await collect(source, { report });
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
      const haystack = [
        ...errors.map(describeError),
        JSON.stringify(events, errorReplacer),
        JSON.stringify(report, errorReplacer),
      ].join("\n");
      expect(events.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(haystack).not.toContain(secret);
    });
  });
}

// Internal helpers.

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
