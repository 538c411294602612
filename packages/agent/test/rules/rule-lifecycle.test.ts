import { describe, expect, it } from 'vitest';
import { faultKey, RuleEngine } from '../../src/rules/rule-engine.js';
import { parseRuleSet } from '../../src/rules/rule-schema.js';
import type { RuleSetInput } from '../../src/rules/rule-schema.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;
const engine = (input: RuleSetInput) => new RuleEngine(parseRuleSet(input), { catalog: FAULT_CATALOG });
const brief = (events: FaultEvent[]) =>
  events.map((e) => `${e.state} ${faultKey(e.code, e.instance)}${e.inhibitedBy ? ` inhibitedBy=${e.inhibitedBy}` : ''}${e.flapping ? ' flapping' : ''}`);

describe('keepFiringFor', () => {
  const rules: RuleSetInput = {
    rules: [{ code: 'network.host_unreachable', when: { reading: 'network.target.*.reachable', eq: false }, keepFiringFor: '30s' }],
  };

  it('clears only once the clear condition has held that long, with since = when it began to hold', () => {
    const e = engine(rules);
    const down = { 'network.target.acq.reachable': false };
    const up = { 'network.target.acq.reachable': true };
    expect(brief(e.evaluate(down, s(0)))).toEqual(['raised network.host_unreachable:acq']);
    expect(e.evaluate(up, s(10))).toEqual([]);
    expect(e.evaluate(down, s(20))).toEqual([]); // a relapse restarts the wait, silently
    expect(e.evaluate(up, s(30))).toEqual([]);
    expect(e.evaluate(up, s(59))).toEqual([]);
    expect(e.evaluate(up, s(60))).toMatchObject([{ code: 'network.host_unreachable', state: 'cleared', since: s(30), at: s(60) }]);
  });
});

describe('inhibition scopes', () => {
  const rules: RuleSetInput = {
    rules: [
      { code: 'network.link_down', when: { reading: 'network.*.up', eq: false } },
      { code: 'network.wifi_weak', when: { reading: 'network.*.signal_dbm', lt: -75 }, inhibitedBy: [{ code: 'network.link_down', scope: 'same_instance' }] },
      { code: 'network.dns_failure', when: { reading: 'network.target.*.dns_ok', eq: false }, inhibitedBy: [{ code: 'network.link_down', scope: 'all_instances' }] },
    ],
  };
  const readings = (eth0: boolean, wlan0: boolean) => ({
    'network.eth0.up': eth0,
    'network.wlan0.up': wlan0,
    'network.wlan0.signal_dbm': -80,
    'network.target.acq.dns_ok': false,
  });

  it('same_instance: only the same interface explains; all_instances: only every interface down explains', () => {
    expect(brief(engine(rules).evaluate(readings(false, true), s(0))).sort()).toEqual([
      'raised network.dns_failure:acq',
      'raised network.link_down:eth0',
      'raised network.wifi_weak:wlan0',
    ]);
    expect(brief(engine(rules).evaluate(readings(true, false), s(0))).sort()).toEqual([
      'raised network.dns_failure:acq',
      'raised network.link_down:wlan0',
      'raised network.wifi_weak:wlan0 inhibitedBy=network.link_down',
    ]);
    expect(brief(engine(rules).evaluate(readings(false, false), s(0))).sort()).toEqual([
      'raised network.dns_failure:acq inhibitedBy=network.link_down',
      'raised network.link_down:eth0',
      'raised network.link_down:wlan0',
      'raised network.wifi_weak:wlan0 inhibitedBy=network.link_down',
    ]);
  });

  it('apply the same way among active faults (self-test)', () => {
    const active = engine(rules).active(readings(false, true));
    expect(active.map((f) => `${faultKey(f.code, f.instance)} ${f.inhibitedBy}`).sort()).toEqual([
      'network.dns_failure:acq null',
      'network.link_down:eth0 null',
      'network.wifi_weak:wlan0 null',
    ]);
    expect(engine(rules).active(readings(false, false)).filter((f) => f.inhibitedBy).map((f) => f.code).sort()).toEqual([
      'network.dns_failure',
      'network.wifi_weak',
    ]);
  });
});

describe('flapping', () => {
  const rules = (override?: false): RuleSetInput => ({
    flapping: { changes: 3, window: '5m' },
    rules: [{ code: 'printer.cover_open', when: { reading: 'printer.cover_open', eq: true }, ...(override === false ? { flapping: false as const } : {}) }],
  });
  const cover = (open: boolean) => ({ 'printer.cover_open': open });

  it('holds a toggling fault firing, reports it once, and ends it after a quiet window', () => {
    const e = engine(rules());
    const log: string[] = [];
    const pattern = [true, false, true, false, true, false, true, false];
    pattern.forEach((open, i) => log.push(...brief(e.evaluate(cover(open), s(i * 10))).map((l) => `${i * 10}s ${l}`)));
    expect(log).toEqual(['0s raised printer.cover_open', '10s cleared printer.cover_open', '20s raised printer.cover_open', '30s raised printer.cover_open flapping']);
    expect(e.firing()).toMatchObject([{ code: 'printer.cover_open', flapping: true }]);
    expect(e.evaluate(cover(false), s(369))).toEqual([]); // last toggle at 70 s: quiet until 370 s
    expect(e.evaluate(cover(false), s(370))).toMatchObject([{ state: 'cleared', since: s(70), flapping: true }]);
    expect(e.firing()).toEqual([]);
  });

  it('becomes an ordinary firing fault when it settles holding, and can be turned off per rule', () => {
    const e = engine(rules());
    [true, false, true, false].forEach((open, i) => e.evaluate(cover(open), s(i * 10)));
    expect(e.firing()).toMatchObject([{ flapping: true }]);
    expect(e.evaluate(cover(true), s(40))).toEqual([]);
    expect(e.evaluate(cover(true), s(340))).toEqual([]);
    expect(e.firing()[0]!.flapping).toBeUndefined();
    expect(brief(e.evaluate(cover(false), s(350)))).toEqual(['cleared printer.cover_open']);

    const off = engine(rules(false));
    const events = [true, false, true, false, true, false].flatMap((open, i) => brief(off.evaluate(cover(open), s(i * 10))));
    expect(events).toHaveLength(6);
    expect(events.some((l) => l.includes('flapping'))).toBe(false);
  });
});

describe('flapping that settles (issue 10: no fault held open while the device reads healthy)', () => {
  const rules: RuleSetInput = {
    flapping: { changes: 3, window: '5m', settle: '1m' },
    rules: [{ code: 'printer.cover_open', when: { reading: 'printer.cover_open', eq: true } }],
  };
  const cover = (open: boolean) => ({ 'printer.cover_open': open });

  it('clears once it has not toggled for settle, not a whole window later; a relapse is flapping again at once', () => {
    const e = engine(rules);
    [true, false, true, false].forEach((open, i) => e.evaluate(cover(open), s(i * 10)));
    expect(e.firing()).toMatchObject([{ flapping: true }]);
    expect(e.evaluate(cover(false), s(89))).toEqual([]); // last toggle at 30 s
    expect(e.evaluate(cover(false), s(90))).toMatchObject([{ state: 'cleared', since: s(30), flapping: true }]);
    expect(e.firing()).toEqual([]);
    // Within the window the toggles are remembered: held at once, reported as flapping.
    expect(e.evaluate(cover(true), s(100))).toMatchObject([{ state: 'raised', flapping: true }]);
    expect(e.evaluate(cover(false), s(110))).toEqual([]);
    expect(e.evaluate(cover(false), s(170))).toMatchObject([{ state: 'cleared', since: s(110), flapping: true }]);
  });

  it('a fault that settles holding is an ordinary firing fault after settle', () => {
    const e = engine(rules);
    [true, false, true, false, true].forEach((open, i) => e.evaluate(cover(open), s(i * 10)));
    expect(e.evaluate(cover(true), s(100))).toEqual([]);
    expect(e.firing()[0]!.flapping).toBeUndefined();
    expect(brief(e.evaluate(cover(false), s(110)))).toEqual(['cleared printer.cover_open']);
  });
});

describe('root cause with the built-in rules (issue 6: done when)', () => {
  it('a down interface, an unreachable target behind it and a silent printer: two live faults, the rest inhibited', async () => {
    const { loadDefaultRules } = await import('../../src/rules/rule-files.js');
    const e = new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG });
    const active = e.active({
      'network.eth0.up': false,
      'network.eth0.operstate': 'down',
      'network.target.acquirer.dns_ok': false,
      'network.target.acquirer.reachable': false,
      'network.target.tms.dns_ok': true,
      'network.target.tms.reachable': false,
      'printer.connected': false,
      'printer.online': false,
      'printer.paper': 'unknown',
    });
    expect(active.map((f) => `${faultKey(f.code, f.instance)} ${f.inhibitedBy ?? 'live'}`).sort()).toEqual([
      'network.dns_failure:acquirer network.link_down',
      'network.host_unreachable:tms network.link_down',
      'network.link_down:eth0 live',
      'printer.disconnected live',
      'printer.offline printer.disconnected',
    ]);
  });
});
