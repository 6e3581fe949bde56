import type { EventEmitter } from "eventemitter3";
import {
  type CallOptions,
  ConfigurationError,
  type Finding,
  type FindingQuery,
  type FindingSource,
  formatPath,
  itemIdOf,
  NormalizationError,
  normalizePage,
  type PageNormalizer,
  type PipelineEvents,
  type Platform,
  pinQuery,
  platformSchema,
  recorderOf,
  type Warning,
  warnOnce,
} from "../../toolkit.js";
import { nativeIdOf, normalize } from "./normalize.js";
import { fileOrigin, type OcsfInput, type Origin, type ReadItem, readRecords } from "./read.js";

/** Options of {@link ocsf}. */
export interface OcsfOptions {
  /**
   * OCSF files to read, in order: a JSON array (Prowler `-M json-ocsf` writes one), JSON Lines (one finding
   * per line, as Security Hub exports and most pipelines write), or JSON objects one after another. Files
   * are streamed, never read whole, and read again on every `findings()` call.
   * @example ["output/prowler-output-123456789012-20250214.ocsf.json"]
   */
  files?: string | readonly string[];
  /**
   * A stream to read after `files`: text or bytes of such a document, or parsed records, as an async
   * iterable, an iterable or a web `ReadableStream` (e.g. `(await fetch(url)).body`). A stream can be
   * read once; pass a function returning a fresh one to call `findings()` more than once.
   * @example () => createReadStream("findings.jsonl")
   */
  input?: OcsfInput | (() => OcsfInput);
  /**
   * The platform the findings are filed under: the prefix of every id (`<platform>:<finding_info.uid>`) and
   * the name rules and reports show. A lower-case name; name the tool (`prowler`, `securityhub`) when one
   * tool writes the files, so its ids never collide with another tool's.
   * @default "ocsf"
   */
  platform?: Platform;
  /** Keep each native record in `finding.raw`. @default false */
  keepRaw?: boolean;
  /** Where `warning-raised` and `item-failed` events go. */
  events?: EventEmitter<PipelineEvents>;
}

/**
 * Reads OCSF findings (the Open Cybersecurity Schema Framework's Findings category) from files or a
 * stream: Prowler's `-M json-ocsf` output, AWS Security Hub v2 findings, or any tool that writes OCSF
 * Detection, Compliance or Vulnerability Findings. Built only on `cloudsteward/toolkit`, as a source of
 * your own would be: its findings get the same stable ids and cross-platform `dedupKey`s as the CNAPP
 * adapters', so a Prowler failure and a Wiz issue on the same bucket merge into one case.
 *
 * Read-only (there is no platform to write back to): `capabilities` is `{ getFinding: true }`. Query
 * filters are applied as the records stream by (`projectIds` cannot be, and is reported as unsupported);
 * there are no resume cursors. A record that cannot be read (not JSON, or without `finding_info.uid`) goes
 * to `report.deadLetters` with the path of the problem (`[12].finding_info.uid`: record 12 of its file)
 * and the run goes on; an unreadable value falls back to a safe default with a warning (docs/ocsf.md).
 * @example
 * const source = ocsf({ files: ["prowler-output.ocsf.json"], platform: "prowler" });
 * for await (const finding of source.findings({ status: ["open"] })) console.log(finding.rule.id, finding.resource.id);
 */
export function ocsf(options: OcsfOptions = {}): FindingSource {
  const platform = options.platform ?? "ocsf";
  if (!platformSchema.safeParse(platform).success) {
    throw new ConfigurationError(
      `ocsf: platform "${String(platform).slice(0, 40)}" is not a lower-case name of letters, digits, - and _ (e.g. "prowler").`,
      { option: "platform" },
    );
  }
  const stage = `source:${platform}`;
  let inputRead = false;

  const origins = (): Origin[] => {
    const files = typeof options.files === "string" ? [options.files] : [...(options.files ?? [])];
    const list = files.map(fileOrigin);
    const input = options.input;
    if (input !== undefined) {
      const reusable = typeof input === "function" || Array.isArray(input);
      if (!reusable && inputRead) {
        throw new ConfigurationError(
          "ocsf: `input` was already read by an earlier call; pass a function returning a fresh stream (`input: () => stream`) or `files` to read it again.",
          { option: "input" },
        );
      }
      inputRead ||= !reusable;
      list.push({ name: "input", open: () => (typeof input === "function" ? input() : input) });
    }
    if (list.length === 0) {
      throw new ConfigurationError("ocsf: nothing to read; pass `files` or `input` to ocsf().", {
        option: "files",
      });
    }
    return list;
  };

  const normalizeItem = (
    item: ReadItem,
    fetchedAt: string,
    onWarning: (warning: Warning) => void,
  ): Finding => {
    const where = `${item.origin === "input" ? "input" : `"${item.origin}"`}${item.line === undefined ? "" : ` (line ${item.line})`}`;
    if (item.problem !== undefined) {
      const path = [item.index];
      throw new NormalizationError(`${platform}: record ${formatPath(path)} of ${where} ${item.problem}.`, {
        platform,
        path,
        issues: [{ path, message: item.problem }],
      });
    }
    try {
      return normalize(item.record, { platform, fetchedAt, keepRaw: options.keepRaw, onWarning });
    } catch (error) {
      if (!(error instanceof NormalizationError)) throw error;
      // The path inside the document: record `index` of its file, then the field.
      const path = [item.index, ...error.path];
      const field = formatPath(error.path);
      const text = error.message.startsWith(`${platform}: `)
        ? error.message.slice(platform.length + 2)
        : error.message;
      const message =
        error.path.length > 0 && text.startsWith(field)
          ? `${platform}: ${formatPath(path)} of ${where}${text.slice(field.length)}`
          : `${platform}: record ${formatPath(path)} of ${where}: ${text}`;
      throw new NormalizationError(message, {
        platform,
        path,
        issues: error.issues.map((issue) => ({ ...issue, path: [item.index, ...issue.path] })),
        cause: error,
      });
    }
  };

  async function* read(query: FindingQuery, call: CallOptions): AsyncGenerator<Finding> {
    const signal = call.signal;
    signal?.throwIfAborted();
    if (query.cursor !== undefined && query.cursor !== "") {
      throw new ConfigurationError(
        `${platform}: findings() cannot resume from a cursor (the ocsf reader has no resume capability); read the files again instead.`,
        { option: "cursor" },
      );
    }
    const record = recorderOf(call, options.events);
    const warn = warnOnce(record);
    if (query.projectIds?.length) {
      warn({
        type: "unsupported",
        source: platform,
        feature: "filter.projectIds",
        message: `${platform}: OCSF findings name no projects, so the projectIds filter was not applied.`,
      });
    }
    const matches = matcherOf(query);
    const fetchedAt = new Date().toISOString();
    const page: Omit<PageNormalizer, "normalize"> = {
      matches,
      stage,
      itemId: (item) => itemIdOf(platform, nativeIdOf((item as ReadItem).record)),
      record,
    };
    for await (const item of readRecords(origins(), signal)) {
      signal?.throwIfAborted();
      const [finding] = normalizePage([item], {
        ...page,
        normalize: (record) => normalizeItem(record as ReadItem, fetchedAt, warn),
      });
      if (finding !== undefined) yield finding;
    }
  }

  return {
    specificationVersion: "v1",
    platform,
    capabilities: { getFinding: true },
    findings: (query = {}, call = {}) => {
      // Pinned: a caller changing its query object mid-run cannot change what this run yields.
      const pinned = pinQuery(query) as FindingQuery;
      return { [Symbol.asyncIterator]: () => read(pinned, call) };
    },
    async getFinding(id, call = {}) {
      const nativeId = id.startsWith(`${platform}:`) ? id.slice(platform.length + 1) : id;
      const fetchedAt = new Date().toISOString();
      for await (const item of readRecords(origins(), call.signal)) {
        if (item.record !== undefined && nativeIdOf(item.record) === nativeId) {
          return normalizeItem(item, fetchedAt, warnOnce(recorderOf(call, options.events)));
        }
      }
      return undefined;
    },
  };
}

// Internal helpers.

/** The client-side check of a query: every filter a Finding can answer. */
function matcherOf(query: FindingQuery): (finding: Finding) => boolean {
  const instant = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));
  const createdAfter = instant(query.createdAfter);
  const createdBefore = instant(query.createdBefore);
  const updatedAfter = instant(query.updatedAfter);
  const frameworks = query.frameworks?.map((framework) => framework.toLowerCase());
  return (finding) =>
    (!query.severity?.length || query.severity.includes(finding.severity)) &&
    (!query.status?.length || query.status.includes(finding.status)) &&
    (!query.category?.length || query.category.includes(finding.category)) &&
    (!query.accountIds?.length || query.accountIds.includes(finding.resource.accountId)) &&
    (createdAfter === undefined || Date.parse(finding.firstSeen) >= createdAfter) &&
    (createdBefore === undefined || Date.parse(finding.firstSeen) <= createdBefore) &&
    (updatedAfter === undefined || Date.parse(finding.lastSeen) >= updatedAfter) &&
    (!frameworks?.length ||
      finding.rule.controls.some((control) => frameworks.includes(control.framework.toLowerCase())));
}
