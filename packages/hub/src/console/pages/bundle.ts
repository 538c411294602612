import type { PageRequest } from '../context.js';
import { ConsoleError } from '../respond.js';

/** GET /bundles/ID: a diagnostic bundle's tar.gz, for a signed-in operator (the API's needs a token). */
export async function bundleDownload(p: PageRequest, id: string): Promise<void> {
  const found = await p.ctx.store.getBundle(id);
  if (!found) throw new ConsoleError(404, p.t('common.notFound'));
  p.res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-length': found.data.length,
    'content-disposition': `attachment; filename="posdiag-bundle-${found.terminal}-${found.id}.tar.gz"`,
  });
  p.res.end(found.data);
}
