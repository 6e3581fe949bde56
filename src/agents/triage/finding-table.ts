import type { Finding, Platform } from "../../core/finding.js";
import { severitySchema } from "../../core/finding.js";
import { fnv1a } from "../../core/fingerprint.js";
import type { PriorityFactors, PriorityWeights } from "./priority.js";

/**
 * What triage keeps per finding instead of the finding: a row of a few typed-array columns, the id as
 * UTF-8 in off-heap chunks and the dedupKey packed in 13 bytes (42 bytes a finding plus its id, against
 * 1–2 KB for a parsed finding, and no garbage-collector slack). The
 * values triage groups on are interned as tuples, so a million findings under a few hundred
 * groups hold a few hundred tuples. Full findings are kept only as case samples ({@link CaseSamples}).
 */
export class FindingTable {
  /** Rows so far. */
  length = 0;
  /** Ids, UTF-8 outside the JS heap (no per-string object, no garbage-collector slack). */
  private readonly ids = new StringArena();
  private readonly dedupKeys = new DedupKeyColumn();
  /** Epoch ms of `lastSeen` (NaN when unparsable, as `Date.parse` gives). */
  readonly lastSeen = new Column(Float64Array);
  /** Platform code (index in {@link platforms}). */
  readonly platform = new Column(Uint8Array);
  /** Severity, exposure/production/KEV/exploit flags and data classification, packed. */
  readonly factors = new Column(Uint16Array);
  readonly epss = new InternedColumn();
  /**
   * Interned group-value tuple (≥ 0), or the live suppression rule that matched as `-2 - index`, or
   * -1 (not grouped: failed, or not read yet). Read through {@link tupleOf} and {@link suppressedBy}.
   */
  private readonly tuple = new Column(Int32Array);
  /** Two independent 32-bit hashes of `resource.id` (for `resourceCount`; no per-resource map). */
  readonly resourceHash = new Column(Int32Array);
  readonly resourceHash2 = new Column(Int32Array);
  /** Lapsed suppression rules that matched a row (rare). */
  readonly lapsed = new Map<number, number[]>();
  /** Rows whose suppression or grouping threw, with the finding, for the dead letter. */
  readonly errors = new Map<
    number,
    { finding: Finding; error: unknown; stage: "suppression" | "grouping" }
  >();
  /** Interned platforms, resource ids and group-value tuples. */
  readonly platforms: Platform[] = [];
  readonly tuples: (string | undefined)[][] = [];
  private readonly tupleIndex = new Map<string, number>();

  /** Adds a row and returns its index; the caller fills the remaining columns. */
  add(finding: Finding): number {
    const lastSeen = Date.parse(finding.lastSeen);
    let platform = this.platforms.indexOf(finding.source.platform);
    if (platform < 0) platform = this.platforms.push(finding.source.platform) - 1;
    const row = this.length++;
    this.ids.push(finding.id);
    this.dedupKeys.push(String(finding.dedupKey));
    this.lastSeen.push(lastSeen);
    this.platform.push(platform);
    this.factors.push(0);
    this.epss.push(0);
    this.tuple.push(-1);
    this.resourceHash.push(0);
    this.resourceHash2.push(0);
    return row;
  }

  /** Records the grouping values and priority factors of a row that was not suppressed. */
  setGrouping(
    row: number,
    values: (string | undefined)[],
    factors: PriorityFactors,
    resourceId: string,
  ): void {
    const joined = values.map((value) => (value === undefined ? "\u0001" : value)).join("\u0000");
    let tuple = this.tupleIndex.get(joined);
    if (tuple === undefined) {
      tuple = this.tuples.push(values) - 1;
      this.tupleIndex.set(joined, tuple);
    }
    this.tuple.set(row, tuple);
    this.resourceHash.set(row, fnv1a(resourceId));
    this.resourceHash2.set(row, fnv1a(resourceId, 0x01000193 ^ 0x5bd1e995));
    this.factors.set(row, packFactors(factors));
    this.epss.set(row, factors.epss);
  }

  /** The interned group-value tuple of a row, or -1 when it was not grouped (suppressed or failed). */
  tupleOf(row: number): number {
    return Math.max(this.tuple.get(row), -1);
  }

  /** Records that the live suppression rule at `rule` matched a row (it is then not grouped). */
  suppress(row: number, rule: number): void {
    this.tuple.set(row, -2 - rule);
  }

  /** The index of the live suppression rule that matched a row, or -1. */
  suppressedBy(row: number): number {
    const tuple = this.tuple.get(row);
    return tuple <= -2 ? -2 - tuple : -1;
  }

  /** The priority factors of a row. */
  factorsOf(row: number): PriorityFactors {
    const packed = this.factors.get(row);
    return {
      severity: severities[packed & 7]!,
      exposed: (packed & 8) !== 0,
      production: (packed & 16) !== 0,
      knownExploited: (packed & 32) !== 0,
      exploitAvailable: (packed & 64) !== 0,
      epss: this.epss.get(row),
      classification: classifications[(packed >> 7) & 7]!,
    };
  }

  /** Frees the column only dedup by id reads (`lastSeen`): rows can no longer be compared by id. */
  releaseDedupColumns(): void {
    this.lastSeen.clear();
  }

  /** Frees every column but the ids (the rows cannot be compared or grouped any more). */
  releaseAllButIds(): void {
    this.dedupKeys.clear();
    for (const column of [
      this.lastSeen,
      this.platform,
      this.factors,
      this.epss,
      this.tuple,
      this.resourceHash,
      this.resourceHash2,
    ])
      column.clear();
  }

  /** The id of a row. */
  id(row: number): string {
    return this.ids.get(row);
  }

  /** True when two rows share a dedupKey. */
  sameDedupKey(a: number, b: number): boolean {
    return this.dedupKeys.compare(a, b) === 0;
  }

  /** True when two rows share an id. */
  sameId(a: number, b: number): boolean {
    return this.ids.compare(a, b) === 0;
  }

  /** Id order (for dedup by id): by a hash of the id, then id, then arrival. */
  compareIds(a: number, b: number): number {
    return this.ids.hash(a) - this.ids.hash(b) || this.ids.compare(a, b) || a - b;
  }

  /**
   * Sorts rows into id order ({@link compareIds}): natively by a hash of the id (computed from its
   * bytes as the rows are packed, not kept per row), then each run of rows sharing a hash by comparing ids. `packed` is scratch of at least `rows.length` doubles; it may share
   * `rows`' memory from its start (see {@link sortRowsByPrefix}).
   */
  sortById(rows: Int32Array, packed: Float64Array): void {
    sortRowsByPrefix(
      rows,
      (row) => this.ids.hash(row),
      (a, b) => this.compareIds(a, b),
      packed,
    );
  }

  /**
   * Sorts rows into case order ({@link compare}): natively by the first 32 bits of their dedupKey when
   * every key has the packed form, by comparing rows otherwise. Scratch as {@link sortById}.
   */
  sortByCase(rows: Int32Array, packed: Float64Array): void {
    const compare = (a: number, b: number) => this.compare(a, b);
    if (this.dedupKeys.allPacked)
      sortRowsByPrefix(rows, (row) => this.dedupKeys.firstWord(row), compare, packed);
    else
      sortRows(
        rows,
        compare,
        new Int32Array(packed.buffer, packed.byteOffset + 4 * rows.length, rows.length),
      );
  }

  /** Case order: by dedupKey, then platform, then id (as JavaScript compares strings). */
  compare(a: number, b: number): number {
    const byKey = this.dedupKeys.compare(a, b);
    if (byKey !== 0) return byKey;
    const platformA = this.platforms[this.platform.get(a)]!;
    const platformB = this.platforms[this.platform.get(b)]!;
    if (platformA !== platformB) return platformA < platformB ? -1 : 1;
    return this.ids.compare(a, b) || a - b;
  }
}

/**
 * The full findings kept as case samples: per group-value tuple, the first `size` findings in case
 * order among those seen (a sorted array, so a finding that sorts after a full sample costs one
 * comparison). When cross-platform copies of one issue carry different group values, their case is
 * only known at the end; a copy evicted from its own tuple's sample is then missing from the case's,
 * which stays in case order but may hold fewer than `size` findings.
 */
export class CaseSamples {
  /** Per tuple, the kept rows in case order and their findings, index for index. */
  private readonly byTuple = new Map<number, { rows: number[]; findings: Finding[] }>();

  constructor(
    private readonly table: FindingTable,
    private readonly size: number,
  ) {}

  /** Offers a row's finding to its tuple's sample. */
  offer(row: number, finding: Finding): void {
    const tuple = this.table.tupleOf(row);
    let sample = this.byTuple.get(tuple);
    if (sample === undefined) {
      sample = { rows: [], findings: [] };
      this.byTuple.set(tuple, sample);
    }
    const { rows, findings } = sample;
    if (rows.length >= this.size && this.table.compare(row, rows[rows.length - 1]!) > 0) return;
    let low = 0;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.table.compare(rows[middle]!, row) < 0) low = middle + 1;
      else high = middle;
    }
    // A second copy of a finding (same id and sort key) replaces the first rather than taking a slot.
    for (const index of [low - 1, low]) {
      const existing = rows[index];
      if (existing === undefined || !this.table.sameId(existing, row)) continue;
      if (this.table.lastSeen.get(row) >= this.table.lastSeen.get(existing)) {
        rows[index] = row;
        findings[index] = finding;
      }
      return;
    }
    rows.splice(low, 0, row);
    findings.splice(low, 0, finding);
    if (rows.length > this.size) {
      rows.pop();
      findings.pop();
    }
  }

  /** Every kept row and its finding. */
  *entries(): Iterable<{ row: number; finding: Finding }> {
    for (const { rows, findings } of this.byTuple.values())
      for (let index = 0; index < rows.length; index++)
        yield { row: rows[index]!, finding: findings[index]! };
  }
}

/**
 * Sorts rows in place by `compare`, stably, with one `Int32Array` of scratch (`scratch`, at least as
 * long as `rows`, when the caller has one to reuse): `TypedArray#sort` with a comparator copies the
 * rows into two boxed arrays on the heap (16 bytes a row), which at a million rows was a peak of its own.
 */
export function sortRows(
  rows: Int32Array,
  compare: (a: number, b: number) => number,
  scratch: Int32Array = new Int32Array(rows.length),
): void {
  const length = rows.length;
  // Insertion sort of short runs, then bottom-up merges of runs twice as long each pass.
  const run = 16;
  for (let start = 0; start < length; start += run) {
    const end = Math.min(start + run, length);
    for (let index = start + 1; index < end; index++) {
      const value = rows[index]!;
      let at = index - 1;
      for (; at >= start && compare(rows[at]!, value) > 0; at--) rows[at + 1] = rows[at]!;
      rows[at + 1] = value;
    }
  }
  if (length <= run) return;
  let from: Int32Array = rows;
  let to: Int32Array = scratch.subarray(0, length);
  for (let width = run; width < length; width *= 2) {
    for (let left = 0; left < length; left += 2 * width) {
      const middle = Math.min(left + width, length);
      const right = Math.min(left + 2 * width, length);
      if (middle >= right || compare(from[middle - 1]!, from[middle]!) <= 0) {
        // Already in order (input that arrives sorted costs one comparison per run).
        to.set(from.subarray(left, right), left);
        continue;
      }
      let low = left;
      let high = middle;
      let out = left;
      while (low < middle && high < right)
        to[out++] = compare(from[high]!, from[low]!) < 0 ? from[high++]! : from[low++]!;
      while (low < middle) to[out++] = from[low++]!;
      while (high < right) to[out++] = from[high++]!;
    }
    [from, to] = [to, from];
  }
  if (from !== rows) rows.set(from);
}

/**
 * Sorts rows in place by `compare`, whose first criterion is `prefix(row)`, an unsigned 32-bit number
 * (a smaller prefix sorts first). Each row is packed with its prefix's leading bits into one double
 * (`prefix × 2^rowBits + row`, exact below 2^53), the doubles are sorted natively (no call per
 * comparison: about ten times faster than {@link sortRows} at 100,000 rows), and each run of rows
 * sharing those bits is then sorted by `compare`.
 *
 * `packed` holds at least `rows.length` doubles and may start where `rows` starts (one buffer for
 * both, 8 bytes a row): packing walks backwards and unpacking forwards, so neither overwrites a row
 * or a double it has yet to read; then 4 bytes a row past `rows` are scratch for the runs.
 */
export function sortRowsByPrefix(
  rows: Int32Array,
  prefix: (row: number) => number,
  compare: (a: number, b: number) => number,
  packed: Float64Array,
): void {
  const length = rows.length;
  if (length < 2) return;
  let highest = 0;
  for (let index = 0; index < length; index++) highest = Math.max(highest, rows[index]!);
  const rowBits = Math.max(1, Math.ceil(Math.log2(highest + 1)));
  const rowSpan = 2 ** rowBits;
  const dropped = Math.max(0, rowBits - 21);
  const keys = packed.subarray(0, length);
  for (let index = length - 1; index >= 0; index--) {
    const row = rows[index]!;
    keys[index] = Math.floor(prefix(row) / 2 ** dropped) * rowSpan + row;
  }
  keys.sort();
  for (let index = 0; index < length; index++) {
    const value = keys[index]!;
    rows[index] = value - Math.floor(value / rowSpan) * rowSpan;
  }
  // Every double is read: the memory past `rows` is free for sorting the runs.
  const scratch = new Int32Array(packed.buffer, packed.byteOffset + 4 * length, length);
  let runStart = 0;
  let runKey = Math.floor(prefix(rows[0]!) / 2 ** dropped);
  for (let index = 1; index <= length; index++) {
    const key = index < length ? Math.floor(prefix(rows[index]!) / 2 ** dropped) : -1;
    if (key === runKey) continue;
    if (index - runStart > 1) sortRows(rows.subarray(runStart, index), compare, scratch);
    runStart = index;
    runKey = key;
  }
}

/** Packs severity, the four flags and the classification into 10 bits. */
function packFactors(factors: PriorityFactors): number {
  return (
    severities.indexOf(factors.severity) |
    (factors.exposed ? 8 : 0) |
    (factors.production ? 16 : 0) |
    (factors.knownExploited ? 32 : 0) |
    (factors.exploitAvailable ? 64 : 0) |
    (classifications.indexOf(factors.classification) << 7)
  );
}

const severities = severitySchema.options;
const classifications: PriorityFactors["classification"][] = [
  "restricted",
  "confidential",
  "internal",
  "public",
  "unknown",
] satisfies (keyof PriorityWeights["dataClassification"])[];

type TypedArray = Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

const chunkBits = 16;
const chunkRows = 1 << chunkBits;
const chunkMask = chunkRows - 1;

/**
 * A column of numbers with few distinct values (EPSS scores: at most 100,001 at five decimals, far
 * fewer in one estate) in 2 bytes a row: the index of the row's value among the distinct values
 * seen, or {@link overflowCode} past 65,535 of them, the value then kept in a map by row.
 */
class InternedColumn {
  private readonly codes = new Column(Uint16Array);
  private readonly values: number[] = [];
  private readonly codeOf = new Map<number, number>();
  private readonly overflow = new Map<number, number>();

  push(value: number): void {
    this.codes.push(0);
    this.set(this.codes.length - 1, value);
  }

  get(index: number): number {
    const code = this.codes.get(index);
    return code === overflowCode ? this.overflow.get(index)! : this.values[code]!;
  }

  set(index: number, value: number): void {
    let code = this.codeOf.get(value);
    if (code === undefined && this.values.length < overflowCode) {
      code = this.values.push(value) - 1;
      this.codeOf.set(value, code);
    }
    if (code === undefined) this.overflow.set(index, value);
    else this.overflow.delete(index);
    this.codes.set(index, code ?? overflowCode);
  }

  clear(): void {
    this.codes.clear();
    this.values.length = 0;
    this.codeOf.clear();
    this.overflow.clear();
  }
}

const overflowCode = 0xffff;

/** A growable column of numbers in fixed-size typed-array chunks (growing never copies). */
class Column<T extends TypedArray> {
  private readonly chunks: T[] = [];
  /** Rows so far. */
  length = 0;

  constructor(private readonly type: new (length: number) => T) {}

  push(value: number): void {
    if ((this.length & chunkMask) === 0) this.chunks.push(new this.type(chunkRows));
    this.chunks[this.length >>> chunkBits]![this.length & chunkMask] = value;
    this.length++;
  }

  get(index: number): number {
    return this.chunks[index >>> chunkBits]![index & chunkMask]!;
  }

  clear(): void {
    this.chunks.length = 0;
    this.length = 0;
  }

  set(index: number, value: number): void {
    this.chunks[index >>> chunkBits]![index & chunkMask] = value;
  }
}

const arenaChunkBytes = 1 << 20;
const encoder = new TextEncoder();

/**
 * Strings appended as UTF-8 into 1 MiB chunks, addressed by their index: 4 bytes of address per
 * string (chunk and offset packed in one int). A string ends where the next one in its chunk starts,
 * or at its chunk's end; the few that are not pure ASCII are listed apart (compared by decoding).
 */
class StringArena {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in each chunk (the current one's is {@link used}). */
  private readonly chunkEnds: number[] = [];
  /** `chunk << 20 | offset`. */
  private readonly position = new Column(Int32Array);
  /** Indexes of the strings that are not pure ASCII. */
  private readonly notAscii = new Set<number>();
  private current = Buffer.alloc(0);
  private used = 0;

  push(value: string): void {
    const ascii = isAscii(value);
    const bytes = ascii ? value.length : Buffer.byteLength(value, "utf8");
    // `>=`: a chunk that is exactly full takes no more strings, so an offset always fits in 20 bits.
    if (this.chunks.length === 0 || this.used + bytes >= this.current.length) {
      if (this.chunks.length > 0) this.chunkEnds.push(this.used);
      // A string longer than a chunk gets a chunk of its own.
      this.current = Buffer.alloc(Math.max(arenaChunkBytes, bytes));
      this.chunks.push(this.current);
      this.used = 0;
    }
    if (ascii)
      for (let index = 0; index < bytes; index++) this.current[this.used + index] = value.charCodeAt(index);
    else {
      encoder.encodeInto(value, this.current.subarray(this.used, this.used + bytes));
      this.notAscii.add(this.position.length);
    }
    this.position.push(((this.chunks.length - 1) << 20) | this.used);
    this.used += bytes;
  }

  clear(): void {
    this.chunks.length = 0;
    this.chunkEnds.length = 0;
    this.position.clear();
    this.notAscii.clear();
    this.current = Buffer.alloc(0);
    this.used = 0;
  }

  /** The string at `index`, decoded straight from its chunk (no view object per string: a case's ids are decoded by the thousand). */
  get(index: number): string {
    const position = this.position.get(index);
    const start = position & 0xfffff;
    const end = this.end(index, position);
    const chunk = this.chunks[position >>> 20]!;
    return this.notAscii.has(index)
      ? chunk.toString("utf8", start, end)
      : chunk.toString("latin1", start, end);
  }

  /** Compares two strings as JavaScript's `<` does (UTF-16 code units). */
  compare(a: number, b: number): number {
    if (this.notAscii.size > 0 && (this.notAscii.has(a) || this.notAscii.has(b))) {
      const left = this.get(a);
      const right = this.get(b);
      return left < right ? -1 : left > right ? 1 : 0;
    }
    const positionA = this.position.get(a);
    const positionB = this.position.get(b);
    const chunkA = this.chunks[positionA >>> 20]!;
    const chunkB = this.chunks[positionB >>> 20]!;
    const startA = positionA & 0xfffff;
    const startB = positionB & 0xfffff;
    const sizeA = this.end(a, positionA) - startA;
    const sizeB = this.end(b, positionB) - startB;
    const shared = Math.min(sizeA, sizeB);
    for (let index = 0; index < shared; index++) {
      const difference = chunkA[startA + index]! - chunkB[startB + index]!;
      if (difference !== 0) return difference;
    }
    return sizeA - sizeB;
  }

  /** FNV-1a over the string's UTF-8 bytes, unsigned: equal strings hash alike. */
  hash(index: number): number {
    const position = this.position.get(index);
    const chunk = this.chunks[position >>> 20]!;
    const end = this.end(index, position);
    let hash = 0x811c9dc5;
    for (let at = position & 0xfffff; at < end; at++) hash = Math.imul(hash ^ chunk[at]!, 0x01000193);
    return hash >>> 0;
  }

  /** Where the string at `index` (at `position`) ends in its chunk. */
  private end(index: number, position: number): number {
    const chunk = position >>> 20;
    if (index + 1 < this.position.length) {
      const next = this.position.get(index + 1);
      if (next >>> 20 === chunk) return next & 0xfffff;
    }
    return chunk < this.chunkEnds.length ? this.chunkEnds[chunk]! : this.used;
  }
}

/**
 * DedupKeys in 13 bytes a row: the form every adapter's `dedupKey()` gives (`dk_` and 24 lowercase
 * hex digits) as three 32-bit words, which order as the strings do; a key of any other form goes to a
 * string arena beside (its index in the first word, flagged in `isOther`), and is compared as a string.
 */
class DedupKeyColumn {
  private readonly words = [new Column(Int32Array), new Column(Int32Array), new Column(Int32Array)];
  /** 1 for a key of another form (the first word is then its index in `others`). */
  private readonly isOther = new Column(Uint8Array);
  private readonly others = new StringArena();
  private otherCount = 0;

  push(key: string): void {
    if (!packedDedupKey.test(key)) {
      this.words[0]!.push(this.otherCount++);
      this.words[1]!.push(0);
      this.words[2]!.push(0);
      this.isOther.push(1);
      this.others.push(key);
      return;
    }
    this.words.forEach((column, word) => {
      let value = 0;
      for (let index = 3 + 8 * word; index < 11 + 8 * word; index++) {
        const code = key.charCodeAt(index);
        value = (value << 4) | (code <= 0x39 ? code - 0x30 : code - 0x57);
      }
      column.push(value);
    });
    this.isOther.push(0);
  }

  /** True when every key so far has the packed form (so {@link firstWord} orders rows as the keys do). */
  get allPacked(): boolean {
    return this.otherCount === 0;
  }

  /** The first 32 bits of a packed key, unsigned: keys with a smaller first word sort first. */
  firstWord(row: number): number {
    return this.words[0]!.get(row) >>> 0;
  }

  /** Compares two rows' keys as JavaScript's `<` compares the strings. */
  compare(a: number, b: number): number {
    if (this.isOther.get(a) === 0 && this.isOther.get(b) === 0) {
      for (const column of this.words) {
        const left = column.get(a) >>> 0;
        const right = column.get(b) >>> 0;
        if (left !== right) return left < right ? -1 : 1;
      }
      return 0;
    }
    const left = this.text(a);
    const right = this.text(b);
    return left < right ? -1 : left > right ? 1 : 0;
  }

  clear(): void {
    for (const column of [...this.words, this.isOther]) column.clear();
    this.others.clear();
    this.otherCount = 0;
  }

  private text(row: number): string {
    if (this.isOther.get(row) === 1) return this.others.get(this.words[0]!.get(row));
    return `dk_${this.words.map((column) => (column.get(row) >>> 0).toString(16).padStart(8, "0")).join("")}`;
  }
}

const packedDedupKey = /^dk_[0-9a-f]{24}$/;

function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index++) if (value.charCodeAt(index) > 0x7f) return false;
  return true;
}
