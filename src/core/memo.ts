/**
 * Memoizes a pure function of one string in a bounded map: when the map holds `limit` entries it is
 * emptied and refilled, so memory stays bounded whatever the input while the hot keys (the same rules,
 * resource types and object keys, repeated across thousands of records) are computed once.
 * @example
 * const categoryOf = memoize((text: string) => slowClassify(text), 4096);
 */
export function memoize<T>(compute: (key: string) => T, limit: number): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const cached = cache.get(key);
    if (cached !== undefined || cache.has(key)) return cached as T;
    const value = compute(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}
