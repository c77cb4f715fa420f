import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedDebouncer, Timers } from '../../src/lib/debounce';

/** Timers driven by hand: advance(ms) runs what is due. */
class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.queue].sort((x, y) => x[1].at - y[1].at)) {
      if (t.at <= this.now) {
        this.queue.delete(id);
        t.fn();
      }
    }
  }
  get size(): number {
    return this.queue.size;
  }
}

describe('KeyedDebouncer', () => {
  it('runs once after the quiet period, however often it is triggered', () => {
    const timers = new FakeTimers();
    const calls: string[] = [];
    const debouncer = new KeyedDebouncer<string>(300, (k) => calls.push(k), timers);
    for (let i = 0; i < 10; i++) {
      debouncer.trigger('a');
      timers.advance(100);
    }
    assert.deepEqual(calls, []);
    timers.advance(199);
    assert.deepEqual(calls, []);
    timers.advance(1);
    assert.deepEqual(calls, ['a']);
    assert.equal(debouncer.isPending('a'), false);
  });

  it('keeps keys apart', () => {
    const timers = new FakeTimers();
    const calls: string[] = [];
    const debouncer = new KeyedDebouncer<string>(300, (k) => calls.push(k), timers);
    debouncer.trigger('a');
    timers.advance(200);
    debouncer.trigger('b');
    timers.advance(100);
    assert.deepEqual(calls, ['a']);
    timers.advance(200);
    assert.deepEqual(calls, ['a', 'b']);
  });

  it('flushes, cancels and disposes', () => {
    const timers = new FakeTimers();
    const calls: string[] = [];
    const debouncer = new KeyedDebouncer<string>(300, (k) => calls.push(k), timers);
    debouncer.trigger('a');
    debouncer.flush('a');
    assert.deepEqual(calls, ['a']);
    debouncer.flush('a');
    assert.deepEqual(calls, ['a']);
    debouncer.trigger('b');
    debouncer.cancel('b');
    debouncer.trigger('c');
    debouncer.dispose();
    timers.advance(1000);
    assert.deepEqual(calls, ['a']);
    assert.equal(timers.size, 0);
  });

  it('works with real timers', async () => {
    let count = 0;
    const debouncer = new KeyedDebouncer<number>(20, () => count++);
    debouncer.trigger(1);
    debouncer.trigger(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(count, 1);
  });
});
