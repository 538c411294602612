/**
 * A configuration problem: the CLI prints `message` and exits 78 (EX_CONFIG). The class is the CLI
 * contract's (posdiag-protocol/cli), one for the agent and the hub, so either program's main maps it.
 */
export { ConfigError } from 'posdiag-protocol/cli';
