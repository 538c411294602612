/**
 * posdiag-protocol/cli: the command-line contract `posdiag` and `posdiag-hub` both keep (SPEC §2,
 * README "Exit codes"): the flag grammar, `-h` and its help, the exit codes and the one-line error,
 * so `posdiag hub` and `posdiag-hub` answer alike. Node built-ins only.
 */
export * from './args.js';
export * from './command.js';
export * from './config-error.js';
export * from './did-you-mean.js';
export * from './failure.js';
export * from './output-file.js';
export * from './process-io.js';
export * from './read-named-file.js';
export * from './run-command.js';
