import type { Report, Severity } from '../schema.js';

/** Lower goes first when the outbox is full. Self-tests and heartbeats count as `info`. */
const RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, critical: 3 };

export function evictionRank(report: Report): number {
  return report.kind === 'fault' ? RANK[report.severity] : RANK.info;
}

/** Reports in the order they are evicted: lowest severity first, oldest (lowest seq) first within one. */
export function evictionOrder<T extends { report: Report }>(entries: Iterable<T>): T[] {
  return [...entries].sort((a, b) => evictionRank(a.report) - evictionRank(b.report) || a.report.seq - b.report.seq);
}
