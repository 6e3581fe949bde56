/**
 * Memoizes a pure function of one or more strings in a bounded map: when the map holds `limit` entries
 * it is emptied and refilled, so memory stays bounded whatever the input while the hot keys (the same
 * rules, resource types and object keys, repeated across thousands of records) are computed once.
 * Several arguments are keyed by their lengths and values, so no two different argument lists share
 * an entry, whatever characters they hold.
 * @example
 * const categoryOf = memoize((text: string) => slowClassify(text), 4096);
 * const typeOf = memoize((cloud: string, nativeType: string) => mapType(cloud, nativeType), 4096);
 */
export function memoize<A extends string[], T>(compute: (...args: A) => T, limit: number): (...args: A) => T {
  const cache = new Map<string, T>();
  return (...args) => {
    const key = args.length === 1 ? args[0]! : keyOf(args);
    const cached = cache.get(key);
    if (cached !== undefined || cache.has(key)) return cached as T;
    const value = compute(...args);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}

// Internal helpers.

/** `("ab", "c")` → `2:ab1:c`: unambiguous, unlike a join on a separator the strings may contain. */
function keyOf(parts: readonly string[]): string {
  let key = "";
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}
