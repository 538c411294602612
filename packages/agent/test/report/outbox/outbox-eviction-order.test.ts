import { describe, expect, it } from 'vitest';
import { evictionOrder } from '../../../src/report/outbox/eviction.js';
import { reportSchema, type Report } from 'posdiag-protocol';
import { faultDraft, heartbeatDraft } from '../../helpers/outbox-drafts.js';

const withSeq = (draft: object, seq: number): { report: Report } => ({ report: reportSchema.parse({ ...draft, seq }) });

describe('eviction order', () => {
  it('drops info first, oldest first, and an eviction notice last of all', () => {
    const plain = heartbeatDraft();
    const notice = { ...heartbeatDraft(), outbox: { pending: 3, droppedSeqs: [1, 2], storage: 'disk' } };
    const order = evictionOrder([
      withSeq(notice, 3),
      withSeq(faultDraft({ severity: 'critical' }), 4),
      withSeq(faultDraft({ severity: 'minor' }), 5),
      withSeq(plain, 6),
      withSeq(faultDraft({ severity: 'minor' }), 7),
    ]).map((e) => e.report.seq);
    expect(order).toEqual([6, 5, 7, 4, 3]);
  });
});
