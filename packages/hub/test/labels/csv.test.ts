import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../src/labels/csv.js';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits on commas and on LF or CRLF, and skips empty lines', () => {
    expect(fields('a,b\r\nc,d\ne,\n\n')).toEqual([['a', 'b'], ['c', 'd'], ['e', '']]);
    expect(fields('a,b')).toEqual([['a', 'b']]);
    expect(fields('')).toEqual([]);
  });

  it('reads quoted fields with commas, line breaks and doubled quotes, and keeps spaces', () => {
    expect(fields('"a,b","say ""hi""","two\r\nlines",""\r\n x ,"y"\n')).toEqual([
      ['a,b', 'say "hi"', 'two\r\nlines', ''],
      [' x ', 'y'],
    ]);
    // A quoted empty field is a record, unlike an empty line.
    expect(fields('""\n')).toEqual([['']]);
  });

  it('numbers records as spreadsheet rows: empty lines count, a quoted line break does not', () => {
    expect(parseCsv('h\n"a\nb"\n\nc\n').map((r) => r.row)).toEqual([1, 2, 4]);
  });

  it('drops a UTF-8 byte order mark', () => {
    expect(fields('\uFEFFterminal,region\n')).toEqual([['terminal', 'region']]);
  });

  it.each([
    ['h\n"open', 'row 2: a quoted field is not closed'],
    ['h\nab"c\n', 'row 2: a quote inside an unquoted field (quote the whole field and double the quote)'],
    ['h\n"a"b\n', 'row 2: characters after a closing quote'],
    ['h\na\rb\n', 'row 2: a carriage return not followed by a line feed'],
  ])('refuses %j with the row', (text, message) => {
    expect(() => parseCsv(text)).toThrow(message);
  });

  it('writes what it reads, quoting only where it must', () => {
    const records = [['terminal', 'merchant'], ['T-1', 'Li, "Big" Shop'], ['T-2', 'two\nlines'], ['T-3', '']];
    const text = formatCsv(records);
    expect(text).toBe('terminal,merchant\r\nT-1,"Li, ""Big"" Shop"\r\nT-2,"two\nlines"\r\nT-3,\r\n');
    expect(fields(text)).toEqual(records);
  });
});
