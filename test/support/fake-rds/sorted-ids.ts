/**
 * A set of identifiers kept in ascending code-unit order, so that a page can be
 * cut with a keyset marker ("everything after id X") in O(log n + page).
 */
export class SortedIds {
  private ids: string[];

  private constructor(ids: string[]) {
    this.ids = ids;
  }

  static empty(): SortedIds {
    return new SortedIds([]);
  }

  /** Builds the index in one sort: use this for seeding, not repeated `insert`. */
  static from(ids: Iterable<string>): SortedIds {
    return new SortedIds([...new Set(ids)].sort(compareIds));
  }

  get size(): number {
    return this.ids.length;
  }

  insert(id: string): void {
    const at = this.lowerBound(id);
    if (this.ids[at] !== id) this.ids.splice(at, 0, id);
  }

  remove(id: string): void {
    const at = this.lowerBound(id);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  has(id: string): boolean {
    return this.ids[this.lowerBound(id)] === id;
  }

  /** Ids strictly after `after` (all ids when undefined), ascending. */
  *after(after: string | undefined): Generator<string> {
    const ids = this.ids;
    for (let i = after === undefined ? 0 : this.upperBound(after); i < ids.length; i++) {
      yield ids[i] as string;
    }
  }

  values(): readonly string[] {
    return this.ids;
  }

  /** First index whose id is >= `id`. */
  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as string) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose id is > `id`. */
  private upperBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as string) <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lazily merges several ascending id streams into one ascending stream without
 * duplicates. Cost per yielded id is O(number of streams), so a union of a few
 * indexes (for example manual + automated snapshots) is still O(page).
 */
export function* mergeAscending(streams: Array<Iterator<string>>): Generator<string> {
  const heads: Array<{ it: Iterator<string>; value: string }> = [];
  for (const it of streams) {
    const next = it.next();
    if (!next.done) heads.push({ it, value: next.value });
  }
  let last: string | undefined;
  while (heads.length > 0) {
    let min = 0;
    for (let i = 1; i < heads.length; i++) {
      if ((heads[i] as { value: string }).value < (heads[min] as { value: string }).value) min = i;
    }
    const head = heads[min] as { it: Iterator<string>; value: string };
    if (head.value !== last) {
      last = head.value;
      yield head.value;
    }
    const next = head.it.next();
    if (next.done) heads.splice(min, 1);
    else head.value = next.value;
  }
}
