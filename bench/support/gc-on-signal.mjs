// Preloaded into the bench's server children (with --expose-gc): SIGUSR2 runs a full GC, so an RSS read
// after it is not inflated by garbage that an idle process would keep for a long time (tsx's startup
// compilation, a finished burst of handshakes). bench/support/servers.ts sends it before each reading.
process.on('SIGUSR2', () => globalThis.gc());
