/**
 * Runs async operations one after another, in call order: one device conversation, one log write at a
 * time. A failed operation rejects its own caller and does not hold up the ones queued behind it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Settles once everything queued so far has. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
