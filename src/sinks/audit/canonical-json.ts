import { ConfigurationError } from "../../core/errors.js";

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
  const text = serialize(value, "", new Set());
  if (text === undefined) {
    throw new ConfigurationError(
      "canonicalJson: the value has no JSON form (undefined, a function or a symbol).",
    );
  }
  return text;
}

function serialize(input: unknown, key: string, ancestors: Set<object>): string | undefined {
  const value = hasToJson(input) ? input.toJSON(key) : input;
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
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
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const object = value as object;
  if (ancestors.has(object)) {
    throw new ConfigurationError(`canonicalJson: the value contains a cycle at "${key}".`);
  }
  ancestors.add(object);
  let text: string;
  if (Array.isArray(object)) {
    text = `[${object.map((item, index) => serialize(item, String(index), ancestors) ?? "null").join(",")}]`;
  } else {
    const record = object as Record<string, unknown>;
    const members: string[] = [];
    for (const name of Object.keys(record).sort()) {
      const member = serialize(record[name], name, ancestors);
      if (member !== undefined) members.push(`${JSON.stringify(name)}:${member}`);
    }
    text = `{${members.join(",")}}`;
  }
  ancestors.delete(object);
  return text;
}

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}
