import { describe, expect, it } from 'vitest';
import { fitLines, truncateUtf8 } from '../../../src/notify/receivers/fit-bytes.js';
import { composeBody, renderNotification } from '../../../src/notify/receivers/templates.js';
import { firing, group, ONSET, paperEnd } from './support/notifications.js';

describe('notification templates', () => {
  it('titles name up to three codes and terminals and count the rest, in either locale', () => {
    const many = group(['T-1', 'T-2', 'T-3', 'T-4'].map((t) => paperEnd(t)));
    expect(renderNotification(many, 'en', 'plain').title).toBe('[FIRING:4] printer.paper_end — 4 terminals');
    expect(renderNotification(many, 'zh-CN', 'plain').title).toBe('[告警:4] printer.paper_end — 4 台终端');
    const mixed = group([
      paperEnd('T-1'),
      paperEnd('T-1', { labels: { ...paperEnd('T-1').labels, code: 'network.link_down', instance: 'eth0' } }),
    ]);
    expect(renderNotification(mixed, 'en', 'plain').title).toBe('[FIRING:2] printer.paper_end, network.link_down — T-1');
  });

  it('a firing title counts only the firing alerts of a group that also holds resolved ones', () => {
    const partly = group([paperEnd('T-1'), paperEnd('T-2', { status: 'resolved', endsAt: ONSET + 1000 })]);
    expect(renderNotification(partly, 'en', 'plain').title).toBe('[FIRING:1] printer.paper_end — T-1');
  });

  it('an alert line names its instance and whether a technician is needed', () => {
    const alert = paperEnd('T-9', {
      labels: { ...paperEnd('T-9').labels, code: 'network.link_down', instance: 'eth0', severity: 'critical' },
      annotations: { summary: { en: 'The network link is down', 'zh-CN': '网络连接断开' }, needsTechnician: true },
    });
    expect(renderNotification(group([alert]), 'zh-CN', 'markdown').lines).toEqual([
      '- **T-9** network.link_down (eth0) · 紧急 · 始于 2026-01-01 08:00:00 UTC · 需要技术员上门 — 网络连接断开',
    ]);
  });

  it('without a console address there is no link line', () => {
    const r = renderNotification({ ...firing, externalURL: '' }, 'en', 'plain');
    expect(r.link).toBeNull();
    expect(composeBody(r, null).split('\n')).toHaveLength(2);
  });
});

describe('fitting a message into bytes', () => {
  const more = (n: number) => `+${n}`;

  it('keeps everything that fits', () => {
    expect(fitLines('head', ['a', 'b'], 100, more)).toBe('head\na\nb');
  });

  it('drops whole lines from the end, leaving room for the count', () => {
    // "head\naaaa\nbbbb" is 14 bytes; with 12 only one line fits beside "+1".
    expect(fitLines('head', ['aaaa', 'bbbb'], 12, more)).toBe('head\naaaa\n+1');
    expect(fitLines('head', ['aaaa', 'bbbb'], 8, more)).toBe('head\n+2');
  });

  it('never cuts a multi-byte character', () => {
    const cut = truncateUtf8('打印机缺纸', 10);
    expect(cut).toBe('打印…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
    expect(truncateUtf8('打印机', 9)).toBe('打印机');
  });
});
