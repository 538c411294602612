import { describe, expect, it } from 'vitest';
import { RuleEngine, faultKey } from '../../src/rules/rule-engine.js';
import { parseRuleSet } from '../../src/rules/rule-schema.js';
import type { RuleSetInput } from '../../src/rules/rule-schema.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;

function engine(input: RuleSetInput, thresholds?: Record<string, number>) {
  return new RuleEngine(parseRuleSet(input), { catalog: FAULT_CATALOG, ...(thresholds ? { thresholds } : {}) });
}

const brief = (events: FaultEvent[]) =>
  events.map((e) => `${e.state} ${faultKey(e.code, e.instance)}${e.inhibitedBy ? ` inhibitedBy=${e.inhibitedBy}` : ''}`);

const lowBattery: RuleSetInput = {
  thresholds: { 'battery.low_pct': 20, 'battery.low_clear_pct': 25 },
  rules: [
    {
      code: 'battery.low',
      when: {
        all: [
          { reading: 'battery.status', eq: 'discharging' },
          { reading: 'battery.level_pct', lt: { threshold: 'battery.low_pct' } },
        ],
      },
      for: '30s',
    },
  ],
};

describe('rule engine lifecycle', () => {
  it('goes pending, fires after `for` with since = when it became pending, and clears', () => {
    const e = engine(lowBattery);
    const low = { 'battery.status': 'discharging', 'battery.level_pct': 15 };
    expect(e.evaluate(low, s(0))).toEqual([]);
    expect(e.firing()).toEqual([]);
    expect(e.evaluate(low, s(29))).toEqual([]);
    const raised = e.evaluate(low, s(30));
    expect(raised).toEqual([
      {
        code: 'battery.low',
        instance: null,
        state: 'raised',
        category: 'hardware',
        severity: 'minor',
        since: s(0),
        at: s(30),
        inhibitedBy: null,
        evidence: { 'battery.status': 'discharging', 'battery.level_pct': 15 },
      },
    ]);
    expect(e.firing().map((f) => [f.code, f.since])).toEqual([['battery.low', s(0)]]);
    expect(e.evaluate(low, s(40))).toEqual([]);
    const cleared = e.evaluate({ 'battery.status': 'charging', 'battery.level_pct': 15 }, s(50));
    expect(cleared).toMatchObject([{ code: 'battery.low', state: 'cleared', since: s(50), at: s(50) }]);
    expect(cleared[0]!.evidence).toEqual({ 'battery.status': 'charging', 'battery.level_pct': 15 });
    expect(e.firing()).toEqual([]);
  });

  it('drops a pending fault silently when the condition stops before `for`', () => {
    const e = engine(lowBattery);
    e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 15 }, s(0));
    expect(e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 21 }, s(10))).toEqual([]);
    // Pending restarts from scratch: 30 s more are needed.
    e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 15 }, s(20));
    expect(e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 15 }, s(40))).toEqual([]);
    expect(brief(e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 15 }, s(50)))).toEqual(['raised battery.low']);
  });

  it('fires on the first evaluation with `for: 0`', () => {
    const e = engine({ rules: [{ code: 'printer.paper_end', when: { reading: 'printer.paper', eq: 'end' } }] });
    expect(brief(e.evaluate({ 'printer.paper': 'end' }, s(0)))).toEqual(['raised printer.paper_end']);
    expect(brief(e.evaluate({ 'printer.paper': 'ok' }, s(1)))).toEqual(['cleared printer.paper_end']);
  });

  it('clears only when clearWhen holds (hysteresis)', () => {
    const e = engine({
      ...lowBattery,
      rules: [{ ...lowBattery.rules[0]!, for: '0s', clearWhen: { reading: 'battery.level_pct', ge: { threshold: 'battery.low_clear_pct' } } }],
    });
    const at = (level: number, t: number) => brief(e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': level }, s(t)));
    expect(at(19, 0)).toEqual(['raised battery.low']);
    expect(at(21, 1)).toEqual([]); // condition false, clearWhen not yet
    expect(at(19, 2)).toEqual([]); // still the same firing fault: no second raise
    expect(at(24, 3)).toEqual([]);
    expect(at(25, 4)).toEqual(['cleared battery.low']);
  });
});

describe('absent readings', () => {
  it('never satisfies a comparison; only `present: false` and not{} hold', () => {
    const e = engine({
      rules: [
        { code: 'battery.low', when: { reading: 'battery.level_pct', lt: 20 } },
        { code: 'battery.failure', when: { reading: 'battery.health', ne: 'good' } },
        { code: 'battery.cold', when: { reading: 'battery.health', in: ['cold'] } },
        { code: 'printer.disconnected', when: { reading: 'printer.connected', present: false } },
        { code: 'printer.offline', when: { not: { reading: 'printer.online', eq: true } } },
      ],
    });
    expect(brief(e.evaluate({}, s(0)))).toEqual(['raised printer.disconnected', 'raised printer.offline']);
    expect(e.active({}).map((f) => f.code)).toEqual(['printer.disconnected', 'printer.offline']);
  });

  it('treats a non-number as unknown for numeric operators', () => {
    const e = engine({ rules: [{ code: 'battery.low', when: { reading: 'battery.level_pct', lt: 20 } }] });
    expect(e.evaluate({ 'battery.level_pct': 'unknown' }, s(0))).toEqual([]);
    expect(e.evaluate({ 'battery.level_pct': 5 }, s(1))).toHaveLength(1);
  });

  it('clears a firing fault whose reading disappears', () => {
    const e = engine({ rules: [{ code: 'printer.paper_end', when: { reading: 'printer.paper', eq: 'end' } }] });
    e.evaluate({ 'printer.paper': 'end' }, s(0));
    expect(brief(e.evaluate({}, s(1)))).toEqual(['cleared printer.paper_end']);
  });
});

describe('per-instance rules', () => {
  const rules: RuleSetInput = {
    rules: [
      { code: 'network.link_down', when: { reading: 'network.*.up', eq: false }, evidence: ['network.*.operstate'] },
      {
        code: 'network.host_unreachable',
        when: {
          all: [
            { reading: 'network.target.*.reachable', eq: false },
            { not: { reading: 'network.target.*.dns_ok', eq: false } },
          ],
        },
      },
    ],
  };

  it('raises and clears one fault per instance, with that instance’s evidence', () => {
    const e = engine(rules);
    const events = e.evaluate(
      {
        'network.eth0.up': false,
        'network.eth0.operstate': 'down',
        'network.wlan0.up': true,
        'network.wlan0.operstate': 'up',
      },
      s(0),
    );
    expect(events).toMatchObject([
      { code: 'network.link_down', instance: 'eth0', evidence: { 'network.eth0.up': false, 'network.eth0.operstate': 'down' } },
    ]);
    expect(Object.keys(events[0]!.evidence)).toEqual(['network.eth0.up', 'network.eth0.operstate']);
    expect(brief(e.evaluate({ 'network.eth0.up': false, 'network.wlan0.up': false }, s(1)))).toEqual(['raised network.link_down:wlan0']);
    expect(brief(e.evaluate({ 'network.eth0.up': true, 'network.wlan0.up': false }, s(2)))).toEqual(['cleared network.link_down:eth0']);
    // wlan0's readings vanish (interface removed): its fault clears too.
    expect(brief(e.evaluate({ 'network.eth0.up': true }, s(3)))).toEqual(['cleared network.link_down:wlan0']);
  });

  it('binds every `*` of a rule to the same instance and matches one segment only', () => {
    const e = engine(rules);
    const events = e.evaluate(
      {
        'network.target.acquirer.reachable': false,
        'network.target.acquirer.dns_ok': true,
        'network.target.tms.reachable': false,
        'network.target.tms.dns_ok': false,
        // Two segments where `network.*.up` has one: not an interface reading.
        'network.target.acquirer.up': false,
      },
      s(0),
    );
    expect(brief(events)).toEqual(['raised network.host_unreachable:acquirer']);
    const e2 = engine(rules);
    expect(brief(e2.evaluate({ 'network.target.x.y.reachable': false }, s(0)))).toEqual([]);
  });
});

describe('thresholds', () => {
  it('are overridable by name', () => {
    const e = engine({ ...lowBattery, rules: [{ ...lowBattery.rules[0]!, for: '0s' }] }, { 'battery.low_pct': 30 });
    expect(brief(e.evaluate({ 'battery.status': 'discharging', 'battery.level_pct': 25 }, s(0)))).toEqual(['raised battery.low']);
  });

  it('reject an unknown override name and an unknown reference, naming them', () => {
    expect(() => engine(lowBattery, { 'battery.lo_pct': 30 })).toThrow(/thresholds\.battery\.lo_pct: unknown threshold/);
    expect(() =>
      engine({ rules: [{ code: 'battery.low', when: { all: [{ reading: 'battery.level_pct', lt: { threshold: 'nope' } }] } }] }),
    ).toThrow(/rules\[0\] \(battery\.low\) when\.all\[0\]\.lt: unknown threshold "nope"/);
  });

  it('can be negated to bound both sides', () => {
    const e = engine({
      thresholds: { 'system.clock_skew_max_s': 300 },
      rules: [
        {
          code: 'system.clock_skew',
          when: {
            any: [
              { reading: 'system.clock_skew_s', gt: { threshold: 'system.clock_skew_max_s' } },
              { reading: 'system.clock_skew_s', lt: { threshold: 'system.clock_skew_max_s', negate: true } },
            ],
          },
        },
      ],
    });
    expect(e.active({ 'system.clock_skew_s': -301 })).toHaveLength(1);
    expect(e.active({ 'system.clock_skew_s': -299 })).toHaveLength(0);
    expect(e.active({ 'system.clock_skew_s': 301 })).toHaveLength(1);
  });
});

describe('inhibition', () => {
  const printer = (order: 'root-first' | 'root-last'): RuleSetInput => {
    const root = { code: 'printer.disconnected', when: { reading: 'printer.connected', eq: false } };
    const child = {
      code: 'printer.cover_open',
      when: { reading: 'printer.cover_open', eq: true },
      inhibitedBy: ['printer.disconnected'],
    };
    return { rules: order === 'root-first' ? [root, child] : [child, root] };
  };

  for (const order of ['root-first', 'root-last'] as const) {
    it(`marks an explained fault inhibited whatever the rule order (${order})`, () => {
      const e = engine(printer(order));
      const events = e.evaluate({ 'printer.connected': false, 'printer.cover_open': true }, s(0));
      expect(events.map((ev) => [ev.code, ev.state, ev.inhibitedBy]).sort()).toEqual([
        ['printer.cover_open', 'raised', 'printer.disconnected'],
        ['printer.disconnected', 'raised', null],
      ]);
    });
  }

  it('re-raises a fault uninhibited when its root cause clears but it does not', () => {
    const e = engine(printer('root-first'));
    e.evaluate({ 'printer.connected': false, 'printer.cover_open': true }, s(0));
    const events = e.evaluate({ 'printer.connected': true, 'printer.cover_open': true }, s(5));
    expect(brief(events)).toEqual(['cleared printer.disconnected', 'raised printer.cover_open']);
    expect(events[1]!.since).toBe(s(0));
    expect(e.firing()).toMatchObject([{ code: 'printer.cover_open', inhibitedBy: null }]);
  });

  it('clears an inhibited fault as inhibited, so it is never alerted at all', () => {
    const e = engine(printer('root-first'));
    e.evaluate({ 'printer.connected': false, 'printer.cover_open': true }, s(0));
    expect(brief(e.evaluate({ 'printer.connected': true, 'printer.cover_open': false }, s(5)))).toEqual([
      'cleared printer.disconnected',
      'cleared printer.cover_open inhibitedBy=printer.disconnected',
    ]);
  });

  it('does not retract an alert already sent when an inhibitor fires later', () => {
    const e = engine(printer('root-first'));
    expect(brief(e.evaluate({ 'printer.connected': true, 'printer.cover_open': true }, s(0)))).toEqual(['raised printer.cover_open']);
    expect(brief(e.evaluate({ 'printer.connected': false, 'printer.cover_open': true }, s(1)))).toEqual(['raised printer.disconnected']);
    expect(brief(e.evaluate({ 'printer.connected': true, 'printer.cover_open': false }, s(2)))).toEqual([
      'cleared printer.disconnected',
      'cleared printer.cover_open',
    ]);
  });

  it('applies among active faults for the self-test, ignoring `for`', () => {
    const input = printer('root-last');
    input.rules[1] = { ...input.rules[1]!, for: '1h' };
    const e = engine(input);
    expect(e.active({ 'printer.connected': false, 'printer.cover_open': true })).toEqual([
      { code: 'printer.cover_open', instance: null, category: 'io', severity: 'major', inhibitedBy: 'printer.disconnected', evidence: { 'printer.cover_open': true } },
      { code: 'printer.disconnected', instance: null, category: 'hardware', severity: 'major', inhibitedBy: null, evidence: { 'printer.connected': false } },
    ]);
    // active() is stateless: nothing was raised.
    expect(e.firing()).toEqual([]);
  });

  it('inhibits on any instance of the inhibitor', () => {
    const e = engine({
      rules: [
        { code: 'network.link_down', when: { reading: 'network.*.up', eq: false } },
        { code: 'network.dns_failure', when: { reading: 'network.target.*.dns_ok', eq: false }, inhibitedBy: ['network.link_down'] },
      ],
    });
    const events = e.evaluate({ 'network.wlan0.up': false, 'network.target.acquirer.dns_ok': false }, s(0));
    expect(brief(events)).toEqual(['raised network.link_down:wlan0', 'raised network.dns_failure:acquirer inhibitedBy=network.link_down']);
  });
});

describe('severity', () => {
  it('takes a rule override and escalates a firing fault, re-raising it once', () => {
    const e = engine({
      rules: [
        {
          code: 'battery.worn',
          when: { reading: 'battery.capacity_health_pct', lt: 80 },
          escalate: [{ when: { reading: 'battery.capacity_health_pct', lt: 60 }, severity: 'major' }],
        },
      ],
    });
    const at = (pct: number, t: number) => e.evaluate({ 'battery.capacity_health_pct': pct }, s(t)).map((ev) => `${ev.state} ${ev.severity}`);
    expect(at(75, 0)).toEqual(['raised minor']);
    expect(at(59, 1)).toEqual(['raised major']);
    expect(at(58, 2)).toEqual([]);
    expect(at(61, 3)).toEqual([]); // never drops while firing
    expect(at(81, 4)).toEqual(['cleared major']);

    const overridden = engine({ rules: [{ code: 'battery.worn', severity: 'info', when: { reading: 'battery.capacity_health_pct', lt: 80 } }] });
    expect(overridden.active({ 'battery.capacity_health_pct': 10 })[0]!.severity).toBe('info');
  });
});

describe('evidence', () => {
  it('carries the raw *_hex readings of the same device only', () => {
    const e = engine({ rules: [{ code: 'printer.paper_end', when: { reading: 'printer.paper', eq: 'end' } }] });
    const [event] = e.evaluate({ 'printer.paper': 'end', 'printer.status_hex': '72', 'modem.reply_hex': '4f4b', 'printer.online': true }, s(0));
    expect(event!.evidence).toEqual({ 'printer.paper': 'end', 'printer.status_hex': '72' });
  });
});
