/** A piece of UI state remembered in localStorage (per browser), e.g. the hidden table columns. */
import { useCallback, useState } from "react";

function read<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}

export function usePersistent<T>(key: string, fallback: T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => read(key, fallback));
  const set = useCallback(
    (next: T) => {
      setValue(next);
      try {
        localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // Private mode: remembered for this page only.
      }
    },
    [key],
  );
  return [value, set];
}
