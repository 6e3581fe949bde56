/**
 * Tags from an object map or a `[{ key, value }]` list; values become strings (null ""), malformed entries
 * are skipped, and a tag named `__proto__` stays data.
 */
export function toTags(tags: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (tags === null || typeof tags !== "object") return result;
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (tag !== null && typeof tag === "object") setTag(result, tag.key, tag.value);
    }
  } else {
    for (const key of Object.keys(tags)) setTag(result, key, (tags as Record<string, unknown>)[key]);
  }
  return result;
}

// Internal helpers.

function setTag(tags: Record<string, string>, key: unknown, value: unknown): void {
  if (typeof key !== "string") return;
  const text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // A tag named `__proto__` is data like any other: define it, as assignment would set the prototype.
  if (key === "__proto__")
    Object.defineProperty(tags, key, { value: text, enumerable: true, writable: true });
  else tags[key] = text;
}
