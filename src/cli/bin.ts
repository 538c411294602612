import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
// Every command closes what it opened; should a stray handle still hold the loop, exit anyway.
setTimeout(() => process.exit(), 2000).unref();
