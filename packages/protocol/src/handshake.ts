/**
 * The WebSocket connection between an agent and its hub (SPEC §7). The agent opens it with an upgrade
 * request to `AGENT_PATH`:
 *
 *   Authorization: Bearer <token>        the terminal's token from the hub's tokens file
 *   X-Posdiag-Terminal: <terminal id>    which terminal the token belongs to
 *
 * Alternatively, over TLS with client certificates requested, a client certificate that verifies
 * against the hub's CA and whose subject CN is a known terminal id authenticates that terminal
 * (X-Posdiag-Terminal, if sent, must then equal the CN). Credentials that are present but wrong are
 * refused even when another method would succeed: a wrong token is a signal, not a fallback.
 */
export const AGENT_PATH = '/agent';

/** Names the terminal the bearer token belongs to; lower case, as Node hands incoming headers over. */
export const TERMINAL_HEADER = 'x-posdiag-terminal';

/** Close code the hub sends to a connection that a newer one for the same terminal replaces. */
export const CLOSE_REPLACED = 4000;
/** Close code the hub sends to a terminal whose token was revoked or changed (tokens file reloaded). */
export const CLOSE_REVOKED = 4001;
/** Close code (RFC 6455's "Try Again Later") for a connection the hub cannot serve now: its database does not answer. */
export const CLOSE_TRY_AGAIN = 1013;
