/**
 * posdiag-protocol: what the terminal agent and the provider hub share, and nothing else
 * (docs/architecture.md): the wire schemas and how a bundle is cut into chunks, the handshake, ids,
 * locales and localized text, fault severity and category, the one duration grammar, and the Clock
 * both sides' timers take. The
 * command-line contract both programs keep is its other entry, posdiag-protocol/cli (src/cli/index.ts).
 */
export * from './backoff.js';
export * from './bundle-chunks.js';
export * from './clock.js';
export * from './config-value.js';
export * from './duration.js';
export * from './fault-class.js';
export * from './handshake.js';
export * from './ids.js';
export * from './locale.js';
export * from './wire.js';
