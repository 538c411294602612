import type { CliIo } from 'posdiag-protocol/cli';
import { main } from '../../src/cli/main.js';

/** `posdiag-hub ARGS` in process: its exit code and what it wrote to stderr (stdout is dropped). */
export async function runHubMain(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io: CliIo = { stdout: () => {}, stderr: (t) => void (stderr += t), color: false, signal: new AbortController().signal };
  const code = await main(args, io);
  return { code, stderr };
}
