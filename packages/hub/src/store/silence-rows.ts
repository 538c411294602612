import type { Matchers } from '../notify/matchers.js';
import type { Silence } from '../notify/silences.js';

/** A silences row as either backend returns it: SQLite's matchers as JSON text, PostgreSQL's bigints as strings. */
export interface SilenceRow {
  id: number | string;
  matchers: string | Matchers;
  starts_at: number | string;
  ends_at: number | string;
  created_by: string;
  comment: string;
}

export function toSilence(r: SilenceRow): Silence {
  return {
    id: String(r.id),
    matchers: typeof r.matchers === 'string' ? (JSON.parse(r.matchers) as Matchers) : r.matchers,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    createdBy: r.created_by,
    comment: r.comment,
  };
}
