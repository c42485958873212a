/** One item waiting for its group, and its caller. */
interface Waiting<T> {
  readonly item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a group is being written wait and go
 * together in the next one, in the order they came, so that many callers
 * share one commit (one flush) instead of one each. The first item of
 * a quiet moment goes at once (no timer, no added latency). Each caller is
 * released when the group holding its item is written, or rejected with
 * that group's error.
 */
export class GroupCommit<T> {
  private readonly queue: Waiting<T>[] = [];
  private writing = false;

  constructor(
    /** Writes one group, in order; throws when none of it can be trusted written. */
    private readonly writeGroup: (items: readonly T[]) => Promise<void>,
    /** The most items in one group. */
    private readonly maxGroup = 256,
  ) {}

  /** Resolves once `item` is written with its group. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Items waiting for a group (not yet being written). */
  waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        try {
          await this.writeGroup(group.map((waiting) => waiting.item));
          for (const waiting of group) waiting.resolve();
        } catch (error) {
          for (const waiting of group) waiting.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
