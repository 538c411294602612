import type { Readable } from 'node:stream';
import { UsageError } from 'posdiag-protocol/cli';

/**
 * The new user's password: from stdin when it is not a terminal (`echo … | posdiag hub user add`), the
 * whole input less one final newline; at a terminal, typed twice without echo, the prompts on stderr
 * (stdout is the command's output).
 */
export async function readNewPassword(stdin: Readable & { isTTY?: boolean } = process.stdin, prompt: (text: string) => void = (t) => process.stderr.write(t)): Promise<string> {
  if (!stdin.isTTY) return (await readAll(stdin)).replace(/\r?\n$/, '');
  const first = await readHidden(stdin, prompt, 'Password: ');
  const second = await readHidden(stdin, prompt, 'Password again: ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

async function readAll(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed in raw mode, so nothing is echoed; Backspace edits, Ctrl-C and Ctrl-D give up. */
function readHidden(stdin: Readable, prompt: (text: string) => void, label: string): Promise<string> {
  const tty = stdin as Readable & { setRawMode(mode: boolean): void };
  prompt(label);
  tty.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (finish: () => void) => {
      stdin.off('data', onData);
      tty.setRawMode(false);
      stdin.pause();
      prompt('\n');
      finish();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003' || ch === '\u0004') return done(() => reject(new UsageError('no password given')));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
