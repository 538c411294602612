export { startHub, type Hub, type HubOptions, type StoredListener } from './server.js';
export { loadTokens, parseTokens, TokensError, type TokenMap } from './tokens.js';
export type { StoredReport, OpenFault, SeqGap } from './store.js';
export type { StoredMeta } from './agent-socket.js';
