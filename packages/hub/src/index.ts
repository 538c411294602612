/**
 * posdiag-hub: the provider-side hub terminals report to (docs/architecture.md). `startHub` embeds it
 * (the agent's demo does); `createHubCommand` is the command the `posdiag-hub` program and the
 * agent's `posdiag hub` both run.
 */
export { createHubCommand, parseSilence } from './cli/hub-command.js';
export { startHub, type Hub, type HubOptions, type StoredListener } from './server.js';
export { loadTokens, parseTokens, TokensError, type TokenMap } from './tokens.js';
export type { StoredReport, OpenFault, SeqGap } from './store/store.js';
export type { StoredMeta } from './agent-socket.js';
export { addOperatorUser } from './operators/add-user.js';
