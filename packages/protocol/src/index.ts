/**
 * posdiag-protocol: what the terminal agent and the provider hub share, and nothing else (docs/architecture.md):
 * the wire schemas, the handshake, ids, locales and localized text, fault severity and category, and
 * the one duration grammar.
 */
export * from './duration.js';
export * from './fault-class.js';
export * from './handshake.js';
export * from './ids.js';
export * from './locale.js';
export * from './wire.js';
