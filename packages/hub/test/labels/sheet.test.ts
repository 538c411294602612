import { describe, expect, it } from 'vitest';
import { applyRow, formatSheet, parseSheet } from '../../src/labels/label-sheet.js';

const known = (t: string) => ['T-0001', 'T-0002'].includes(t);

describe('the label sheet', () => {
  it('reads any subset of label columns; empty cells are null; tags are trimmed and deduplicated', () => {
    expect(parseSheet('terminal,region,tags\r\nT-0001,north, vip ;kiosk;;vip\r\nT-0002,,\r\n', known)).toEqual([
      { row: 2, terminal: 'T-0001', cells: { region: 'north', tags: 'vip;kiosk' } },
      { row: 3, terminal: 'T-0002', cells: { region: null, tags: null } },
    ]);
    expect(parseSheet('terminal\n', known)).toEqual([]);
  });

  it.each([
    ['', 'row 1: no header row'],
    ['id,region\n', 'row 1: the first column must be "terminal", not "id"'],
    ['terminal,Region\n', 'row 1: column "Region" is not a label name'],
    ['terminal,region,region\n', 'row 1: column "region" given twice'],
    ['terminal,region\nT-0001,north\nT-0009,south\n', 'row 3: unknown terminal T-0009'],
    ['terminal,region\nT-0001,north,extra\n', 'row 2: 3 fields, the header has 2'],
    ['terminal,region\n\nT-0001,a\nT-0001,b\n', 'row 4: terminal T-0001 is on row 3 already'],
    [`terminal,region\nT-0001,${'x'.repeat(129)}\n`, 'row 2: region: at most 128 characters'],
    ['terminal,region\nbad id,north\n', 'row 2: "bad id" is not a terminal id'],
  ])('refuses %j naming the row', (text, message) => {
    expect(() => parseSheet(text, known)).toThrow(message);
  });

  it('merges (other labels kept, empty cells removed) or replaces', () => {
    const [row] = parseSheet('terminal,region,carrier\nT-0001,south,\n', known);
    const current = { region: 'north', carrier: 'cm', merchant: 'Li' };
    expect(applyRow(row!, current, 'merge')).toEqual({ region: 'south', merchant: 'Li' });
    expect(applyRow(row!, current, 'replace')).toEqual({ region: 'south' });
    const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
    expect(() => applyRow(row!, many, 'merge')).toThrow('row 2: terminal T-0001 would have more than 32 labels');
  });

  it('exports the usual columns, then the others, every terminal sorted, and reads back the same', () => {
    const labels = new Map([['T-0002', { region: 'north', floor: '2', merchant: 'Li, "Big"' }]]);
    const text = formatSheet(['T-0002', 'T-0001'], labels);
    expect(text).toBe('terminal,merchant,region,carrier,tags,floor\r\nT-0001,,,,,\r\nT-0002,"Li, ""Big""",north,,,2\r\n');
    const back = parseSheet(text, known).map((r) => [r.terminal, applyRow(r, {}, 'replace')]);
    expect(back).toEqual([['T-0001', {}], ['T-0002', labels.get('T-0002')]]);
  });

  it('writes a value a spreadsheet would run as a formula as text, and reads it back as it was', () => {
    const labels = new Map([['T-0001', { merchant: '=HYPERLINK("http://x","y")', region: '+north', carrier: '@cm', floor: "'-2" }]]);
    const text = formatSheet(['T-0001'], labels);
    expect(text).toBe(`terminal,merchant,region,carrier,tags,floor\r\nT-0001,"'=HYPERLINK(""http://x"",""y"")",'+north,'@cm,,''-2\r\n`);
    const [row] = parseSheet(text, known);
    expect(applyRow(row!, {}, 'replace')).toEqual(labels.get('T-0001'));
    // A quote before anything else is the value's own.
    const [plain] = parseSheet("terminal,merchant\nT-0001,'Li\n", known);
    expect(plain!.cells.merchant).toBe("'Li");
  });
});
