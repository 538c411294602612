import type { AuditQuery } from './store.js';

/**
 * The WHERE clause of an audit query, for either backend: `placeholder(n)` is the n-th parameter's
 * marker (`?` or `$n`). The limit is the caller's, after these parameters.
 */
export function auditWhere(query: AuditQuery, placeholder: (n: number) => string): { where: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, value: string | number) => {
    params.push(value);
    clauses.push(sql.replace('$', placeholder(params.length)));
  };
  if (query.principal !== undefined) add('principal = $', query.principal);
  if (query.action !== undefined) add('action = $', query.action);
  if (query.sinceMs !== undefined) add('at >= $', query.sinceMs);
  if (query.before !== undefined) add('id < $', query.before);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
