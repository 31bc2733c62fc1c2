/** Fetches a JSON endpoint now, again whenever `version` changes, and every `everyMs` if given. */
import { useEffect, useState } from "react";
import { getJson } from "../api.js";

export function usePolling<T>(
  path: string,
  version: unknown,
  everyMs?: number,
): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version means fetch again
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
  }, [path, version, everyMs]);
  return { data, error };
}
