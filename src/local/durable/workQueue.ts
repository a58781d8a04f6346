/** Runs queued async work with at most `limit` jobs at once (host.json maxConcurrentActivityFunctions). */
export class WorkQueue {
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;

  constructor(private readonly limit: number) {}

  /** Queues `job`; the returned promise settles when it has run. */
  run(job: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(() => job().finally(resolve));
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running++;
      void next().finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}
