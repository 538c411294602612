import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { headerValue } from '../auth.js';
import { auditRequest, HttpError, parseWith, queryObject, readBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { CsvError } from './csv.js';
import { applyRow, formatSheet, parseSheet } from './label-sheet.js';

/**
 * The label sheet routes of the HTTP API (http-api.ts; viewer GET, operator POST):
 *
 *   POST /api/terminals/labels?mode=merge|replace  Content-Type: text/csv, the sheet (label-sheet.ts), at most 4 MiB
 *        → 200 {updated: N}; every row or none (one transaction): 400 naming the row of the first bad one (unknown
 *          terminal, bad field, a row twice); 413 larger; 415 not text/csv. merge (default): the sheet's columns
 *          overwrite, the terminal's other labels stay; replace: the terminal's labels become its row's.
 *   GET  /api/terminals/labels.csv → 200 text/csv: every terminal of the hub with its labels, the same sheet
 *
 * An import is audited as terminal.labels.import.
 */
export const MAX_SHEET_BYTES = 4 * 1024 * 1024;

const importQuery = z.strictObject({ mode: z.enum(['merge', 'replace']).default('merge') });

/** Answers the label sheet routes; false when the path is not one of them. */
export async function routeLabels(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  if (url.pathname === '/api/terminals/labels.csv') {
    requireMethod(req, res, 'GET');
    parseWith(z.strictObject({}), queryObject(url.searchParams), 'query');
    const text = formatSheet(Object.keys(ctx.tokens), await ctx.store.alarms.labels());
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'content-disposition': 'attachment; filename="terminal-labels.csv"',
    });
    res.end(text);
    return true;
  }
  if (url.pathname !== '/api/terminals/labels') return false;
  requireMethod(req, res, 'POST');
  const { mode } = parseWith(importQuery, queryObject(url.searchParams), 'query');
  Object.assign(scope, { action: 'terminal.labels.import', detail: `mode ${mode}` });
  const type = headerValue(req, 'content-type')?.split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/csv') throw new HttpError(415, `the label sheet is text/csv, not ${type ?? 'no content type'}`);
  const text = decodeUtf8(await readBody(req, MAX_SHEET_BYTES));
  try {
    const rows = parseSheet(text, (terminal) => Object.hasOwn(ctx.tokens, terminal));
    const byTerminal = new Map(rows.map((r) => [r.terminal, r]));
    await ctx.store.alarms.updateLabels([...byTerminal.keys()], (terminal, current) => applyRow(byTerminal.get(terminal)!, current, mode));
    scope.detail = `mode ${mode}, ${rows.length} terminals`;
    await auditRequest(req, ctx, scope, 200, undefined);
    send(res, 200, { updated: rows.length });
  } catch (err) {
    throw err instanceof CsvError ? new HttpError(400, `bad label sheet: ${err.message}`) : err;
  }
  return true;
}

function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'bad label sheet: not UTF-8 text');
  }
}
