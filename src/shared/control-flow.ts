/**
 * Exceptions a user's task throws to steer its own life, as in Locust
 * (`locust/exception.py`). They are control flow, not errors: the task loop catches
 * them and none is counted in the exceptions table.
 *
 * They live in shared/ because the HTTP client throws `StopUser` too: a request made by
 * a user that is being stopped is refused that way.
 */

/** Stop this user: its `onStop` runs and it is not replaced. */
export class StopUser extends Error {
  constructor(message = "user stopped") {
    super(message);
    this.name = "StopUser";
  }
}

/** End the current task now, then wait as after any task. */
export class RescheduleTask extends Error {
  constructor(message = "task rescheduled") {
    super(message);
    this.name = "RescheduleTask";
  }
}

/** End the current task now and start the next one without waiting. */
export class RescheduleTaskImmediately extends Error {
  constructor(message = "task rescheduled immediately") {
    super(message);
    this.name = "RescheduleTaskImmediately";
  }
}

/**
 * Leave the current TaskSet and return to its parent. With `reschedule` (the default)
 * the parent picks its next task at once; without, the parent waits first.
 */
export class InterruptTaskSet extends Error {
  constructor(readonly reschedule = true) {
    super("task set interrupted");
    this.name = "InterruptTaskSet";
  }
}

/** Stop the whole test from inside a task (headless: quit; web UI: stop). */
export class StopTest extends Error {
  constructor(message = "test stopped by a user") {
    super(message);
    this.name = "StopTest";
  }
}

/** True for the exceptions above, which are never counted as task errors. */
export function isControlFlow(error: unknown): boolean {
  return (
    error instanceof StopUser ||
    error instanceof RescheduleTask ||
    error instanceof RescheduleTaskImmediately ||
    error instanceof InterruptTaskSet ||
    error instanceof StopTest
  );
}
