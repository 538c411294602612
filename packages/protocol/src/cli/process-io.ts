import { EXIT, type CliIo } from './command.js';

/** The process's own streams and signals, as a command sees them. */
export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `posdiag log | head`: the reader has what it wanted; stop quietly, as a killed-by-SIGPIPE tool would.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT.ok);
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal: controller.signal,
  };
}

/**
 * Runs a program's `main` as the process: an error thrown outside any command's promise (an event
 * handler, a timer) is still one line and exit 70, never a stack (POSDIAG_DEBUG=1 shows it), and a
 * stray handle left open cannot keep the process from exiting.
 */
export async function runAsProcess(
  main: (argv: string[]) => Promise<number>,
  lastResort: (err: unknown, io: Pick<CliIo, 'stderr'>) => number,
): Promise<void> {
  const onStray = (err: unknown) => process.exit(lastResort(err, { stderr: (text) => process.stderr.write(text) }));
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  process.exitCode = await main(process.argv.slice(2));
  // Every command closes what it opened; should a stray handle still hold the loop, exit anyway.
  setTimeout(() => process.exit(), 2000).unref();
}
