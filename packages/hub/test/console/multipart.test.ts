import { describe, expect, it } from 'vitest';
import { MultipartError, parseMultipart } from '../../src/console/multipart.js';

const TYPE = 'multipart/form-data; boundary=----b0undary';
const part = (headers: string, body: string | Buffer) => Buffer.concat([Buffer.from(`------b0undary\r\n${headers}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
const form = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.from('------b0undary--\r\n')]);

describe('multipart/form-data, as the console\'s file form sends it', () => {
  it('reads text fields and a file byte for byte, names with escaped quotes and UTF-8 kept', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const { fields, files } = parseMultipart(
      form(part('Content-Disposition: form-data; name="csrf"', 'tok'), part('Content-Disposition: form-data; name="file"; filename="a \\"b\\" 照片.png"\r\nContent-Type: image/png', bytes)),
      TYPE,
    );
    expect(fields.get('csrf')).toBe('tok');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ field: 'file', filename: 'a "b" 照片.png', contentType: 'image/png' });
    expect(files[0]!.data.equals(bytes)).toBe(true);
  });

  it('leaves out a file input left empty', () => {
    expect(parseMultipart(form(part('Content-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream', '')), TYPE).files).toEqual([]);
  });

  it('refuses what is not a well-formed form, in one line', () => {
    expect(() => parseMultipart(form(), 'multipart/form-data')).toThrow(new MultipartError('a multipart form without its boundary'));
    expect(() => parseMultipart(Buffer.from('junk'), TYPE)).toThrow(/does not start with its boundary/);
    expect(() => parseMultipart(Buffer.from('------b0undary\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end'), TYPE)).toThrow(/without its end/);
    expect(() => parseMultipart(form(part('Content-Type: text/plain', 'x')), TYPE)).toThrow(/without a form-data name/);
    expect(() => parseMultipart(form(...Array.from({ length: 17 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"`, 'v'))), TYPE)).toThrow(/at most 16 parts/);
  });
});
