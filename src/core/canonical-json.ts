import { ConfigurationError } from "./errors.js";

/**
 * Serializes a value as canonical JSON, the form the audit log hashes: object keys sorted by UTF-16
 * code units, no whitespace, strings escaped and numbers written exactly as `JSON.stringify` does
 * (which makes the output match RFC 8785, the JSON Canonicalization Scheme, for the values the SDK
 * writes). `toJSON` is honoured (dates become ISO strings); `undefined`, functions and symbols are
 * left out of objects and become `null` in arrays, as in `JSON.stringify`. Hash the UTF-8 bytes.
 * Throws a `ConfigurationError` for values JSON cannot hold exactly: `NaN`, `Infinity`, a bigint
 * or a cycle.
 * @example
 * canonicalJson({ b: 1, a: [true, "é"] }); // '{"a":[true,"é"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value, "", []);
  if (text === undefined) {
    throw new ConfigurationError(
      "canonicalJson: the value has no JSON form (undefined, a function or a symbol).",
    );
  }
  return text;
}

function serialize(input: unknown, key: string, ancestors: object[]): string | undefined {
  // Strings first: most members are, and only objects have a `toJSON` to honour.
  if (typeof input === "string") return JSON.stringify(input);
  const value = hasToJson(input) ? input.toJSON(key) : input;
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) {
        throw new ConfigurationError(
          `canonicalJson: ${value} at "${key}" has no JSON form; use null or a string.`,
        );
      }
      return JSON.stringify(value);
    case "bigint":
      throw new ConfigurationError(
        `canonicalJson: a bigint at "${key}" has no exact JSON form; use a string.`,
      );
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  // An array stack rather than a Set: values are shallow, and this is the audit log's hot path.
  if (ancestors.includes(value)) {
    throw new ConfigurationError(`canonicalJson: the value contains a cycle at "${key}".`);
  }
  ancestors.push(value);
  let text: string;
  if (Array.isArray(value) && allStrings(value)) {
    // An array of strings (a case's finding ids: thousands) reads the same either way; the native
    // serializer writes it in one pass.
    text = JSON.stringify(value);
  } else if (Array.isArray(value)) {
    text = "[";
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ",";
      text += serialize(value[index], String(index), ancestors) ?? "null";
    }
    text += "]";
  } else {
    const record = value as Record<string, unknown>;
    text = "{";
    for (const name of Object.keys(record).sort()) {
      const member = serialize(record[name], name, ancestors);
      if (member === undefined) continue;
      if (text.length > 1) text += ",";
      text += `${quotedName(name)}:${member}`;
    }
    text += "}";
  }
  ancestors.pop();
  return text;
}

/**
 * `JSON.stringify(name)` for an object key, kept for the few hundred names a program's records use
 * (findings and audit events repeat the same keys); emptied past 4096 names so memory stays bounded.
 */
function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size >= 4096) quotedNames.clear();
    quotedNames.set(name, quoted);
  }
  return quoted;
}

const quotedNames = new Map<string, string>();

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}

function allStrings(values: readonly unknown[]): values is string[] {
  for (let index = 0; index < values.length; index++) if (typeof values[index] !== "string") return false;
  return true;
}
