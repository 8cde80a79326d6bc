// Leading + trailing throttle, one window per key: the first hit fires at once, later hits in
// the window are folded into one trailing call with the latest timestamp, so the final state
// is always recorded. `flush()` fires pending trailing calls now (before a pause or unload).

interface KeyState {
  last: number;
  pt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Throttle<K> {
  private readonly state = new Map<K, KeyState>();

  constructor(
    private readonly ms: number,
    private readonly fire: (key: K, pt: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  hit(key: K, pt: number): void {
    let s = this.state.get(key);
    if (!s) {
      if (this.state.size > 64) this.prune();
      s = { last: -Infinity, pt, timer: undefined };
      this.state.set(key, s);
    }
    s.pt = pt;
    if (s.timer !== undefined) return;
    const now = this.now();
    const wait = s.last + this.ms - now;
    if (wait <= 0) {
      s.last = now;
      this.fire(key, pt);
    } else {
      s.timer = setTimeout(() => this.trail(key), wait);
    }
  }

  /** Fires every pending trailing call now. */
  flush(): void {
    for (const [key, s] of this.state) if (s.timer !== undefined) this.trail(key);
  }

  /** Drops pending calls without firing them. */
  cancel(): void {
    for (const s of this.state.values()) clearTimeout(s.timer);
    this.state.clear();
  }

  private trail(key: K): void {
    const s = this.state.get(key);
    if (!s || s.timer === undefined) return;
    clearTimeout(s.timer);
    s.timer = undefined;
    s.last = this.now();
    try {
      this.fire(key, s.pt);
    } catch {
      // Errors stay inside the recorder.
    }
  }

  private prune(): void {
    const now = this.now();
    for (const [key, s] of this.state) if (s.timer === undefined && now - s.last > this.ms) this.state.delete(key);
  }
}
