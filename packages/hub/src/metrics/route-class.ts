/**
 * A request's route as the API metrics count it: the path's first two segments (`/api/bundles` for
 * `/api/bundles/ID`, `/api/terminals` for its commands), or `/healthz`, `/metrics`. Only paths a route
 * answered get a class of their own; the rest are `other`, so no client can make up new series.
 */
export function routeClass(pathname: string): string {
  const [, first = '', second] = pathname.split('/');
  return first === 'api' && second ? `/api/${second}` : `/${first}`;
}

export const UNROUTED = 'other';
