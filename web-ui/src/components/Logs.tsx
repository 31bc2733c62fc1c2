/** The Logs tab: this process's log lines, fetched incrementally as the stream announces new ones. */
import { useEffect, useRef, useState } from "react";
import { getJson } from "../api.js";
import { formatTime } from "../format.js";
import { useConnectionEpoch } from "../store.js";
import type { LogLine, LogsResponse } from "../types.js";

const MAX_LINES = 1000;

export function Logs({ version }: { version: number }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const lastSeq = useRef(0);
  const bottom = useRef<HTMLDivElement>(null);
  const epoch = useConnectionEpoch();

  // biome-ignore lint/correctness/useExhaustiveDependencies: a reconnection fetches again (and clears an outage's error)
  useEffect(() => {
    if (version <= lastSeq.current && lastSeq.current !== 0) return;
    let stopped = false;
    getJson<LogsResponse>(`api/logs?after=${lastSeq.current}`)
      .then((response) => {
        if (stopped) return;
        setError(null);
        if (response.lines.length === 0) return;
        lastSeq.current = response.lines[response.lines.length - 1]!.seq;
        setLines((current) => [...current, ...response.lines].slice(-MAX_LINES));
      })
      .catch((e: unknown) => !stopped && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stopped = true;
    };
  }, [version, epoch]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll down whenever lines arrive
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [lines]);

  if (error) return <p className="empty">{error}</p>;
  if (lines.length === 0) return <p className="empty">No log lines yet.</p>;
  return (
    <div className="logs" role="log">
      {lines.map((line) => (
        <div key={line.seq} className={`log-line level-${line.level.toLowerCase()}`}>
          <span className="log-time">{formatTime(line.timeMs)}</span>{" "}
          <span className="log-level">{line.level}</span> <span className="log-message">{line.message}</span>
        </div>
      ))}
      <div ref={bottom} />
    </div>
  );
}
