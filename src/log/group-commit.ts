// Group commit: every caller that submits while a commit is being prepared or running rides in the
// next single transaction, so one fsync acknowledges many concurrent requests.
export class GroupCommit<I, O> {
  private queue: { items: I[]; resolve: (out: O[]) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  constructor(private readonly commit: (items: I[]) => Promise<O[]>) {}

  submit(items: I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0 || this.scheduled) {
      if (this.running) await this.running;
      else await new Promise((r) => setImmediate(r));
    }
  }

  private schedule() {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate lets the requests already parsed in this turn of the event loop join the group.
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
      });
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
