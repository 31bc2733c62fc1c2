/**
 * Hooks the task loop calls on users, keyed by symbols so they can never collide with a
 * locustfile's own member names. HttpUser implements them for its HTTP session.
 */
/** Prepare what the user needs before its onStart (a browser user's page); awaited. */
export const kStart = Symbol("cicada.start");
/** Abort in-flight work: the user is being stopped without a stop timeout. */
export const kInterrupt = Symbol("cicada.interrupt");
/** Allow work again (onStop runs after an interrupt). */
export const kResume = Symbol("cicada.resume");
/** A task ended: report deferred (catchResponse) requests it left unresolved. */
export const kTaskEnded = Symbol("cicada.taskEnded");
/** The user is gone: release connections. */
export const kDispose = Symbol("cicada.dispose");
/** Tasks queued with `scheduleTask`, run before the next picked task. */
export const kTaskQueue = Symbol("cicada.taskQueue");
/** An open-model iteration begins: its intended start (epoch ms), for the requests it makes. */
export const kBeginIteration = Symbol("cicada.beginIteration");
/** Marks the MarkovTaskSet class: its tasks are planned from `@transition`s. */
export const kMarkov = Symbol.for("cicada.markov");
/** Records a request event as this user's: its open transactions see it, then `request` fires. */
export const kRecordRequest = Symbol("cicada.recordRequest");
/** The user's transactions, created with its first one. */
export const kTransactions = Symbol("cicada.transactions");
