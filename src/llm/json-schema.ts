import { z } from "zod";
import { ConfigurationError } from "../core/errors.js";
import type { JSONSchema } from "./language-model.js";

/**
 * Converts a zod 4 schema to a plain JSON Schema describing what the model must produce.
 * Cached per schema object, so repeated calls cost nothing.
 * @throws ConfigurationError when the schema's root is not an object (every provider requires one).
 */
export function toJsonSchema(schema: z.ZodType): JSONSchema {
  const cached = cache.get(schema);
  if (cached) return cached;
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JSONSchema;
  if (json.type !== "object") {
    throw new ConfigurationError(
      "generateObject: the schema's root must be a z.object(…) (model providers require an object at the root). Wrap the value in an object.",
      { option: "schema" },
    );
  }
  cache.set(schema, json);
  return json;
}

/**
 * Adapts a JSON Schema to OpenAI's strict structured-output subset: every object gets
 * `additionalProperties: false` and lists all its properties in `required`, optional properties
 * become nullable, `oneOf` becomes `anyOf`, and keywords outside the subset (`minLength`,
 * `pattern`, `format`, `default`, …) are dropped. The answer is still validated by zod afterwards,
 * and {@link restoreOptionalNulls} turns the nulls of optional properties back into absent keys.
 */
export function toStrictJsonSchema(schema: JSONSchema): JSONSchema {
  return strictNode(schema) as JSONSchema;
}

/**
 * True when {@link toStrictJsonSchema} can represent `schema` without losing anything: false when
 * an object allows open-ended keys (`z.record`, `z.looseObject`), which strict mode cannot express.
 */
export function fitsStrictMode(schema: JSONSchema): boolean {
  return !hasOpenObject(schema);
}

/**
 * Prepares a JSON Schema for a tool's input (Anthropic `input_schema`, Bedrock `inputSchema.json`):
 * the schema as is, minus the `$schema` marker, with `additionalProperties: false` on objects
 * that set nothing, so the model does not invent fields.
 */
export function toToolInputSchema(schema: JSONSchema): JSONSchema {
  return closeObjects(schema) as JSONSchema;
}

/**
 * Removes `null` values of properties that `schema` marks optional and that do not accept `null`,
 * undoing the optional → nullable rewrite of {@link toStrictJsonSchema}. Returns a new value.
 */
export function restoreOptionalNulls(value: unknown, schema: JSONSchema): unknown {
  return restore(value, schema, schema);
}

const cache = new WeakMap<z.ZodType, JSONSchema>();

/** Keywords OpenAI strict mode accepts on every model; anything else is dropped. */
const strictKeywords = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "description",
  "title",
]);

function strictNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictNode);
  if (!isObject(node)) return node;
  const out: JSONSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "oneOf") out.anyOf = strictNode(value);
    else if (key === "properties" || key === "$defs") out[key] = mapValues(value, strictNode);
    else if (strictKeywords.has(key)) out[key] = key === "additionalProperties" ? false : strictNode(value);
  }
  if (isObjectSchema(node)) {
    const properties = isObject(out.properties) ? out.properties : {};
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name)) properties[name] = nullable(property as JSONSchema);
    }
    out.properties = properties;
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  return out;
}

function hasOpenObject(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasOpenObject);
  if (!isObject(node)) return false;
  if (isObject(node.additionalProperties) || node.additionalProperties === true) return true;
  return Object.values(node).some(hasOpenObject);
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!isObject(node)) return node;
  const out: JSONSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema") continue;
    out[key] = key === "properties" || key === "$defs" ? mapValues(value, closeObjects) : closeObjects(value);
  }
  if (isObjectSchema(node) && isObject(node.properties) && node.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function nullable(schema: JSONSchema): JSONSchema {
  if (admitsNull(schema)) return schema;
  if (typeof schema.type === "string" && !schema.enum && !schema.const) {
    return { ...schema, type: [schema.type, "null"] };
  }
  if (Array.isArray(schema.type) && !schema.enum) return { ...schema, type: [...schema.type, "null"] };
  if (Array.isArray(schema.anyOf) && Object.keys(schema).length === 1)
    return { anyOf: [...schema.anyOf, { type: "null" }] };
  return { anyOf: [schema, { type: "null" }] };
}

function admitsNull(schema: JSONSchema): boolean {
  if (schema.type === "null") return true;
  if (Array.isArray(schema.type) && schema.type.includes("null")) return true;
  if (Array.isArray(schema.anyOf))
    return schema.anyOf.some((option) => isObject(option) && admitsNull(option));
  return false;
}

function restore(value: unknown, schema: JSONSchema, root: JSONSchema): unknown {
  const resolved = resolveRef(schema, root);
  if (Array.isArray(value)) {
    const items = resolved.items;
    return isObject(items) ? value.map((item) => restore(item, items, root)) : value;
  }
  if (!isObject(value)) return value;
  if (Array.isArray(resolved.anyOf)) {
    const objectOption = resolved.anyOf.find(
      (option) => isObject(option) && isObjectSchema(resolveRef(option, root)),
    );
    return isObject(objectOption) ? restore(value, objectOption, root) : value;
  }
  if (!isObject(resolved.properties)) return value;
  const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = resolved.properties[key];
    if (!isObject(childSchema)) {
      out[key] = child;
      continue;
    }
    if (child === null && !required.has(key) && !admitsNull(resolveRef(childSchema, root))) continue;
    out[key] = restore(child, childSchema, root);
  }
  return out;
}

function resolveRef(schema: JSONSchema, root: JSONSchema): JSONSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/") || !isObject(root.$defs)) return schema;
  const target = root.$defs[ref.slice("#/$defs/".length)];
  return isObject(target) ? target : schema;
}

function isObjectSchema(node: JSONSchema): boolean {
  return node.type === "object" || (node.type === undefined && isObject(node.properties));
}

function mapValues(value: unknown, map: (child: unknown) => unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, map(child)]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
