/** Capped exponential backoff with jitter: 100 ms, 200 ms, 400 ms … up to `capMs`. */
export function backoffMs(attempt: number, capMs: number, random: () => number = Math.random): number {
  const base = Math.min(capMs, 100 * 2 ** Math.min(attempt, 20));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * Sleeps that a stop request can cut short, so shutdown never waits out an idle poll or a long
 * backoff. One instance per drainer.
 */
export class Sleeper {
  private readonly waiting = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}
