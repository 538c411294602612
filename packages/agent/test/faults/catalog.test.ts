import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG as catalog, TECHNICIAN_HINTS } from '../../src/devices/catalog.js';
import { buildCatalog, catalogEntry as entryIn } from '../../src/faults/catalog.js';

/** The agent's catalog's entry of `code`. */
const catalogEntry = (code: string) => entryIn(catalog, code);

/** SPEC §5, copied by hand: code, category, severity. */
const SPEC_TABLE: [string, string, string][] = [
  ['printer.disconnected', 'hardware', 'major'],
  ['printer.offline', 'io', 'major'],
  ['printer.cover_open', 'io', 'major'],
  ['printer.paper_end', 'io', 'major'],
  ['printer.paper_near_end', 'io', 'minor'],
  ['printer.cutter_error', 'hardware', 'major'],
  ['printer.head_overheat', 'hardware', 'minor'],
  ['printer.unrecoverable_error', 'hardware', 'critical'],
  ['card_reader.disconnected', 'hardware', 'critical'],
  ['card_reader.read_errors_high', 'io', 'major'],
  ['card_reader.identity_changed', 'security', 'critical'],
  ['security.unknown_usb_device', 'security', 'major'],
  ['battery.low', 'hardware', 'minor'],
  ['battery.critical', 'hardware', 'major'],
  ['battery.overheat', 'hardware', 'major'],
  ['battery.cold', 'hardware', 'major'],
  ['battery.failure', 'hardware', 'critical'],
  ['battery.worn', 'hardware', 'minor'],
  ['battery.not_charging', 'hardware', 'major'],
  ['network.link_down', 'network', 'critical'],
  ['network.link_flapping', 'network', 'minor'],
  ['network.wifi_weak', 'network', 'minor'],
  ['network.dns_failure', 'network', 'major'],
  ['network.host_unreachable', 'network', 'critical'],
  ['network.high_latency', 'network', 'minor'],
  ['modem.unresponsive', 'hardware', 'major'],
  ['modem.sim_missing', 'hardware', 'critical'],
  ['modem.sim_locked', 'security', 'major'],
  ['modem.not_registered', 'network', 'major'],
  ['modem.registration_denied', 'network', 'critical'],
  ['modem.signal_weak', 'network', 'minor'],
  ['system.disk_low', 'software', 'major'],
  ['system.memory_low', 'software', 'major'],
  ['system.clock_skew', 'software', 'major'],
  ['system.overheat', 'hardware', 'major'],
  ['agent.storage_degraded', 'software', 'major'],
  ['agent.log_degraded', 'software', 'minor'], // issue 10: beyond the SPEC table, the same kind of fault for the log
];

/** Noise on a serial line (issue 10), beyond the SPEC table: minor, io (cables). */
const LINE_NOISE = ['printer.line_noise', 'modem.line_noise', 'card_reader.line_noise'];

/** Predictive maintenance codes (issue 6), beyond the SPEC table. */
const MAINTENANCE = ['maintenance.battery_fading', 'maintenance.card_reader_degrading', 'maintenance.cutter_near_life'];

const DEVICE_OF_PREFIX: Record<string, string> = {
  printer: 'printer',
  card_reader: 'cardReader',
  battery: 'battery',
  network: 'network',
  modem: 'modem',
  system: 'system',
  agent: 'agent',
};

describe('fault catalog', () => {
  it('holds exactly the SPEC codes, plus the maintenance ones, with their category and severity', () => {
    expect([...catalog.keys()].sort()).toEqual([...SPEC_TABLE.map(([code]) => code), ...MAINTENANCE, ...LINE_NOISE].sort());
    for (const code of LINE_NOISE) expect([catalogEntry(code).category, catalogEntry(code).severity]).toEqual(['io', 'minor']);
    for (const code of MAINTENANCE) expect([catalogEntry(code).category, catalogEntry(code).severity]).toEqual(['hardware', 'minor']);
    for (const [code, category, severity] of SPEC_TABLE) {
      expect({ code, category: catalogEntry(code).category, severity: catalogEntry(code).severity }).toEqual({ code, category, severity });
    }
  });

  it('assigns each code to its device', () => {
    for (const entry of catalog.values()) {
      const prefix = entry.code.split('.')[0]!;
      if (prefix in DEVICE_OF_PREFIX) expect(entry.device, entry.code).toBe(DEVICE_OF_PREFIX[prefix]);
    }
    expect(catalogEntry('security.unknown_usb_device').device).toBe('system');
  });

  it('gives every fault a summary and merchant steps in both languages', () => {
    for (const entry of catalog.values()) {
      expect(entry.summary.en.length, entry.code).toBeGreaterThan(5);
      expect(entry.summary['zh-CN'], entry.code).toMatch(/[\u4e00-\u9fff]/);
      expect(entry.remediation.some((s) => !s.automatic), `${entry.code} has a merchant step`).toBe(true);
      for (const s of entry.remediation) {
        expect(s.text.en, entry.code).toMatch(/^[A-Z].*[.:]$/);
        expect(s.text['zh-CN'], entry.code).toMatch(/[\u4e00-\u9fff].*。$/);
      }
      // Merchant steps first: an automatic step never precedes a merchant one.
      const firstAuto = entry.remediation.findIndex((s) => s.automatic);
      if (firstAuto >= 0) expect(entry.remediation.slice(firstAuto).every((s) => s.automatic), entry.code).toBe(true);
    }
  });

  it('marks what the agent tries by itself and what needs a technician', () => {
    const automatic = [...catalog.values()].filter((e) => e.remediation.some((s) => s.automatic)).map((e) => e.code);
    expect(automatic).toEqual(expect.arrayContaining(['printer.disconnected', 'modem.unresponsive', 'agent.storage_degraded']));
    expect(catalogEntry('printer.unrecoverable_error').needsTechnician).toBe(true);
    expect(catalogEntry('card_reader.identity_changed').needsTechnician).toBe(true);
    expect(catalogEntry('printer.paper_end').needsTechnician).toBe(false);
  });

  it('gives every code technician hints in both languages, and only codes of the catalog have hints', () => {
    for (const entry of catalog.values()) {
      expect(entry.technicianHints?.length, entry.code).toBeGreaterThan(0);
      for (const hint of entry.technicianHints!) {
        expect(hint.en, entry.code).toMatch(/^[A-Z].*\.$/);
        expect(hint['zh-CN'], entry.code).toMatch(/[\u4e00-\u9fff].*。$/);
      }
    }
    expect(Object.keys(TECHNICIAN_HINTS).filter((code) => !catalog.has(code))).toEqual([]);
  });

  it('throws for an unknown code', () => {
    expect(() => catalogEntry('printer.on_fire')).toThrow(/unknown fault code: printer\.on_fire/);
  });

  it('refuses a code defined twice, so no family can shadow another one\'s entry', () => {
    const entry = catalogEntry('printer.paper_end');
    expect(() => buildCatalog([entry, { ...entry, severity: 'minor' }])).toThrow(/fault code "printer\.paper_end" is defined twice/);
    expect(buildCatalog([entry]).get('printer.paper_end')).toBe(entry);
  });
});
