import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { HubStore } from '../store/store.js';
import type { WorkOrderRecord, WorkOrderState } from './work-order.js';

/**
 * The merchant's view of one work order: GET /wo/TOKEN, no login. The token (refs.ts, 128 random bits)
 * is the only key: the page shows that order's reference, state and expected date and nothing else, in
 * zh-CN or en (`?lang=`, else Accept-Language, else zh-CN). An unknown or malformed token is the same
 * 404 after the same single lookup, so the answer says nothing about which tokens exist. Served before
 * the API (and any console router): server.ts.
 */
export const MERCHANT_PREFIX = '/wo/';

type Lang = 'zh-CN' | 'en';

const STATE_TEXT: Record<WorkOrderState, Record<Lang, string>> = {
  submitted: { 'zh-CN': '已提交，等待受理', en: 'Submitted, waiting to be accepted' },
  accepted: { 'zh-CN': '已受理', en: 'Accepted' },
  spare_sent: { 'zh-CN': '备用机已寄出', en: 'A spare terminal is on its way' },
  in_repair: { 'zh-CN': '维修中', en: 'In repair' },
  returned: { 'zh-CN': '已返还，等待检测', en: 'Returned, waiting for its check' },
  verified: { 'zh-CN': '已检测合格', en: 'Checked and working' },
  closed: { 'zh-CN': '已完成', en: 'Completed' },
  cancelled: { 'zh-CN': '已取消', en: 'Cancelled' },
};

const TEXT = {
  title: { 'zh-CN': '维修工单', en: 'Repair order' },
  lostTitle: { 'zh-CN': '终端挂失', en: 'Lost terminal' },
  ref: { 'zh-CN': '工单号', en: 'Reference' },
  state: { 'zh-CN': '状态', en: 'State' },
  expected: { 'zh-CN': '预计完成', en: 'Expected by' },
  updated: { 'zh-CN': '最后更新', en: 'Last update' },
  notFound: { 'zh-CN': '未找到该工单', en: 'No such work order' },
} as const;

/** `?lang=` when it names one of ours, else the first of Accept-Language we have, else zh-CN. */
export function pageLanguage(query: string | null, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh-CN') return query;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p.trim())?.[1]).find((v) => v !== undefined);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
  }
  return 'zh-CN';
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function day(ms: number | null, lang: Lang): string {
  if (ms === null) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(new Date(ms));
}

export function renderOrder(o: WorkOrderRecord, lang: Lang): string {
  const rows: [string, string][] = [
    [TEXT.ref[lang], o.ref],
    [TEXT.state[lang], STATE_TEXT[o.state][lang]],
    [TEXT.expected[lang], o.state === 'closed' || o.state === 'cancelled' ? day(o.closedAt, lang) : day(o.resolveDueAt, lang)],
    [TEXT.updated[lang], day(o.updatedAt, lang)],
  ];
  const title = o.kind === 'lost' ? TEXT.lostTitle[lang] : TEXT.title[lang];
  return page(lang, title, `<h1>${escape(title)}</h1><dl>${rows.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>`);
}

function page(lang: Lang, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}dt{color:#555;margin-top:.8rem}dd{margin:0;font-size:1.2rem}</style>' +
    `</head><body>${body}</body></html>\n`;
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the URL: it must not leak to another site or to a search engine.
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
};

/** Answers GET /wo/TOKEN and returns true; false (and nothing written) for any other path. */
export function serveMerchantPage(req: IncomingMessage, res: ServerResponse, ctx: { store: HubStore; log: Logger }): boolean {
  const url = new URL(req.url ?? '/', 'http://hub');
  if (!url.pathname.startsWith(MERCHANT_PREFIX)) return false;
  const lang = pageLanguage(url.searchParams.get('lang'), req.headers['accept-language']);
  const answer = (status: number, html: string) => {
    res.writeHead(status, { ...HEADERS, 'content-length': Buffer.byteLength(html), ...(status === 405 ? { allow: 'GET' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : html);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    answer(405, page(lang, 'Method Not Allowed', '<h1>405</h1>'));
    return true;
  }
  // Whatever the token looks like, one lookup: a malformed one costs the same as an unknown one.
  const token = url.pathname.slice(MERCHANT_PREFIX.length, MERCHANT_PREFIX.length + 64);
  ctx.store.workorders.byToken(token).then(
    (order) => (order ? answer(200, renderOrder(order, lang)) : answer(404, page(lang, TEXT.notFound[lang], `<h1>${escape(TEXT.notFound[lang])}</h1>`))),
    (err: unknown) => {
      ctx.log.error({ err: (err as Error).message }, 'merchant page not served');
      answer(503, page(lang, 'Unavailable', '<h1>503</h1>'));
    },
  );
  return true;
}
