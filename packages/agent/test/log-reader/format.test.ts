import { describe, expect, it } from 'vitest';
import { formatEntry, parseSince, type LogEntry } from '../../src/log-reader/reader.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('parseSince', () => {
  it.each([
    ['30s', NOW - 30_000],
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['1d', NOW - 86_400_000],
    [' 0m ', NOW],
    ['2026-11-23T04:00:00Z', Date.UTC(2026, 10, 23, 4)],
    ['2026-11-23T04:00:00.250+08:00', Date.UTC(2026, 10, 22, 20, 0, 0, 250)],
    ['2026-11-23 04:00', new Date(2026, 10, 23, 4).getTime()],
    ['2026-11-23', new Date(2026, 10, 23).getTime()],
  ])('%s', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it.each(['', '10', 'm', '10 m', '-5m', '1.5h', '10y', 'yesterday', '2026-13-45', '2026-11-23T25:00'])('rejects %j', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(/invalid --since .*30s, 10m, 2h or 1d.*ISO 8601/);
  });
});

describe('formatEntry', () => {
  const entry: LogEntry = {
    time: '2026-11-23T04:01:02.345Z',
    level: 'warn',
    pid: 42,
    name: 'posdiag',
    device: 'printer',
    fault: 'printer.paper_end',
    msg: 'paper end',
    status_hex: '72',
    evidence: { 'printer.paper': 'end' },
    note: 'two words',
    retry: false,
  };

  it('prints time, level, device, fault, message, then the other fields as key=value', () => {
    expect(formatEntry(entry, { color: false, utc: true })).toBe(
      '2026-11-23 04:01:02 WARN   printer  printer.paper_end  paper end  status_hex=72 evidence={"printer.paper":"end"} note="two words" retry=false',
    );
  });

  it('leaves out absent columns and shows local time by default', () => {
    const local = new Date('2026-11-23T04:01:02Z');
    const pad = (n: number) => String(n).padStart(2, '0');
    const expectedTime = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:02`;
    expect(formatEntry({ time: '2026-11-23T04:01:02Z', level: 'info', msg: 'agent started' }, { color: false })).toBe(
      `${expectedTime} INFO   agent started`,
    );
  });

  it('colours the level when asked, and only then', () => {
    const coloured = formatEntry(entry, { color: true, utc: true });
    expect(coloured).toContain('\x1b[33mWARN \x1b[0m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatEntry(entry, { color: false, utc: true }));
  });
});
