/** This agent's version: reported in the hub handshake and bundles, and sent as `posdiag/<version>` to targets. */
export const AGENT_VERSION = '0.1.0';
