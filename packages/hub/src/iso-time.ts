/** A time as the API shows it: ms since the epoch to ISO 8601, null staying null. */
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
