import {
  type ContextField,
  type ContextProvider,
  contextFields,
  type ProvidedContext,
} from "../../core/context-provider.js";
import { ConfigurationError } from "../../core/errors.js";
import { parseCsv } from "./parse-csv.js";

/** Which CSV columns hold what. Column names match case-insensitively, ignoring spaces, `-` and `_`. */
export interface CsvColumns {
  /** @default ["resource_id", "resourceid", "id", "arn", "object_id", "cloud_id"] */
  id: string[];
  /** @default ["name", "resource_name", "hostname", "ci_name"] */
  name: string[];
  /** @default ["owner", "owned_by", "owner_email", "managed_by"] */
  owner: string[];
  /** @default ["team", "support_group", "assignment_group", "group"] */
  team: string[];
  /** @default ["environment", "env", "used_for"] */
  environment: string[];
  /** @default ["criticality", "business_criticality", "busines_criticality", "tier"] */
  criticality: string[];
  /** @default ["internet_exposed", "internet_facing", "public"] */
  internetExposed: string[];
  /** @default ["data_classification", "classification", "data_sensitivity"] */
  dataClassification: string[];
}

/** Options of {@link fromCsv}. */
export interface FromCsvOptions {
  /** The provenance of its values. @default "csv" */
  name?: string;
  /** Column names, merged over the defaults. */
  columns?: Partial<CsvColumns>;
  /** @default "," */
  delimiter?: string;
}

/** CSV text, or where to read it. */
export type CsvInput = string | { text: string } | { path: string };

/**
 * Context from a CMDB export in CSV: rows matched to resources by id, then by name (exact first, then
 * case-insensitively). A string holding a line break is CSV text; any other string is a file path, read
 * once on the first lookup. The first row is the header; it must have an id or a name column.
 * @throws ConfigurationError (on the first lookup) when the CSV is malformed or lacks an id/name column.
 * @example
 * enrich({ providers: [fromTags(), fromCsv("./cmdb-export.csv")] });
 */
export function fromCsv(input: CsvInput, options: FromCsvOptions = {}): ContextProvider {
  const name = options.name ?? "csv";
  let index: Promise<CsvIndex> | undefined;
  return {
    name,
    kind: "csv",
    async lookup({ resource }) {
      index ??= readText(input).then((text) => buildIndex(text, name, options));
      const { exact, lowered } = await index;
      for (const key of [resource.id, resource.name]) {
        if (key === "") continue;
        const row = exact.get(key) ?? lowered.get(key.toLowerCase());
        if (row !== undefined) return row;
      }
      return undefined;
    },
  };
}

// Internal helpers.

const defaultColumns: CsvColumns = {
  id: ["resource_id", "resourceid", "id", "arn", "object_id", "cloud_id"],
  name: ["name", "resource_name", "hostname", "ci_name"],
  owner: ["owner", "owned_by", "owner_email", "managed_by"],
  team: ["team", "support_group", "assignment_group", "group"],
  environment: ["environment", "env", "used_for"],
  criticality: ["criticality", "business_criticality", "busines_criticality", "tier"],
  internetExposed: ["internet_exposed", "internet_facing", "public"],
  dataClassification: ["data_classification", "classification", "data_sensitivity"],
};

interface CsvIndex {
  exact: Map<string, ProvidedContext>;
  lowered: Map<string, ProvidedContext>;
}

async function readText(input: CsvInput): Promise<string> {
  if (typeof input === "object") return "text" in input ? input.text : readFile(input.path);
  return /[\r\n]/.test(input) ? input : readFile(input);
}

async function readFile(path: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `fromCsv: cannot read ${path}. Check the path, or pass the CSV text itself.`,
      {
        option: "path",
        cause: error,
      },
    );
  }
}

function buildIndex(text: string, label: string, options: FromCsvOptions): CsvIndex {
  const [header, ...rows] = parseCsv(text, { delimiter: options.delimiter, label: `fromCsv(${label})` });
  const columns = { ...defaultColumns, ...options.columns };
  const positions = new Map((header ?? []).map((column, position) => [compact(column), position]));
  const find = (names: readonly string[]) =>
    names.map((column) => positions.get(compact(column))).find((position) => position !== undefined);
  const idColumn = find(columns.id);
  const nameColumn = find(columns.name);
  if (idColumn === undefined && nameColumn === undefined) {
    throw new ConfigurationError(
      `fromCsv(${label}): the header has no resource id or name column (looked for ${[...columns.id, ...columns.name].join(", ")}). Rename a column or pass \`columns\`.`,
      { option: "columns" },
    );
  }
  const fieldColumns = contextFields
    .map((field) => [field, find(columns[field])] as const)
    .filter((entry): entry is readonly [ContextField, number] => entry[1] !== undefined);
  const index: CsvIndex = { exact: new Map(), lowered: new Map() };
  for (const row of rows) {
    const context: ProvidedContext = {};
    for (const [field, position] of fieldColumns) {
      const value = row[position]?.trim();
      if (value) context[field] = value;
    }
    for (const position of [idColumn, nameColumn]) {
      const key = position === undefined ? undefined : row[position]?.trim();
      if (!key) continue;
      if (!index.exact.has(key)) index.exact.set(key, context);
      if (!index.lowered.has(key.toLowerCase())) index.lowered.set(key.toLowerCase(), context);
    }
  }
  return index;
}

function compact(column: string): string {
  return column.toLowerCase().replace(/[\s_-]/g, "");
}
