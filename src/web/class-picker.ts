/**
 * The class picker (`--class-picker`, Locust's too): `POST /swarm` may name the user
 * classes a test runs (`user_classes`, a repeated form field or a JSON array) and its load
 * shape (`shape_class`, "Default" or empty for none). Without the picker both fields are
 * ignored, as Locust does. Unlike Locust, which drops unknown names silently, a name the
 * locustfile does not define, or a choice of no class at all, is refused with a message
 * listing what there is.
 */
import type { Environment, ShapeClass } from "../runner/index.js";
import type { FieldProblem } from "./swarm.js";

/** Locust's label for "no load shape" in the picker (its form sends it when none is chosen). */
export const NO_SHAPE = "Default";

/** What a /swarm body chose through the picker; undefined fields keep the current choice. */
export interface ClassChoice {
  /** Class names, in the locustfile's order; undefined = every class (or, mid-test, the current ones). */
  userClasses: string[] | undefined;
  /** The shape to follow, null for none; undefined when the body did not say. */
  shape: ShapeClass | null | undefined;
}

function names(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((item) => typeof item === "string" || typeof item === "number")
    .map((item) => String(item).trim())
    .filter((item) => item !== "");
}

/** Reads `user_classes` and `shape_class`; problems are added to `problems`. */
export function parseClassChoice(
  body: Record<string, unknown>,
  environment: Environment,
  problems: FieldProblem[],
): ClassChoice {
  const infos = environment.userClassInfos;
  let userClasses: string[] | undefined;
  if (body.user_classes !== undefined && body.user_classes !== null) {
    const wanted = new Set(names(body.user_classes));
    const known = infos.map((info) => info.name);
    const listed = `this locustfile has ${known.join(", ")}`;
    const unknown = [...wanted].filter((name) => !known.includes(name));
    if (wanted.size === 0) {
      problems.push({
        field: "user_classes",
        message: `user_classes chose no user class: choose at least one (${listed})`,
      });
    } else if (unknown.length > 0) {
      problems.push({
        field: "user_classes",
        message: `user_classes names no user class of this locustfile: ${unknown.join(", ")} (${listed})`,
      });
    } else {
      userClasses = known.filter((name) => wanted.has(name));
      const spawnable = infos.filter(
        (info) => wanted.has(info.name) && (info.weight > 0 || info.fixedCount > 0),
      );
      if (spawnable.length === 0) {
        problems.push({
          field: "user_classes",
          message: `user_classes chose only classes with weight 0 and no fixedCount (${userClasses.join(", ")}): no user would start; choose another class too`,
        });
      }
    }
  }

  let shape: ShapeClass | null | undefined;
  const rawShape = body.shape_class;
  if (rawShape !== undefined) {
    const [name = ""] = names(rawShape).slice(-1);
    if (name === "" || name === NO_SHAPE) shape = null;
    else {
      shape = environment.availableShapeClasses.find((cls) => cls.name === name);
      if (shape === undefined) {
        const choices = [NO_SHAPE, ...environment.availableShapeClasses.map((cls) => cls.name)];
        problems.push({
          field: "shape_class",
          message: `shape_class names no LoadTestShape of this locustfile: '${name}' (choose one of: ${choices.join(", ")}; ${NO_SHAPE} = none)`,
        });
      }
    }
  }
  return { userClasses, shape };
}

/** The names of the classes the environment runs now. */
export function activeClassNames(environment: Environment): string[] {
  return environment.activeUserClassInfos.map((info) => info.name);
}

/**
 * Why a choice cannot apply to the running test (undefined if it can): classes and shape
 * change only between tests, so the numbers of one test never mix two selections.
 */
export function choiceConflict(choice: ClassChoice, environment: Environment): string | undefined {
  const current = activeClassNames(environment);
  if (choice.userClasses !== undefined && choice.userClasses.join("\n") !== current.join("\n")) {
    return `the user classes cannot change while a test runs (it runs ${current.join(", ")}): stop the test first`;
  }
  if (choice.shape !== undefined && choice.shape !== (environment.shapeClass ?? null)) {
    return `the load shape cannot change while a test runs (it follows ${environment.shapeClass?.name ?? "no shape"}): stop the test first`;
  }
  return undefined;
}
