import { main, reportFailure } from './main.js';

// The last resort: an error thrown outside any command's promise (an event handler, a timer) is still
// one line and exit 70, never a stack (POSDIAG_DEBUG=1 shows it).
const command = `posdiag${process.argv[2] && !process.argv[2].startsWith('-') ? ` ${process.argv[2]}` : ''}`;
const lastResort = (err: unknown) => process.exit(reportFailure(err, { stderr: (text) => process.stderr.write(text) }, command));
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

process.exitCode = await main(process.argv.slice(2));
// Every command closes what it opened; should a stray handle still hold the loop, exit anyway.
setTimeout(() => process.exit(), 2000).unref();
