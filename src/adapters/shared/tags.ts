/**
 * Tags as the platforms send them: an object map, that map as JSON text (Orca's legacy inventory), or a
 * list of `{ key, value }` / `{ name, value }` entries (Wiz configuration findings, Prisma webhooks).
 * Values become strings (null ""), malformed entries and empty keys are skipped, unreadable text is no
 * tags, and a tag named `__proto__` stays data.
 */
export function toTags(tags: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  const source = typeof tags === "string" ? parseJson(tags) : tags;
  if (source === null || typeof source !== "object") return result;
  if (Array.isArray(source)) {
    for (const entry of source) {
      if (entry !== null && typeof entry === "object") setTag(result, entry.key ?? entry.name, entry.value);
    }
  } else {
    for (const key of Object.keys(source)) setTag(result, key, (source as Record<string, unknown>)[key]);
  }
  return result;
}

// Internal helpers.

function setTag(tags: Record<string, string>, key: unknown, value: unknown): void {
  if (typeof key !== "string" || key === "") return;
  const text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // A tag named `__proto__` is data like any other: define it, as assignment would set the prototype.
  if (key === "__proto__")
    Object.defineProperty(tags, key, { value: text, enumerable: true, writable: true });
  else tags[key] = text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
