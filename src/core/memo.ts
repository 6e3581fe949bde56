/**
 * Memoizes a pure function of one or more strings in a bounded map: when the map holds `limit` entries
 * it is emptied and refilled, so memory stays bounded whatever the input while the hot keys (the same
 * rules, resource types and object keys, repeated across thousands of records) are computed once.
 * Several arguments are looked up one map per argument, so no two different argument lists share an
 * entry, whatever characters they hold, and no key string is built on a hit.
 * @example
 * const categoryOf = memoize((text: string) => slowClassify(text), 4096);
 * const typeOf = memoize((cloud: string, nativeType: string) => mapType(cloud, nativeType), 4096);
 */
export function memoize<A extends string[], T>(compute: (...args: A) => T, limit: number): (...args: A) => T {
  const cache = new Map<string, T>();
  // Several arguments: a tree of maps, one level per argument, by argument count; `size` counts leaves.
  const trees = new Map<number, Map<string, unknown>>();
  let size = 0;
  return (...args) => {
    if (args.length === 1) {
      const key = args[0]!;
      const cached = cache.get(key);
      if (cached !== undefined || cache.has(key)) return cached as T;
      const value = compute(...args);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
      return value;
    }
    const last = args.length - 1;
    let level = trees.get(args.length);
    if (level !== undefined) {
      for (let index = 0; index < last && level !== undefined; index++) {
        level = level.get(args[index]!) as Map<string, unknown> | undefined;
      }
      if (level !== undefined) {
        const cached = level.get(args[last]!);
        if (cached !== undefined || level.has(args[last]!)) return cached as T;
      }
    }
    const value = compute(...args);
    if (size >= limit) {
      trees.clear();
      size = 0;
    }
    leafOf(trees, args).set(args[last]!, value);
    size++;
    return value;
  };
}

// Internal helpers.

/** The map holding the last argument of `args`, created along the way. */
function leafOf(trees: Map<number, Map<string, unknown>>, args: readonly string[]): Map<string, unknown> {
  let level = trees.get(args.length);
  if (level === undefined) {
    level = new Map();
    trees.set(args.length, level);
  }
  for (let index = 0; index < args.length - 1; index++) {
    let next = level.get(args[index]!) as Map<string, unknown> | undefined;
    if (next === undefined) {
      next = new Map();
      level.set(args[index]!, next);
    }
    level = next;
  }
  return level;
}
