import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

/**
 * The console's static files, read once at start: its stylesheet and script (beside this file, copied
 * into dist/ by the build), and htmx from its npm package (never a CDN: a provider's intranet may have
 * no internet). Each is served under a name with its content hash, so it can be cached for a year and a
 * new hub's page never gets an old file.
 */
interface Asset {
  body: Buffer;
  type: string;
  path: string;
}

const require = createRequire(import.meta.url);

function load(name: string, file: string, type: string): Asset {
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  return { body, type, path: `/console/assets/${name.slice(0, dot)}.${hash}${name.slice(dot)}` };
}

let loaded: Record<'css' | 'js' | 'htmx', Asset> | undefined;

export function assets(): Record<'css' | 'js' | 'htmx', Asset> {
  loaded ??= {
    css: load('console.css', fileURLToPath(new URL('./assets/console.css', import.meta.url)), 'text/css; charset=utf-8'),
    js: load('console.js', fileURLToPath(new URL('./assets/console.js', import.meta.url)), 'text/javascript; charset=utf-8'),
    htmx: load('htmx.min.js', require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
  };
  return loaded;
}

/** Answers GET /console/assets/NAME; false when NAME is none of them. */
export function serveAsset(pathname: string, res: ServerResponse): boolean {
  const asset = Object.values(assets()).find((a) => a.path === pathname);
  if (!asset) return false;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
  res.end(asset.body);
  return true;
}
