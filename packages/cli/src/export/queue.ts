/**
 * A bounded hand-off from a producer that pushes to a consumer that reads an async iterable: the
 * producer waits while `capacity` items are unread, so a slow consumer slows the producer down
 * instead of letting items pile up in memory.
 */
export class BoundedQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  constructor(private readonly capacity = 4) {}

  /** Adds an item, waiting while the queue is full. Throws if the reader gave up. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.failure) await new Promise<void>((r) => (this.wakeWriter = r));
    if (this.failure) throw this.failure;
    this.items.push(item);
    this.wake('reader');
  }

  /** No more items: the reader ends after the ones queued. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  /** The reader stopped (its consumer failed): pending and later pushes throw `error`. */
  fail(error: Error): void {
    this.failure = error;
    this.items.length = 0;
    this.wake('writer');
  }

  private wake(who: 'reader' | 'writer'): void {
    const w = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = null;
    else this.wakeWriter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        this.wake('writer');
        yield item;
        continue;
      }
      if (this.ended || this.failure) return;
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }
}
