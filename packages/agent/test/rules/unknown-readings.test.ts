import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/readings.js';
import { Monitor } from '../../src/rules/monitor.js';
import { faultKey, RuleEngine } from '../../src/rules/rule-engine.js';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { parsePowerSupply } from '../../src/devices/battery/power-supply.js';
import type { AtResponse } from '../../src/devices/modem/at-response.js';
import { modemObservation } from '../../src/devices/modem/modem-readings.js';
import { parseCsq } from '../../src/devices/modem/signal.js';
import { parseThermalZones } from '../../src/devices/system/thermal.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

/**
 * A reading that turned into a problem (an impossible value) is unknown, not absent: the built-in rules
 * must neither clear a real fault because of it (so the fault does not flap open/closed while a sensor
 * glitches) nor raise one from it (a `not {…}` condition holds on an absent reading). A reading that
 * simply stops being reported, with no problem, still clears as before.
 */
const T0 = Date.UTC(2026, 0, 1);
const rules = await loadDefaultRules();

function harness() {
  const events: FaultEvent[] = [];
  const monitor = new Monitor(new RuleEngine(rules, { catalog: FAULT_CATALOG }), (e) => events.push(...e));
  let now = T0;
  /** Feeds `observation` every `stepS` seconds for `forS` seconds. */
  const feed = (source: string, observation: Observation, forS: number, stepS = 10) => {
    for (let t = 0; t < forS; t += stepS, now += stepS * 1000) monitor.observe(source, observation, now);
  };
  const log = () => events.map((e) => `${e.state} ${faultKey(e.code, e.instance)}`);
  return { feed, log, monitor };
}

const battery = (attrs: Record<string, string>) =>
  parsePowerSupply({ type: 'Battery', present: '1', status: 'Discharging', health: 'Good', capacity: '60', voltage_now: '3900000', temp: '300', ...attrs });
const cpu = (temp: string) => parseThermalZones([{ zone: 'thermal_zone0', type: 'cpu_thermal', temp }]);
const csq = (answer: string) => {
  const response: AtResponse = { command: 'AT+CSQ', lines: [`+CSQ: ${answer}`], final: { kind: 'ok' }, urcs: [], echoed: false };
  return modemObservation({ sim: 'ready', csq: parseCsq(response), creg: { n: 0, stat: 1 } }, undefined, []);
};

describe('a real fault whose reading glitches into an impossible value does not flap', () => {
  it('battery.overheat (with clearWhen) stays raised through a 900 °C glitch and clears on a cool reading', () => {
    const h = harness();
    h.feed('battery', battery({ temp: '600' }), 60);
    expect(h.log()).toEqual(['raised battery.overheat']);
    const glitch = battery({ temp: '9000' });
    expect(glitch.readings['battery.temperature_c']).toBeUndefined();
    h.feed('battery', glitch, 120);
    h.feed('battery', battery({ temp: '600' }), 60);
    h.feed('battery', glitch, 60);
    expect(h.log()).toEqual(['raised battery.overheat']);
    h.feed('battery', battery({ temp: '300' }), 10);
    expect(h.log()).toEqual(['raised battery.overheat', 'cleared battery.overheat']);
  });

  it('system.overheat (no clearWhen) stays raised while the zone reads 0 or -273 °C', () => {
    const h = harness();
    h.feed('system', cpu('95000'), 70);
    expect(h.log()).toEqual(['raised system.overheat']);
    for (let i = 0; i < 5; i++) {
      h.feed('system', cpu('0'), 20);
      h.feed('system', cpu('-273150'), 20);
      h.feed('system', cpu('95000'), 20);
    }
    expect(h.log()).toEqual(['raised system.overheat']);
    h.feed('system', cpu('50000'), 10);
    expect(h.log()).toEqual(['raised system.overheat', 'cleared system.overheat']);
  });

  it('modem.signal_weak stays raised through CSQ answers out of range', () => {
    const h = harness();
    h.feed('modem', csq('5,0'), 70);
    expect(h.log()).toEqual(['raised modem.signal_weak']);
    h.feed('modem', csq('45,99'), 30);
    h.feed('modem', csq('5,0'), 30);
    h.feed('modem', csq('20,8'), 30);
    expect(h.log()).toEqual(['raised modem.signal_weak']);
    h.feed('modem', csq('20,0'), 10);
    expect(h.log()).toEqual(['raised modem.signal_weak', 'cleared modem.signal_weak']);
  });

  it('battery.worn stays raised while the capacity figures contradict each other', () => {
    const h = harness();
    const worn = { charge_full_design: '2800000', charge_full: '1960000' };
    h.feed('battery', battery(worn), 10);
    h.feed('battery', battery({ ...worn, charge_now: '2800000' }), 60);
    expect(h.log()).toEqual(['raised battery.worn']);
  });
});

describe('no fault rises from an impossible reading', () => {
  it('battery.not_charging does not fire when the level that would excuse it is 150 %', () => {
    const h = harness();
    // not {level >= 95} would hold on an absent level; on an unknown one it must not.
    const observation: Observation = battery({ status: 'Not charging', capacity: '150' });
    observation.readings['power.ac_online'] = true;
    h.feed('battery', observation, 15 * 60, 30);
    expect(h.log()).toEqual([]);
    expect(h.monitor.readings()['battery.level_pct']).toBeUndefined();
  });

  it('an impossible battery (900 °C, 150 %, present at 0 V) raises nothing', () => {
    const h = harness();
    h.feed('battery', battery({ temp: '9000', capacity: '150', voltage_now: '0' }), 15 * 60, 30);
    expect(h.log()).toEqual([]);
  });
});

describe('what is known still counts beside an unknown reading', () => {
  it('battery.overheat fires from health = Overheat although the temperature reads 900 °C', () => {
    const h = harness();
    h.feed('battery', battery({ health: 'Overheat', temp: '9000' }), 40);
    expect(h.log()).toEqual(['raised battery.overheat']);
  });

  it('per instance: an unknown Wi-Fi signal keeps wlan0 weak, a known good one clears it', () => {
    const e = new RuleEngine(rules, { catalog: FAULT_CATALOG });
    const weak = { 'network.wlan0.up': true, 'network.wlan0.signal_dbm': -80 };
    expect(e.evaluate(weak, T0)).toEqual([]);
    expect(e.evaluate(weak, T0 + 60_000).map((ev) => faultKey(ev.code, ev.instance))).toEqual(['network.wifi_weak:wlan0']);
    expect(e.evaluate({ 'network.wlan0.up': true }, T0 + 70_000, ['network.wlan0.signal_dbm'])).toEqual([]);
    expect(e.evaluate({ 'network.wlan0.up': true, 'network.wlan0.signal_dbm': -50 }, T0 + 80_000).map((ev) => ev.state)).toEqual(['cleared']);
  });

  it('the self-test (active) does not count a fault an unknown reading would decide', () => {
    const e = new RuleEngine(rules, { catalog: FAULT_CATALOG });
    const readings = { 'power.ac_online': true, 'battery.status': 'not_charging' };
    expect(e.active(readings).map((f) => f.code)).toEqual(['battery.not_charging']);
    expect(e.active(readings, ['battery.level_pct'])).toEqual([]);
  });
});

describe('a reading that stops being reported without a problem still clears', () => {
  it('system.overheat clears when the thermal zone disappears (no zone: no reading, no problem)', () => {
    const h = harness();
    h.feed('system', cpu('95000'), 70);
    h.feed('system', parseThermalZones([]), 10);
    expect(h.log()).toEqual(['raised system.overheat', 'cleared system.overheat']);
  });
});
