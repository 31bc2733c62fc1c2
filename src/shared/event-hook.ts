/**
 * A typed event hook, Locust's `EventHook` in TypeScript: listeners are called in the
 * order they were added; a listener that throws does not stop the others, and its error
 * goes to the hook's `onListenerError` (the environment logs it).
 *
 * @example
 * events.request.addListener((e) => { if (e.exception) console.log(e.name, e.exception) })
 */
export class EventHook<T> {
  private listeners: Array<(payload: T) => void | Promise<void>> = [];

  /** Called when a listener throws or rejects; the environment replaces it to log the error. */
  onListenerError: (error: unknown) => void = () => {};

  /** Adds a listener and returns a function that removes it again. */
  addListener(listener: (payload: T) => void | Promise<void>): () => void {
    this.listeners = [...this.listeners, listener];
    return () => this.removeListener(listener);
  }

  removeListener(listener: (payload: T) => void | Promise<void>): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  /**
   * Calls every listener synchronously. Async listeners are not awaited (use
   * `fireAsync` where the caller must wait, e.g. `testStart`).
   */
  fire(payload: T): void {
    // The array is replaced, never mutated, so a listener that removes itself is safe.
    for (const listener of this.listeners) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.onListenerError(error));
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Calls every listener in order and waits for each one that returns a promise. */
  async fireAsync(payload: T): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
