/** Records kept sorted by time then id, indexed by id, re-sorted lazily after changes (the mock's storage). */
export class SortedStore<T extends { id: string }> {
  private items: T[] = [];
  private index = new Map<string, number>();
  private dirty = false;

  constructor(private readonly timeOf: (item: T) => number) {}

  /** Adds records. */
  add(items: readonly T[]): void {
    for (const item of items) this.items.push(item);
    this.dirty = true;
  }

  /** Removes a record; false when there was none. */
  delete(id: string): boolean {
    const at = this.indexOf(id);
    if (at === undefined) return false;
    this.items.splice(at, 1);
    this.dirty = true;
    return true;
  }

  /** All records, oldest first. */
  sorted(): T[] {
    if (this.dirty) {
      this.items.sort((a, b) => this.timeOf(a) - this.timeOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.index = new Map(this.items.map((item, i) => [item.id, i]));
      this.dirty = false;
    }
    return this.items;
  }

  /** Position of a record in {@link sorted}, or undefined. */
  indexOf(id: string): number | undefined {
    this.sorted();
    return this.index.get(id);
  }
}
