export { startHub, AGENT_PATH, type Hub, type HubOptions, type StoredListener } from './server.js';
export { loadTokens, parseTokens, TokensError, type TokenMap } from './tokens.js';
export { TERMINAL_HEADER } from './auth.js';
export type { StoredReport, OpenFault, SeqGap } from './store.js';
export type { StoredMeta } from './agent-socket.js';
