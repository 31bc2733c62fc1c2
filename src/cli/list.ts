/** Output of -l/--list and --show-task-ratio(-json). */
import { type Environment, formatRatioTree, taskRatioPerClass, taskRatioTotal } from "../runner/index.js";
import type { TaskPlan } from "../user/index.js";

function planLines(plan: TaskPlan, indent: number): string[] {
  const lines: string[] = [];
  for (const t of plan.tasks) {
    const tags = t.tags.size > 0 ? `  [tags: ${[...t.tags].join(", ")}]` : "";
    lines.push(`${" ".repeat(indent)}${t.name} (weight ${t.weight})${tags}`);
    if (t.plan) lines.push(...planLines(t.plan(), indent + 4));
  }
  return lines;
}

export function listUserClasses(environment: Environment): string[] {
  const lines = ["Available user classes:"];
  for (const info of environment.userClassInfos) {
    const share = info.fixedCount > 0 ? `fixedCount ${info.fixedCount}` : `weight ${info.weight}`;
    lines.push(`    ${info.name} (${share})${info.host ? ` host ${info.host}` : ""}`);
    lines.push(...planLines(info.plan, 8));
  }
  if (environment.shapeClass) lines.push(`Load shape: ${environment.shapeClass.name}`);
  return lines;
}

export function taskRatioText(environment: Environment): string[] {
  const infos = environment.userClassInfos;
  return [
    "Task ratio per user class",
    "-".repeat(60),
    ...formatRatioTree(taskRatioPerClass(infos)),
    "",
    "Total task ratio",
    "-".repeat(60),
    ...formatRatioTree(taskRatioTotal(infos)),
    "",
  ];
}

export function taskRatioJson(environment: Environment): string {
  const infos = environment.userClassInfos;
  return JSON.stringify({ per_class: taskRatioPerClass(infos), total: taskRatioTotal(infos) }, null, 2);
}
