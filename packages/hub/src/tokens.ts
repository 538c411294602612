import { readFileSync } from 'node:fs';
import { terminalIdSchema } from 'posdiag-protocol';

/** Terminal id → bearer token. A terminal absent from the map is refused at the handshake. */
export type TokenMap = Record<string, string>;

/** The tokens file (or map) is unusable; the message names the file and the offending key. */
export class TokensError extends Error {
  override name = 'TokensError';
}


/**
 * Validates a token map: a JSON object whose keys are terminal ids (the same syntax reports use) and
 * whose values are non-empty strings. `source` names where it came from, for the error message.
 */
export function parseTokens(value: unknown, source: string): TokenMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokensError(`${source}: expected a JSON object mapping terminal id to bearer token`);
  }
  const tokens: TokenMap = {};
  for (const [id, token] of Object.entries(value)) {
    if (!terminalIdSchema.safeParse(id).success) {
      throw new TokensError(`${source}: key ${JSON.stringify(id)} is not a terminal id (1-64 of A-Z a-z 0-9 . _ -)`);
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new TokensError(`${source}: token for terminal ${JSON.stringify(id)} must be a non-empty string`);
    }
    tokens[id] = token;
  }
  return tokens;
}

/** Reads and validates a tokens file (`posdiag hub --tokens FILE`). Throws TokensError. */
export function loadTokens(file: string): TokenMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TokensError(`${file}: cannot read tokens file: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TokensError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return parseTokens(json, file);
}
