import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locale } from 'posdiag-protocol';
import type { ApiContext } from '../http-api.js';
import type { Translate } from './i18n.js';
import type { ConsoleSession } from './session.js';
import type { TimeFormat } from './format.js';

/** What the console works with: the API's context (the same store, alarms, commands, operators), and how it is served. */
export interface ConsoleContext extends ApiContext {
  /** The hub serves TLS: cookies are Secure. */
  secure: boolean;
  /** The hub's clock (ms since the epoch): silences are timed on it. */
  clockNow(): number;
}

/** One console request once its operator is known: everything a page needs to render. */
export interface PageRequest {
  ctx: ConsoleContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: ConsoleSession;
  locale: Locale;
  t: Translate;
  time: TimeFormat;
  /** An htmx request (HX-Request): answered with a fragment, not a whole page. */
  htmx: boolean;
}

/** What a page handler answers: a whole page (in the layout), or, for htmx, a fragment alone. */
export type PageResult = { title: string; body: import('./html.js').Html; live?: boolean; status?: number } | { fragment: import('./html.js').Html };
