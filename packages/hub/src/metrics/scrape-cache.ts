import type { Clock } from 'posdiag-protocol';

/**
 * A database read for the metrics, done at most once per `ms` however often they are scraped: a scrape
 * storm costs one query. A failed read is not kept, so the next scrape asks again.
 */
export function scrapeCache<T>(clock: Clock, ms: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = clock.now();
    if (cached && now - cached.at < ms) return cached.value;
    const value = read();
    const entry = { at: now, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
