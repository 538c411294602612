// Module resolution hooks (node:module register) for register.mjs.
import { appendFileSync } from 'node:fs';

let blocked = [];
let log = null;

export function initialize(data) {
  blocked = data.blocked;
  log = data.log;
}

export async function resolve(specifier, context, nextResolve) {
  const name = blocked.find((b) => specifier === b || specifier.startsWith(`${b}/`));
  if (name === undefined) return nextResolve(specifier, context);
  if (log) appendFileSync(log, `${name}\n`);
  const err = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL ?? 'the entry point'} (unloadable in this test)`);
  err.code = 'ERR_MODULE_NOT_FOUND';
  throw err;
}
