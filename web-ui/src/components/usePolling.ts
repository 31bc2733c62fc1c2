/**
 * Fetches a JSON endpoint now, again whenever `version` changes, every `everyMs` if given,
 * and after the live stream reconnects (which also clears an error of the outage, such as
 * "Failed to fetch", once the server answers again).
 */
import { useEffect, useState } from "react";
import { getJson } from "../api.js";
import { useConnectionEpoch } from "../store.js";

export function usePolling<T>(
  path: string,
  version: unknown,
  everyMs?: number,
): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const epoch = useConnectionEpoch();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version or connection means fetch again
  useEffect(() => {
    let stopped = false;
    const load = () =>
      getJson<T>(path)
        .then((value) => {
          if (stopped) return;
          setData(value);
          setError(null);
        })
        .catch((e: unknown) => !stopped && setError(e instanceof Error ? e.message : String(e)));
    void load();
    const timer = everyMs ? setInterval(load, everyMs) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [path, version, everyMs, epoch]);
  return { data, error };
}
