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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Pick<PolicyIssue, "line" | "column" | "location"> => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col, location: `${filename}:${line}:${col}` };
  };
  if (document.errors.length > 0) {
    const issues: PolicyIssue[] = document.errors.map((error) => ({
      path: [],
      message: `YAML syntax: ${error.message.split("\n")[0]}`,
      ...at(error.pos[0]),
    }));
    throw policyError(issues, filename);
  }
  const { policy, issues, warnings } = validatePolicy(document.toJS() ?? {});
  if (policy) {
    for (const warning of warnings) {
      const offset = locate(document.contents, warning.path);
      options.onWarning?.(offset === undefined ? warning : { ...warning, ...at(offset) });
    }
    return policy;
  }
  const located: PolicyIssue[] = issues.map((issue) => {
    const offset = locate(document.contents, issue.path);
    return offset === undefined ? issue : { ...issue, ...at(offset) };
  });
  throw policyError(located, filename);
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
