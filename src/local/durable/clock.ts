/** Time for the local durable host: real time for `npm start`, a virtual clock for tests. */

/** A clock that can run callbacks at a time. */
export interface Clock {
  now(): number;
  /** Runs `fn` at `at` (ms since epoch); returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** Wall-clock time with real timers. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  at(at: number, fn: () => void): () => void {
    const timer = setTimeout(fn, Math.max(0, at - Date.now()));
    timer.unref?.();
    return () => clearTimeout(timer);
  }
}

/** A clock that only moves when told to; timers fire in time order as it passes them. */
export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): () => void {
    const timer = { at, seq: this.seq++, fn };
    // Binary search for the first timer due later: equal times keep their order of arming.
    let low = 0, high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.timers[mid]!.at <= at) low = mid + 1;
      else high = mid;
    }
    this.timers.splice(low, 0, timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** How many timers wait (cancelled ones leave at once). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer is due, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /** Moves to `time`, firing every timer due by then, in order. */
  advanceTo(time: number): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= time) {
      const timer = this.timers.shift()!;
      this.current = Math.max(this.current, timer.at);
      timer.fn();
    }
    this.current = Math.max(this.current, time);
  }
}
