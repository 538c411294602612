import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface TarEntry {
  name: string;
  data: Buffer;
  mtimeMs: number;
}

/**
 * A POSIX ustar archive, gzip-compressed: enough for a diagnostic bundle (regular files, names up to
 * 100 bytes, no links), readable by `tar xzf` on any technician's laptop. Compressed on the thread
 * pool: the daemon builds bundles for the hub and must not stall its devices meanwhile.
 */
export async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(header(entry));
    blocks.push(entry.data);
    const pad = (512 - (entry.data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return gzipAsync(Buffer.concat(blocks));
}

function header(entry: TarEntry): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length > 100) throw new Error(`tar entry name longer than 100 bytes: ${entry.name}`);
  const h = Buffer.alloc(512);
  name.copy(h, 0);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, entry.data.length);
  octal(h, 136, 12, Math.floor(entry.mtimeMs / 1000));
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156); // regular file
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset);
}
