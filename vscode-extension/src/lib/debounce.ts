/**
 * Keyed debouncing: run an action once per key after `delayMs` of quiet.
 * Timers are injectable so the unit tests run without waiting.
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class KeyedDebouncer<K> {
  private readonly pending = new Map<K, unknown>();

  constructor(
    private readonly delayMs: number,
    private readonly action: (key: K) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** (Re)start the quiet period for `key`; the action runs when it ends. */
  trigger(key: K): void {
    const existing = this.pending.get(key);
    if (existing !== undefined) {
      this.timers.clearTimeout(existing);
    }
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      this.action(key);
    }, this.delayMs);
    this.pending.set(key, handle);
  }

  /** Run the pending action for `key` now, if any. */
  flush(key: K): void {
    const existing = this.pending.get(key);
    if (existing === undefined) {
      return;
    }
    this.timers.clearTimeout(existing);
    this.pending.delete(key);
    this.action(key);
  }

  cancel(key: K): void {
    const existing = this.pending.get(key);
    if (existing !== undefined) {
      this.timers.clearTimeout(existing);
      this.pending.delete(key);
    }
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    for (const handle of this.pending.values()) {
      this.timers.clearTimeout(handle);
    }
    this.pending.clear();
  }
}
