// `node --import <this file>`: the packages named in POSDIAG_UNLOADABLE (comma-separated, e.g.
// "node-hid,usb") cannot be resolved in this process, as on a platform they have no build for (node-hid
// ships no Android prebuild): `import('node-hid')` fails with ERR_MODULE_NOT_FOUND, a real module
// resolution failure, not a flag the agent reads. Each request for one is appended to the file
// POSDIAG_UNLOADABLE_LOG (when set), so a test can tell a package was never even asked for.
import { register } from 'node:module';

const blocked = (process.env.POSDIAG_UNLOADABLE ?? '').split(',').filter(Boolean);
register('./hooks.mjs', import.meta.url, { data: { blocked, log: process.env.POSDIAG_UNLOADABLE_LOG ?? null } });
