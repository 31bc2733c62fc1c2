/**
 * A minimal async mutex: a promise queue. Critical sections run one at a time, in the
 * order they asked, even when each one `await`s in the middle. That is exactly what a
 * read-modify-write against a (simulated) database needs: without it, two requests can
 * both read "1 left" before either writes "0 left".
 */
export class AsyncMutex {
  /** Settles when the last queued critical section has finished (successfully or not). */
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `critical` once every earlier caller's section has finished; resolves with its result. */
  run<T>(critical: () => Promise<T>): Promise<T> {
    const result = this.tail.then(critical);
    // The next caller waits for this section to end, but must not inherit its failure.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
