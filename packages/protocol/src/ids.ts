import { z } from 'zod';

/**
 * A terminal's id (SPEC §3 `terminal.id`): what a report names, what the hub's tokens file maps to a
 * token and what a client certificate's CN must be. Safe in a file name, a URL and a log line as is.
 */
export const TERMINAL_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const terminalIdSchema = z.string().regex(TERMINAL_ID_PATTERN);
