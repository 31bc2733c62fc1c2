/**
 * Task execution ratios (Locust's --show-task-ratio and the web UI's "Current ratio"):
 * per user class, the share of tasks each task gets; and in total, weighted by the
 * share of users each class gets.
 */
import type { TaskPlan } from "../user/index.js";
import type { UserClassInfo } from "./user-classes.js";

export interface RatioNode {
  ratio: number;
  tasks?: Record<string, RatioNode>;
}

/**
 * The shares of a plan's tasks, times `scale`. A TaskSet's own tasks are shares of the set
 * (`nested: "within-set"`, Locust's per-class view: they sum to 1) or of everything above
 * it (`"of-total"`: scaled by the set's share).
 */
function planRatios(
  plan: TaskPlan,
  scale: number,
  seen: Set<TaskPlan>,
  nested: "within-set" | "of-total",
): Record<string, RatioNode> {
  const out: Record<string, RatioNode> = {};
  if (plan.totalWeight === 0 || seen.has(plan)) return out;
  seen.add(plan);
  for (const task of plan.tasks) {
    const ratio = (task.weight / plan.totalWeight) * scale;
    const existing = out[task.name];
    const node: RatioNode = { ratio: (existing?.ratio ?? 0) + ratio };
    if (task.plan) {
      node.tasks = planRatios(task.plan(), nested === "of-total" ? node.ratio : 1, new Set(seen), nested);
    }
    out[task.name] = node;
  }
  return out;
}

/** Share of users per class, as the spawner would give them for a large count. */
export function classShares(infos: readonly UserClassInfo[]): Map<string, number> {
  const total = infos.reduce((sum, info) => sum + info.weight, 0);
  return new Map(infos.map((info) => [info.name, total > 0 ? info.weight / total : 0]));
}

/** Ratios of tasks within each class (each class's tasks sum to 1), beside the class's share of users. */
export function taskRatioPerClass(infos: readonly UserClassInfo[]): Record<string, RatioNode> {
  // As Locust's get_ratio(total=False): the class's share of users, its tasks within the class,
  // a TaskSet's tasks within the set.
  const shares = classShares(infos);
  return Object.fromEntries(
    infos.map((info) => [
      info.name,
      { ratio: shares.get(info.name) ?? 0, tasks: planRatios(info.plan, 1, new Set(), "within-set") },
    ]),
  );
}

/** Ratios of tasks over all users: each class scaled by its share of users. */
export function taskRatioTotal(infos: readonly UserClassInfo[]): Record<string, RatioNode> {
  const shares = classShares(infos);
  return Object.fromEntries(
    infos.map((info) => {
      const share = shares.get(info.name) ?? 0;
      return [info.name, { ratio: share, tasks: planRatios(info.plan, share, new Set(), "of-total") }];
    }),
  );
}

/** Text lines of a ratio tree: "  75.0% browse". */
export function formatRatioTree(tree: Record<string, RatioNode>, indent = 0): string[] {
  const lines: string[] = [];
  for (const [name, node] of Object.entries(tree)) {
    lines.push(`${" ".repeat(indent)}${(node.ratio * 100).toFixed(1).padStart(6)}% ${name}`);
    if (node.tasks) lines.push(...formatRatioTree(node.tasks, indent + 4));
  }
  return lines;
}
