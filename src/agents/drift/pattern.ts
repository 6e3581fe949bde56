const compiled = new Map<string, RegExp>();

/** A pattern where `*` matches any run of characters, compared case-insensitively (compiled once). */
export function wildcard(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${source}$`, "is");
    if (compiled.size < 10_000) compiled.set(pattern, regex);
  }
  return regex;
}
