import { redact } from "./redact.js";

/**
 * `redact({ findingIds: ids }).findingIds`, remembered by content for the whole process: a case's
 * ids are masked again by each step that carries them (its approval requests in the Store, its
 * explanation, decision, gate, approval and delivery records in the audit log), and masking an id
 * costs a microsecond or two (the secret patterns) while comparing it with a list masked before
 * costs a pointer comparison (the same strings) or a string comparison. A list is reused only when
 * every id is the same as in the remembered one, so the result is exactly what `redact` gives; at
 * most {@link idListLimit} ids are remembered, the least recently used let go first. Returns a
 * fresh array the caller may keep or change.
 * @example
 * const stored = { ...event, findingIds: redactIds(findingIdsOf(item)) };
 */
export function redactIds(ids: readonly string[]): string[] {
  const first = ids[0];
  if (first === undefined) return [];
  const entries = lists.get(first);
  const found = entries?.find((entry) => sameIds(entry.ids, ids));
  if (found) {
    // Most recently used last, so eviction lets go of the oldest.
    lists.delete(first);
    lists.set(first, entries!);
    return found.masked.slice();
  }
  const copy = ids.slice();
  const masked = maskEach(copy);
  const entry = { ids: copy, masked: masked.every((id, index) => id === copy[index]) ? copy : masked };
  lists.delete(first);
  lists.set(first, [...(entries ?? []), entry]);
  size += copy.length;
  for (const [key, oldest] of lists) {
    if (size <= idListLimit || key === first) break;
    lists.delete(key);
    for (const dropped of oldest) size -= dropped.ids.length;
  }
  return entry.masked.slice();
}

// Internal helpers.

/** By the list's first id: the ids as given and as masked (the same array when nothing was masked). */
const lists = new Map<string, { ids: string[]; masked: string[] }[]>();
let size = 0;

/** How many finding ids {@link redactIds} remembers at most, in lists and as clean ids (a few MB of references each). */
const idListLimit = 1 << 18;

/**
 * `redact({ findingIds: ids }).findingIds` (every id is masked as the string it is: the key
 * `findingIds` is not a secret key), skipping the ids already found clean: the ingestion records list
 * every finding's id before the cases that hold them are recorded, so a case's list, new as a list,
 * is made of ids masked once already.
 */
function maskEach(ids: readonly string[]): string[] {
  const masked: string[] = [];
  for (const id of ids) {
    if (typeof id === "string" && cleanIds.has(id)) {
      masked.push(id);
      continue;
    }
    const result = redact(id);
    if (typeof id === "string" && result === id) {
      if (cleanIds.size >= idListLimit) cleanIds.clear();
      cleanIds.add(id);
    }
    masked.push(result);
  }
  return masked;
}

/** Ids `redact` leaves as they are, by content; emptied when it holds {@link idListLimit}. */
const cleanIds = new Set<string>();

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
