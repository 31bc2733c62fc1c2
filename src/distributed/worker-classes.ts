/**
 * A worker whose locustfile does not define the master's user classes. The master
 * dispatches users by class name; a worker reports every class it defines (at 0 users
 * when it runs none), so the names it reports tell what it cannot run.
 *
 * A Cicada worker ignores the users of a class it lacks (and says so in its own log); a
 * Locust worker given a class it lacks, even at 0 users, fails in its spawner with
 * `KeyError` and runs no users at all, while it goes on sending heartbeats: from the
 * master it looks alive and idle. Either way the run is not the load that was asked for.
 */
import { EnvironmentError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerNode } from "./worker-nodes.js";

/** What a worker's reported classes say about the users sent to it. */
export interface ClassMismatch {
  /** The master's classes (of this test) the worker does not define. */
  lacking: string[];
  /** Classes the worker defines that the master's locustfile does not. */
  extra: string[];
  /** Users sent to the worker that it cannot run. */
  lostUsers: number;
}

/** The facts about one worker that {@link findClassMismatch} compares. */
export interface WorkerClasses {
  /** The classes of the current test (all, or the class picker's choice). */
  testClasses: readonly string[];
  /** Every class of the master's locustfile. */
  masterClasses: readonly string[];
  /** The class names the worker reports (its user_classes_count keys). */
  reported: readonly string[];
  /** The users per class the master last sent it. */
  sent: Readonly<Record<string, number>>;
  /** A Locust worker: a class it lacks stops all its spawning. */
  isLocust: boolean;
}

/** The mismatch between what the master runs and what a worker defines; undefined when none. */
export function findClassMismatch(worker: WorkerClasses): ClassMismatch | undefined {
  const reported = new Set(worker.reported);
  const master = new Set(worker.masterClasses);
  const lacking = worker.testClasses.filter((name) => !reported.has(name));
  const extra = worker.reported.filter((name) => !master.has(name));
  if (lacking.length === 0 && extra.length === 0) return undefined;
  const sentTo = (names: Iterable<string>) =>
    [...names].reduce((sum, name) => sum + (worker.sent[name] ?? 0), 0);
  const lostUsers =
    lacking.length === 0 ? 0 : worker.isLocust ? sentTo(Object.keys(worker.sent)) : sentTo(lacking);
  return { lacking, extra, lostUsers };
}

/** The warning for a mismatch, naming the worker and the classes. */
function classMismatchWarning(worker: string, mismatch: ClassMismatch, isLocust: boolean): string {
  const { lacking, extra } = mismatch;
  const defines = extra.length > 0 ? ` (it defines ${extra.join(", ")}, which this master does not)` : "";
  if (lacking.length === 0) {
    return `Worker ${worker} defines user class(es) ${extra.join(", ")} that this master's locustfile does not: they get no users`;
  }
  const consequence = isLocust
    ? "a Locust worker sent a class it lacks stops spawning (KeyError in its log) and runs no users at all"
    : "it ignores their users";
  return (
    `Worker ${worker} does not define the user class(es) ${lacking.join(", ")} of this master's locustfile${defines}: ` +
    `${consequence}. Give the master and its workers user classes of the same names`
  );
}

/**
 * Compares what a worker reports defining with this test's classes: warns once per
 * mismatch, and returns the run's problem when users sent to it cannot run.
 */
export function checkWorkerClasses(
  node: WorkerNode,
  testClasses: readonly string[],
  masterClasses: readonly string[],
  logger: Logger,
): EnvironmentError | undefined {
  if (node.reportedClasses === undefined) return undefined;
  const isLocust = node.cicadaVersion === undefined;
  const mismatch = findClassMismatch({
    testClasses,
    masterClasses,
    reported: node.reportedClasses,
    sent: node.sentClassesCount,
    isLocust,
  });
  if (mismatch === undefined) return undefined;
  const warning = classMismatchWarning(`${node.id} (index ${node.index})`, mismatch, isLocust);
  if (node.classWarning !== warning) {
    node.classWarning = warning;
    logger.log(mismatch.lacking.length > 0 ? "WARNING" : "INFO", warning);
  }
  if (mismatch.lostUsers === 0) return undefined;
  return new EnvironmentError(
    "CICADA_ERR_WORKER_USER_CLASSES",
    `worker ${node.id} could not run ${mismatch.lostUsers} of the users sent to it: it does not define the user class(es) ${mismatch.lacking.join(", ")}` +
      (isLocust ? " (a Locust worker then runs no users at all)" : ""),
    {
      hint: "Give every worker a locustfile with the master's user class names (a Cicada worker started with -f - runs the master's own)",
    },
  );
}

/**
 * For a worker lost mid-test that never reported running any of the users sent to it:
 * what it was sent and, if known, the classes it defines (a worker that lacks them may
 * have failed on them). Undefined otherwise.
 */
export function unrunUsersNote(node: WorkerNode, why: "missing" | "quit"): string | undefined {
  if (node.ranUsers || node.sentUserCount === 0) return undefined;
  return (
    `Worker ${node.id} ${why === "quit" ? "quit" : "went missing"} without reporting any of the ${node.sentUserCount} user(s) ` +
    `sent to it running (${JSON.stringify(node.sentClassesCount)}): ` +
    (node.reportedClasses === undefined
      ? "if its locustfile lacks these user classes, it could not run them"
      : `it defines ${node.reportedClasses.join(", ") || "no user class"}`)
  );
}
