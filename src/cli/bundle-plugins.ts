/**
 * The esbuild plugins of locustfile bundling: the import of Cicada itself resolves to the
 * running Cicada (a virtual module), npm packages stay out of the bundle, and a .proto
 * import becomes its definitions.
 */
import { isBuiltin } from "node:module";
import { isAbsolute, resolve, sep } from "node:path";
import type { Plugin } from "esbuild";
import { collectProtoFiles, loadProtoDefinition, ProtoError } from "../grpc/proto.js";
import { API_SPECIFIERS } from "./package-resolution.js";

/** `import ... from "cicada-load"` (or "cicada"): the API object the running Cicada put on a global. */
export function cicadaImportPlugin(apiNames: readonly string[]): Plugin {
  const names = new RegExp(`^(${API_SPECIFIERS.map((n) => n.replace(/[-/]/g, "\\$&")).join("|")})$`);
  return {
    name: "cicada-api",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: names }, () => ({ path: "cicada", namespace: "cicada-api" }));
      pluginBuild.onLoad({ filter: /.*/, namespace: "cicada-api" }, () => ({
        loader: "js",
        // Each name bound under a prefix and exported by its own name: the bundle's top level
        // then holds __cicada_User, not User, so a locustfile's own `class User` keeps its
        // name (esbuild renamed it User2, and that name went into the stats and the stub).
        contents: [
          `const __cicada_api = globalThis[Symbol.for("cicada.api")];`,
          `if (!__cicada_api) throw new Error("this locustfile bundle must be run by Cicada");`,
          ...apiNames.map((name) => `const __cicada_${name} = __cicada_api.${name};`),
          `export { ${apiNames.map((name) => `__cicada_${name} as ${name}`).join(", ")} };`,
        ].join("\n"),
      }));
    },
  };
}

/**
 * Leaves npm packages out of the bundle: an import that resolves into a `node_modules`
 * folder stays an import (of the package's name), for Node to load at run time. Imports
 * that resolve elsewhere (a workspace package, a tsconfig `paths` alias) are the
 * project's own code and are bundled; one that does not resolve stays an import too, and
 * fails at load time with an error naming the package.
 */
export const externalPackagesPlugin: Plugin = {
  name: "cicada-external-packages",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.cicadaResolving === true) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const found = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { cicadaResolving: true },
      });
      if (found.errors.length > 0 || found.external || found.path.includes(`${sep}node_modules${sep}`)) {
        return { path: args.path, external: true };
      }
      return { path: found.path, namespace: found.namespace };
    });
  },
};

/**
 * `import defs from "./service.proto"`: the file and those it imports become a
 * `ProtoSource` inside the bundle, so they travel to `-f -` workers with the locustfile.
 * The .proto is read and parsed here, so one that is missing or does not parse stops the
 * run before it starts: each failure is pushed to `failures` (CICADA_ERR_PROTO), and
 * esbuild's error for it gives the import's line. A relative or absolute path is resolved
 * here rather than by esbuild, whose "Could not resolve" would pass for a syntax error.
 */
export function protoImportPlugin(failures: ProtoError[]): Plugin {
  return {
    name: "cicada-proto",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /\.proto$/ }, (args) => {
        if (!isAbsolute(args.path) && !args.path.startsWith(".")) return undefined;
        return { path: resolve(args.resolveDir, args.path) };
      });
      pluginBuild.onLoad({ filter: /\.proto$/ }, (args) => {
        try {
          const source = collectProtoFiles(args.path);
          loadProtoDefinition(source);
          return { loader: "js", contents: `export default ${JSON.stringify(source)};`, watchFiles: [] };
        } catch (error) {
          if (!(error instanceof ProtoError)) throw error;
          failures.push(error);
          return { errors: [{ text: error.message }] };
        }
      });
    },
  };
}
