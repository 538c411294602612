/**
 * RFC 4180 CSV, as much of it as a label sheet needs: fields separated by commas, records by CRLF or LF;
 * a field in double quotes may hold commas, line breaks and doubled quotes (""). Small enough to own
 * rather than take a dependency for (docs/architecture.md).
 *
 * Invariants: records are numbered as a spreadsheet numbers its rows (the header is row 1, an empty line
 * counts), so a quoted line break does not shift the numbers an error names; an empty line yields no
 * record. A field's characters are kept as they are (no trimming).
 */
export class CsvError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(`row ${row}: ${message}`);
  }
}

export interface CsvRecord {
  /** 1-based, the header included. */
  row: number;
  fields: string[];
}

export function parseCsv(text: string): CsvRecord[] {
  // A UTF-8 byte order mark, as Excel writes one, is not part of the first field.
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let empty = true; // nothing at all read for this record yet
  let row = 1;
  let i = 0;
  const endRecord = () => {
    if (!empty) records.push({ row, fields: [...fields, field] });
    row++;
    fields = [];
    field = '';
    empty = true;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      if (field !== '') throw new CsvError(row, 'a quote inside an unquoted field (quote the whole field and double the quote)');
      const start = i + 1;
      let value = '';
      let j = start;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) throw new CsvError(row, 'a quoted field is not closed');
        value += s.slice(j, q);
        if (s[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const next = s[j];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw new CsvError(row, 'characters after a closing quote');
      field = value; // "" is an empty field, but the record is not empty
      empty = false;
      i = j;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      empty = false;
      i++;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] !== '\n') throw new CsvError(row, 'a carriage return not followed by a line feed');
      endRecord();
      i += c === '\r' ? 2 : 1;
    } else {
      field += c;
      empty = false;
      i++;
    }
  }
  endRecord();
  return records;
}

/** One field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
function formatField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records with CRLF after each, as RFC 4180 says. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((r) => `${r.map(formatField).join(',')}\r\n`).join('');
}
