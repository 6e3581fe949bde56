import { readFile } from "node:fs/promises";
import { isCollection, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { ConfigurationError, type ErrorIssue } from "../../core/errors.js";
import { type PolicyWarning, policyError, validatePolicy } from "./define.js";
import type { Policy } from "./schema.js";

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Named in error messages (`policy.yaml:12:5`). @default "policy" */
  filename?: string;
  /**
   * Called once per warning of a valid policy (an `automatic` the gate always holds), with its
   * location, e.g. to print it. @default ignore warnings (`policyWarnings(policy)` lists them too)
   */
  onWarning?: (warning: PolicyWarning & Pick<PolicyIssue, "line" | "column" | "location">) => void;
}

/** An issue of an invalid policy file, with where it is. */
export interface PolicyIssue extends ErrorIssue {
  /** 1-based line of the offending field (or of its nearest parent when the field is missing). */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** `filename:line:column`. */
  location?: string;
}

/**
 * Parses a policy from YAML or JSON text (JSON is read as YAML, so both give line numbers) and
 * validates it like {@link definePolicy}.
 * @throws PolicyError whose `issues` carry the field path plus `line` and `column`, and whose
 * message lists them as `policy.yaml:12:5 rules.0.do.0.kind: …`.
 * @example
 * const policy = loadPolicy(await readFile("policy.yaml", "utf8"), { filename: "policy.yaml" });
 */
export function loadPolicy(text: string, options: LoadPolicyOptions = {}): Policy {
  const filename = options.filename ?? "policy";
  const yaml = parseLocatedYaml(text, filename);
  if (yaml.syntaxIssues.length > 0) throw policyError(yaml.syntaxIssues, filename);
  const { policy, issues, warnings } = validatePolicy(yaml.value ?? {});
  if (policy) {
    for (const warning of warnings) options.onWarning?.({ ...warning, ...yaml.at(warning.path) });
    return policy;
  }
  throw policyError(
    issues.map((issue) => ({ ...issue, ...yaml.at(issue.path) })),
    filename,
  );
}

/** YAML (or JSON) text parsed with the positions of its fields. */
export interface LocatedYaml {
  /** The parsed value (`undefined` for an empty document). */
  value: unknown;
  /** Syntax errors, each with its position; the value is not to be trusted when there are any. */
  syntaxIssues: PolicyIssue[];
  /**
   * Where the field at `path` is: `line`, `column` and `location` (`filename:line:column`) of its
   * value, of its key for a collection, or of its deepest existing parent when it is missing; `{}`
   * when the document has no positions.
   */
  at(path: readonly (string | number)[]): Pick<PolicyIssue, "line" | "column" | "location">;
}

/**
 * Parses YAML (JSON is read as YAML) keeping positions, for validators that report
 * `file:line:column` — the policy file and `exceptions.yaml` use it. Duplicate keys are syntax errors.
 * @example
 * const yaml = parseLocatedYaml(text, "exceptions.yaml");
 * yaml.at(["exceptions", 0, "until"]).location; // "exceptions.yaml:4:12"
 */
export function parseLocatedYaml(text: string, filename: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Pick<PolicyIssue, "line" | "column" | "location"> => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col, location: `${filename}:${line}:${col}` };
  };
  const syntaxIssues = document.errors.map((error) => ({
    path: [],
    message: `YAML syntax: ${error.message.split("\n")[0]}`,
    ...position(error.pos[0]),
  }));
  return {
    value: syntaxIssues.length > 0 ? undefined : document.toJS(),
    syntaxIssues,
    at(path) {
      const offset = locate(document.contents, path);
      return offset === undefined ? {} : position(offset);
    },
  };
}

/**
 * Reads a policy file (`.yaml`, `.yml` or `.json`) and parses it with {@link loadPolicy}.
 * @throws ConfigurationError when the file cannot be read; PolicyError when it is invalid.
 * @example
 * const policy = await loadPolicyFile("examples/policy/policy.yaml");
 */
export async function loadPolicyFile(
  path: string,
  options: Pick<LoadPolicyOptions, "onWarning"> = {},
): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new ConfigurationError(
      `loadPolicyFile: cannot read the policy file ${path} (${code}). Check the path and its permissions.`,
      { option: "path", cause: error },
    );
  }
  return loadPolicy(text, { ...options, filename: path });
}

// Internal helpers.

/**
 * The source offset of the field at `path`: its value for a scalar, its key for a collection, and the
 * deepest existing ancestor's when the field is missing.
 */
function locate(root: unknown, path: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let offset = rangeStart(root);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === part);
      if (pair === undefined) break;
      node = pair.value;
      offset =
        (isCollection(pair.value) ? rangeStart(pair.key) : rangeStart(pair.value)) ?? rangeStart(pair.key);
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(item) ?? offset;
    } else break;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
