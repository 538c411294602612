import { createServer } from 'node:net';
import type { StoredReport } from 'posdiag-hub';
import { reportSchema } from 'posdiag-protocol';

/** A TCP port on 127.0.0.1 that was free a moment ago: for a hub that must come back on the same port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** What the hub's store holds for T-0001, read through its HTTP API (`api` = http://host:port/api). */
export async function fetchStoredReports(api: string): Promise<StoredReport[]> {
  const response = await fetch(`${api}/reports?terminal=T-0001`);
  if (!response.ok) throw new Error(`GET /api/reports: ${response.status} ${await response.text()}`);
  return (await response.json()) as StoredReport[];
}

export interface StoredSummary {
  /** Stored seqs, ascending, repeats included. */
  seqs: number[];
  idBySeq: Map<number, string>;
  duplicateIds: string[];
  duplicateSeqs: number[];
  /** Ids of rows that are not valid reports. */
  invalid: string[];
}

/** Sorts the stored rows into the facts the delivery tests assert on. */
export function summarizeStored(rows: readonly StoredReport[]): StoredSummary {
  const ids = new Set<string>();
  const idBySeq = new Map<number, string>();
  const summary: StoredSummary = { seqs: [], idBySeq, duplicateIds: [], duplicateSeqs: [], invalid: [] };
  for (const { receivedAt: _receivedAt, ...report } of rows) {
    if (!reportSchema.safeParse(report).success) summary.invalid.push(report.id);
    if (ids.has(report.id)) summary.duplicateIds.push(report.id);
    if (idBySeq.has(report.seq)) summary.duplicateSeqs.push(report.seq);
    ids.add(report.id);
    idBySeq.set(report.seq, report.id);
    summary.seqs.push(report.seq);
  }
  summary.seqs.sort((a, b) => a - b);
  return summary;
}

/** The seqs of an ascending list that break the run 1, 2, 3, …: empty when it is exactly 1..length. */
export function seqsOutOfPlace(seqs: readonly number[]): number[] {
  return seqs.filter((seq, i) => seq !== i + 1);
}
