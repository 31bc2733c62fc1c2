/**
 * npm packages imported by a locustfile are resolved as Node would resolve them for the
 * locustfile itself, from its folder, although the bundle runs from a temporary folder.
 * A module-resolution hook (Node's `module.register`) does it: imports made by a module
 * whose URL carries `?cicada-base=<folder URL>` (the bundle) resolve from that folder,
 * static and dynamic `import()`s alike. Everything else resolves as usual, except the
 * package `cicada-load` itself, which is always the running Cicada (one copy of its
 * classes, whatever imports it).
 */
import { register } from "node:module";
import { pathToFileURL } from "node:url";

/** The specifiers a locustfile imports Cicada by: the npm package's name, and the older name. */
export const API_SPECIFIERS = ["cicada-load", "cicada"] as const;

/** The package name, which the hook maps to the running Cicada for modules outside the bundle too. */
const PACKAGE_NAME = API_SPECIFIERS[0];

const HOOK = `
let apiUrl;
export function initialize(data) { apiUrl = data.apiUrl; }
const MARK = "cicada-base=";
export async function resolve(specifier, context, nextResolve) {
  if (specifier === ${JSON.stringify(PACKAGE_NAME)} && apiUrl) return nextResolve(apiUrl, context);
  const parent = context.parentURL;
  const at = parent === undefined ? -1 : parent.indexOf(MARK);
  if (at >= 0 && /^[^./#]/.test(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    const base = decodeURIComponent(parent.slice(at + MARK.length));
    return nextResolve(specifier, { ...context, parentURL: base });
  }
  return nextResolve(specifier, context);
}
`;

let registered = false;

/**
 * The URL to import `file` by so that its npm imports resolve from `packagesDir`; the hook
 * is registered (once) unless the file imports no package (`withPackages` false).
 */
export function importUrlResolvingFrom(file: string, packagesDir: string, withPackages = true): string {
  if (withPackages && !registered) {
    registered = true;
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`, {
      data: { apiUrl: new URL("../index.js", import.meta.url).href },
    });
  }
  // Node resolves packages from the parent's folder upwards: the folder's URL (with its `/`).
  const base = pathToFileURL(`${packagesDir.replace(/[/\\]$/, "")}/`).href;
  return `${pathToFileURL(file).href}?cicada-base=${encodeURIComponent(base)}`;
}

/** The package a failed import could not find (Node's ERR_MODULE_NOT_FOUND "Cannot find package 'x'"). */
export function missingPackageOf(error: unknown): string | undefined {
  if ((error as { code?: unknown })?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  return /Cannot find package '([^']+)'/.exec((error as Error).message)?.[1];
}
