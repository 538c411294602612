import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG as catalog, TECHNICIAN_HINTS } from '../../src/devices/catalog.js';
import { families } from '../../src/devices/index.js';
import { buildCatalog, catalogEntry as entryIn } from '../../src/faults/catalog.js';

/** The agent's catalog's entry of `code`. */
const catalogEntry = (code: string) => entryIn(catalog, code);

/**
 * The agent's own codes, pinned: code, category, severity. Each device family's are pinned in its own
 * test folder (test/devices/<family>/catalog.test.ts); the catalog is checked here to be exactly theirs
 * and these, so nothing reaches it from elsewhere.
 */
const AGENT: [string, string, string][] = [
  ['agent.storage_degraded', 'software', 'major'],
  ['agent.log_degraded', 'software', 'minor'], // issue 10: the same kind of fault for the log
];

describe('fault catalog', () => {
  it("holds every device family's codes, in the list's order, then the agent's own with their category and severity", () => {
    expect([...catalog.keys()]).toEqual([...families.flatMap((f) => f.catalog.entries.map((e) => e.code)), ...AGENT.map(([code]) => code)]);
    for (const [code, category, severity] of AGENT) {
      expect({ code, category: catalogEntry(code).category, severity: catalogEntry(code).severity }).toEqual({ code, category, severity });
    }
  });

  it("assigns each code to its device: its family's kind, or the agent", () => {
    for (const family of families) for (const { code } of family.catalog.entries) expect(catalogEntry(code).device, code).toBe(family.kind);
    for (const [code] of AGENT) expect(catalogEntry(code).device, code).toBe('agent');
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

  it('marks what the agent tries by itself for its own storage, and needs no technician for it', () => {
    // A family's own (printer.disconnected reconnects, modem.unresponsive resets) are in its catalog test.
    expect(catalogEntry('agent.storage_degraded').remediation.some((s) => s.automatic)).toBe(true);
    expect(catalogEntry('agent.storage_degraded').needsTechnician).toBe(false);
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
