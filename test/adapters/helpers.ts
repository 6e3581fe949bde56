import { readFileSync } from "node:fs";
import { type SetupServer, setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { NormalizationError } from "../../src/core/errors.js";
import { type Finding, findingSchema, formatPath } from "../../src/core/finding.js";
import {
  type SandboxHandlers,
  type SandboxHandlersOptions,
  sandboxHandlers,
} from "../../src/testing/msw/sandbox-handlers.js";

/** Every item an async iterable yields, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The error a promise rejects with; throws (failing the test) when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

/** Readers of the JSON files in the `__fixtures__` folder next to a test file. */
export interface Fixtures {
  /** The parsed fixture `<name>.json` (a fresh copy on every call). */
  json(name: string): Record<string, unknown>;
  /** The text of the fixture `<name>.json`. */
  text(name: string): string;
}

/**
 * Reads fixtures from the `__fixtures__` folder beside the test file at `testUrl`.
 * @example const { json: fixture } = readFixtures(import.meta.url);
 */
export function readFixtures(testUrl: string): Fixtures {
  const text = (name: string) => readFileSync(new URL(`./__fixtures__/${name}.json`, testUrl), "utf8");
  return { text, json: (name) => JSON.parse(text(name)) };
}

/**
 * A function that returns the NormalizationError `normalize(record, options)` throws, and fails the test
 * when it throws nothing or another error.
 * @example const normalizationError = normalizationErrors(normalize, { fetchedAt });
 */
export function normalizationErrors<Options>(
  normalize: (record: unknown, options: Options) => unknown,
  options: Options,
): (record: unknown) => NormalizationError {
  return (record) => {
    try {
      normalize(record, options);
    } catch (error) {
      if (error instanceof NormalizationError) return error;
      throw error;
    }
    throw new Error("expected a NormalizationError");
  };
}

/**
 * Declares one test per name, "normalizes <name> into a valid Finding": the finding `normalizeNamed(name)`
 * returns must pass the Finding schema and match the test file's stored snapshot.
 */
export function itNormalizesIntoValidFindings(
  names: readonly string[],
  normalizeNamed: (name: string) => Finding,
): void {
  it.each(names)("normalizes %s into a valid Finding", (name) => {
    const finding = normalizeNamed(name);
    const parsed = findingSchema.safeParse(finding);
    expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues[0])).toBe(true);
    expect(finding).toMatchSnapshot();
  });
}

/**
 * Serves a generated sandbox estate through msw for the calling test file: the server listens (unhandled
 * requests are errors) before the tests, drops handlers a test added with `server.use` after each, and
 * closes after all.
 * @example const { sandbox, server } = serveSandbox({ seed: 5, size: 60, platforms: ["lacework"] });
 */
export function serveSandbox(options: SandboxHandlersOptions): {
  sandbox: SandboxHandlers;
  server: SetupServer;
} {
  const sandbox = sandboxHandlers(options);
  const server = setupServer(...sandbox.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return { sandbox, server };
}

/** A request a {@link recorder} saw. */
export interface RecordedRequest {
  /** The HTTP method. */
  method: string;
  /** The URL path, without the recorder's `basePath`. */
  path: string;
  /** The query string, with its `?` (or empty). */
  search: string;
  /** The request headers. */
  headers: Headers;
  /** The request body as text (empty when there is none). */
  body: string;
}

/**
 * A fetch that records every request it sends on to the global fetch (the msw sandbox or a local server).
 * @param basePath A path prefix to drop from the recorded paths.
 * @default basePath ""
 * @example const probe = recorder("/lacework"); lacework({ ...options, fetch: probe.fetch });
 */
export function recorder(basePath = ""): { fetch: typeof globalThis.fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push({
      method: request.method,
      path: url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname,
      search: url.search,
      headers: request.headers,
      body: await request.clone().text(),
    });
    return globalThis.fetch(request);
  };
  return { fetch, requests };
}

/**
 * Runs `run` with environment variables set (`undefined` unsets one), then restores their previous values.
 * @example await withEnv({ WIZ_WEBHOOK_SECRET: undefined }, () => parseWebhook(request));
 */
export async function withEnv<T>(
  variables: Record<string, string | undefined>,
  run: () => T | Promise<T>,
): Promise<T> {
  const saved = Object.keys(variables).map((name) => [name, process.env[name]] as const);
  try {
    for (const [name, value] of Object.entries(variables)) setEnv(name, value);
    return await run();
  } finally {
    for (const [name, value] of saved) setEnv(name, value);
  }
}

/**
 * Declares one test per record, "checks the type of every field it reads from <name>": normalizing the
 * record through a proxy lists the fields `normalize` reads (present or not, down to `depth`); then each
 * of them is deleted, nulled or set to a value of another type, one at a time, and `normalize` must either
 * return a valid Finding or throw a NormalizationError naming that field (its path, a path inside it, the
 * field holding it, or another field of the object holding it; a top-level field it stands in for
 * mentions it in the message; any field when the change made `kindOf` detect another kind, or none) —
 * never another error, never an invalid Finding.
 * @example itChecksEveryFieldItReads({ issue: fixture("issue") }, (record) => normalize(record, { fetchedAt }), detectWizRecordKind);
 */
export function itChecksEveryFieldItReads(
  records: Record<string, unknown>,
  normalize: (record: unknown) => Finding,
  kindOf: (record: unknown) => string,
  depth = 3,
): void {
  it.each(Object.keys(records))("checks the type of every field it reads from %s", (name) => {
    const record = records[name];
    const paths = fieldsRead(record, normalize, depth);
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) {
      for (const value of changedValues) {
        const changed = withValueAt(record, path, value);
        const where = `${formatPath(path)} = ${JSON.stringify(value)}`;
        let finding: Finding;
        try {
          finding = normalize(changed);
        } catch (error) {
          if (!(error instanceof NormalizationError)) throw new Error(`${where}: ${String(error)}`);
          const named =
            kindIfAny(kindOf, changed) !== kindIfAny(kindOf, record) ||
            isPrefix(path, error.path) ||
            isPrefix(error.path, path) ||
            (path.length > 1 && isPrefix(path.slice(0, -1), error.path)) ||
            error.message.includes(formatPath(path));
          expect(named, `${where}: the error names ${formatPath(error.path)}`).toBe(true);
          continue;
        }
        const parsed = findingSchema.safeParse(finding);
        expect(
          parsed.success,
          `${where}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues[0])}`,
        ).toBe(true);
      }
    }
  });
}

/** What {@link itChecksEveryFieldItReads} sets a field to: absent, null, and one value of each other type. */
const changedValues: readonly unknown[] = [undefined, null, "", "x", 0, 1.5, Number.NaN, true, [], ["a"], {}];

/** True when `path` starts with `prefix`. */
function isPrefix(prefix: readonly (string | number)[], path: readonly (string | number)[]): boolean {
  return prefix.every((part, index) => path[index] === part);
}

/** The kind `kindOf` detects, `undefined` when it detects none. */
function kindIfAny(kindOf: (record: unknown) => string, record: unknown): string | undefined {
  try {
    return kindOf(record);
  } catch {
    return undefined;
  }
}

/** The paths of the fields `normalize` reads from `record` (own data properties and list items), `depth` deep at most. */
function fieldsRead(record: unknown, normalize: (record: unknown) => unknown, depth: number): Path[] {
  const paths = new Map<string, Path>();
  const watch = (value: unknown, path: Path): unknown => {
    if (typeof value !== "object" || value === null || path.length >= depth) return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        const found = Reflect.get(target, key, receiver);
        const list = Array.isArray(target);
        if (typeof key !== "string" || (list ? !/^\d+$/.test(key) : typeof found === "function"))
          return found;
        const at = [...path, list ? Number(key) : key];
        paths.set(JSON.stringify(at), at);
        return watch(found, at);
      },
    });
  };
  normalize(watch(record, []));
  return [...paths.values()];
}

/** A deep copy of `record` with the value at `path` replaced (`undefined` deletes it). */
function withValueAt(record: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(record) as Record<string | number, unknown>;
  let holder = copy;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined && !Array.isArray(holder)) delete holder[last];
  else holder[last] = value;
  return copy;
}

type Path = (string | number)[];

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
