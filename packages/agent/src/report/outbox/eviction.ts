import type { Report, Severity } from 'posdiag-protocol';

/**
 * Lower goes first when the outbox is full. Self-tests and heartbeats count as `info`, except a
 * heartbeat that announces an eviction: it is the only record of what was lost, so it goes last.
 */
const RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, critical: 3 };
const EVICTION_NOTICE = RANK.critical + 1;

export function evictionRank(report: Report): number {
  if (report.kind === 'fault') return RANK[report.severity];
  if (report.kind === 'heartbeat' && report.outbox.droppedSeqs.length > 0) return EVICTION_NOTICE;
  return RANK.info;
}

/** Reports in the order they are evicted: lowest severity first, oldest (lowest seq) first within one. */
export function evictionOrder<T extends { report: Report }>(entries: Iterable<T>): T[] {
  return [...entries].sort((a, b) => evictionRank(a.report) - evictionRank(b.report) || a.report.seq - b.report.seq);
}
