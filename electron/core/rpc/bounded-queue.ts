/**
 * A FIFO that never holds more than `capacity` items: pushing into a full queue drops the oldest
 * and counts it, so a subscriber that cannot keep up costs bounded memory and learns how much it
 * missed. Array + head index (amortised O(1)), memory proportional to what is actually queued.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private droppedSinceTake = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('capacity must be at least 1');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.length > this.capacity) {
      this.head++;
      this.droppedSinceTake++;
      this.compact();
    }
  }

  last(): T | undefined {
    return this.length ? this.items[this.items.length - 1] : undefined;
  }

  replaceLast(item: T): void {
    if (this.length) this.items[this.items.length - 1] = item;
  }

  /** Up to `max` oldest items, and how many were dropped since the previous take. */
  take(max: number): { items: T[]; dropped: number } {
    const items = this.items.slice(this.head, this.head + max);
    this.head += items.length;
    const dropped = this.droppedSinceTake;
    this.droppedSinceTake = 0;
    this.compact();
    return { items, dropped };
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
