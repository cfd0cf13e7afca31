import { useCallback, useEffect, useRef, useState } from "react";
import { subscribeLive, type LiveEventName } from "./live-events";

// Minimal query hook: fetch on key change, keep the previous data while
// refetching, drop out-of-order answers, and refetch (coalesced) on live events.

export type QueryResult<T> = {
  data: T | undefined;
  error: unknown;
  isLoading: boolean;
  isFetching: boolean;
  refetch: () => void;
};

type Options = {
  live?: readonly LiveEventName[];
  // Only refetch for live events this predicate accepts (e.g. same BEO id).
  liveFilter?: (data: Record<string, unknown>) => boolean;
  debounceMs?: number;
  // Keep showing the previous key's data until the new key's answer arrives.
  keepPrevious?: boolean;
};

const cache = new Map<string, unknown>();

export function useApiQuery<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  options: Options = {},
): QueryResult<T> {
  const [data, setData] = useState<T | undefined>(() => (key ? (cache.get(key) as T | undefined) : undefined));
  const [error, setError] = useState<unknown>(null);
  const [isFetching, setIsFetching] = useState(false);
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const requestId = useRef(0);

  useEffect(() => {
    if (!key) return;
    const id = ++requestId.current;
    const controller = new AbortController();
    setIsFetching(true);
    fetcherRef
      .current(controller.signal)
      .then((result) => {
        if (id !== requestId.current) return;
        cache.set(key, result);
        setData(result);
        setError(null);
      })
      .catch((err: unknown) => {
        if (id !== requestId.current || controller.signal.aborted) return;
        setError(err);
      })
      .finally(() => {
        if (id === requestId.current) setIsFetching(false);
      });
    return () => controller.abort();
  }, [key, tick]);

  // When the key changes, show cached data for the new key (or nothing).
  const lastKey = useRef(key);
  if (lastKey.current !== key) {
    lastKey.current = key;
    const cached = key ? (cache.get(key) as T | undefined) : undefined;
    if (cached !== undefined) setData(cached);
    else if (!options.keepPrevious) setData(undefined);
    setError(null);
  }

  const refetch = useCallback(() => setTick((t) => t + 1), []);

  const liveKey = options.live?.join(",") ?? "";
  const filterRef = useRef(options.liveFilter);
  filterRef.current = options.liveFilter;
  const debounceMs = options.debounceMs ?? 250;
  useEffect(() => {
    if (!liveKey || !key) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribeLive(liveKey.split(",") as LiveEventName[], (name, payload) => {
      if (name !== "reconnected" && filterRef.current && !filterRef.current(payload)) return;
      // One refetch per window, `debounceMs` after the first event of a burst: a steady
      // stream of changes (a busy sync) still refreshes the view every window.
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        setTick((t) => t + 1);
      }, debounceMs);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [liveKey, key, debounceMs]);

  return { data, error, isLoading: data === undefined && error === null && key !== null, isFetching, refetch };
}
