/**
 * .proto files for GrpcUser. A locustfile imports its .proto (`import coupons from
 * "./coupons.proto"`); the locustfile bundler turns that import into a `ProtoSource`,
 * the text of the file and of every file it imports, so the definitions travel inside
 * the bundle to workers started with `-f -` like the rest of the locustfile. Here a
 * ProtoSource becomes a grpc-js package definition (@grpc/proto-loader), once per
 * process.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { PackageDefinition } from "@grpc/proto-loader";

/** A .proto file and the files it imports, by path relative to their common folder. */
export interface ProtoSource {
  readonly kind: "cicada.proto";
  /** The imported file's key in `files`. */
  readonly entry: string;
  /** File texts by relative path ("/" separators). */
  readonly files: Readonly<Record<string, string>>;
}

/** A .proto that cannot be read or does not parse. */
export class ProtoError extends Error {
  /** The absolute path of a .proto that does not exist, when that is the problem. */
  readonly missingPath: string | undefined;

  constructor(message: string, options?: { cause?: unknown; missingPath?: string }) {
    super(message, options);
    this.name = "ProtoError";
    this.missingPath = options?.missingPath;
  }
}

/** True for a ProtoSource (what a `.proto` import gives). */
export function isProtoSource(value: unknown): value is ProtoSource {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "cicada.proto";
}

const importRe = /^\s*import\s+(?:public\s+|weak\s+)?["']([^"']+)["']\s*;/gm;

/** Reads `entryPath` and, recursively, the files it imports (except google/protobuf's, built in). */
export function collectProtoFiles(entryPath: string): ProtoSource {
  const absolute = new Map<string, string>();
  const visit = (path: string, importedFrom: string | undefined) => {
    if (absolute.has(path)) return;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const from = importedFrom === undefined ? "" : ` (imported by ${importedFrom})`;
      const missing = (error as { code?: unknown }).code === "ENOENT";
      throw new ProtoError(
        `cannot read ${path}${from}: ${missing ? "no such file" : (error as Error).message}`,
        {
          cause: error,
          ...(missing ? { missingPath: path } : {}),
        },
      );
    }
    absolute.set(path, text);
    for (const match of text.matchAll(importRe)) {
      const name = match[1]!;
      if (name.startsWith("google/protobuf/")) continue;
      const beside = resolve(dirname(path), name);
      const fromEntry = resolve(dirname(entryPath), name);
      visit(absolute.has(beside) || existsSync(beside) ? beside : fromEntry, path);
    }
  };
  visit(resolve(entryPath), undefined);
  const root = commonFolder([...absolute.keys()]);
  const files: Record<string, string> = {};
  for (const [path, text] of absolute) files[relative(root, path).split(sep).join("/")] = text;
  return { kind: "cicada.proto", entry: relative(root, resolve(entryPath)).split(sep).join("/"), files };
}

const definitions = new WeakMap<ProtoSource, PackageDefinition>();

/** The package definition of a ProtoSource (cached); throws ProtoError when it does not parse. */
export function loadProtoDefinition(source: ProtoSource): PackageDefinition {
  const known = definitions.get(source);
  if (known !== undefined) return known;
  const { loadSync } = createRequire(import.meta.url)(
    "@grpc/proto-loader",
  ) as typeof import("@grpc/proto-loader");
  // proto-loader reads files: write the texts into a private folder for the time of the load.
  const folder = mkdtempSync(join(tmpdir(), "cicada-proto-"));
  try {
    for (const [path, text] of Object.entries(source.files)) {
      const file = join(folder, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const entry = join(folder, source.entry);
    const definition = loadSync(entry, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [folder, dirname(entry)],
    });
    definitions.set(source, definition);
    return definition;
  } catch (error) {
    const message = (error as Error).message.split(folder + sep).join("");
    throw new ProtoError(`${source.entry} does not parse: ${message}`, { cause: error });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function commonFolder(paths: string[]): string {
  let common = dirname(paths[0]!);
  for (const path of paths) {
    while (!`${dirname(path)}${sep}`.startsWith(`${common}${sep}`) && common !== dirname(common)) {
      common = dirname(common);
    }
  }
  return common;
}
