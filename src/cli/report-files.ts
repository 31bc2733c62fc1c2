/**
 * How report files are written. A regular file is replaced atomically (written beside it,
 * then renamed over it), so a run killed at any moment leaves complete files. But a rename
 * replaces whatever the path names: a symlink would become a plain file, and a FIFO, a
 * device (`/dev/full`) or `/dev/stdout` in a container would be replaced by a regular file
 * (as root, even the device node). So:
 *
 * - a symlink is followed: its regular file is replaced atomically, the link stays;
 * - a FIFO, a device or any other non-regular file is written in place (opened and written);
 * - a path that does not exist yet is created atomically;
 * - `/dev/stdout`, `/dev/stderr` (links to `/proc/self/fd/N`) go to the CLI's own stdout
 *   and stderr: opening `/proc/self/fd/1` fails (ENXIO) when stdout is a socket, as
 *   under many supervisors and Node's own child processes.
 */
import { lstatSync, readlinkSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { TextSink } from "./io.js";

/** The CLI's standard streams (the `io` of a run), where `/dev/stdout` and `/dev/stderr` reports go. */
export interface StandardStreams {
  stdout: TextSink;
  stderr: TextSink;
}

/** Where and how one report path is written. */
export type ReportTarget =
  /** Written beside `path`, then renamed over it. */
  | { kind: "atomic"; path: string }
  /** Opened and written as it is (FIFO, device). */
  | { kind: "in-place"; path: string }
  /** The CLI's stdout or stderr. */
  | { kind: "stream"; stream: "stdout" | "stderr" };

/** How `path` is written (see the module comment). Never throws: a problem shows when writing. */
export function reportTarget(path: string): ReportTarget {
  const stream = standardStream(path);
  if (stream !== undefined) return { kind: "stream", stream };
  try {
    const stats = statSync(path); // follows symlinks
    if (!stats.isFile()) return { kind: "in-place", path };
    return { kind: "atomic", path: realpathSync(path) };
  } catch {
    // Missing: created here, or where a dangling symlink points.
    return { kind: "atomic", path: danglingLinkTarget(path) ?? path };
  }
}

/**
 * True when `path` names a file that is written as it is, not created or replaced: the
 * standard output or error (or a link to them), or an existing FIFO, device or other file
 * that is neither regular nor a folder (a symlink counts as what it points to).
 */
export function isWrittenInPlace(path: string): boolean {
  const target = reportTarget(path);
  if (target.kind === "stream") return true;
  if (target.kind === "atomic") return false;
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const STREAM_FDS: Record<number, "stdout" | "stderr"> = { 1: "stdout", 2: "stderr" };

/** "stdout"/"stderr" when `path` is, or links to, this process's fd 1 or 2. */
function standardStream(path: string): "stdout" | "stderr" | undefined {
  let current = path;
  for (let hop = 0; hop < 8; hop++) {
    if (current === "/dev/stdout") return "stdout";
    if (current === "/dev/stderr") return "stderr";
    const fd = /^\/(?:proc\/self|dev)\/fd\/(\d+)$/.exec(current)?.[1];
    if (fd !== undefined) return STREAM_FDS[Number(fd)];
    try {
      if (!lstatSync(current).isSymbolicLink()) return undefined;
      current = resolve(dirname(current), readlinkSync(current));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Where a symlink that points to nothing points, or undefined when `path` is not one. */
function danglingLinkTarget(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return undefined;
  }
}

/** Writes a whole report file (see the module comment). */
export function writeReportFile(path: string, text: string, streams?: StandardStreams): void {
  const target = reportTarget(path);
  if (target.kind === "stream" && streams) streams[target.stream].write(text);
  else if (target.kind === "atomic") {
    const temporary = `${target.path}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, target.path);
  } else writeFileSync(path, text);
}

/**
 * {@link writeReportFile} without blocking the event loop (the I/O runs on libuv's threads).
 * Its temporary sibling is not the synchronous writer's, so a final write that overlaps a
 * live one (the watchdog's, which cannot wait) never shares an open file with it.
 */
export async function writeReportFileAsync(
  path: string,
  text: string,
  streams?: StandardStreams,
): Promise<void> {
  const target = reportTarget(path);
  if (target.kind === "stream" && streams) streams[target.stream].write(text);
  else if (target.kind === "atomic") {
    const temporary = `${target.path}.tmp-live`;
    await writeFile(temporary, text);
    await rename(temporary, target.path);
  } else await writeFile(path, text);
}
