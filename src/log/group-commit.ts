// Group commit: every caller that submits while a commit is being prepared or running rides in the
// next single transaction, so one fsync acknowledges many concurrent requests.
//
// `maxInFlight` > 1 lets the next group be handed over while the previous one is still committing,
// for a writer that queues groups and commits them in order (the SQLite writer thread): it never
// waits idle for the next group while the event loop gathers it.
export class GroupCommit<I, O> {
  private queue: { items: I[]; resolve: (out: O[]) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly commit: (items: I[]) => Promise<O[]>,
    private readonly maxInFlight = 1,
  ) {}

  submit(items: I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.queue.length > 0 || this.scheduled) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else await new Promise((r) => setImmediate(r));
    }
  }

  private schedule() {
    if (this.scheduled || this.inFlight.size >= this.maxInFlight) return;
    this.scheduled = true;
    // setImmediate lets the requests already parsed in this turn of the event loop join the group.
    setImmediate(() => {
      this.scheduled = false;
      if (this.queue.length === 0) return;
      const running: Promise<void> = this.flush().finally(() => {
        this.inFlight.delete(running);
        if (this.queue.length > 0) this.schedule();
      });
      this.inFlight.add(running);
    });
  }

  private async flush() {
    const group = this.queue;
    this.queue = [];
    try {
      const out = await this.commit(group.flatMap((g) => g.items));
      let offset = 0;
      for (const g of group) {
        g.resolve(out.slice(offset, offset + g.items.length));
        offset += g.items.length;
      }
    } catch (err) {
      for (const g of group) g.reject(err);
    }
  }
}
