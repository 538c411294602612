import type { SelfTestReport } from 'posdiag-protocol';
import type { PageRequest } from '../context.js';
import { html, type Html } from '../html.js';

/** A self-test's verdict as the terminal and alarm pages show it: passed or failed, its checks, when, its receipt's Ref. */
export function selfTestVerdict(p: PageRequest, report: Pick<SelfTestReport, 'result'>): Html {
  const { t, time } = p;
  const r = report.result;
  const failed = r.checks.filter((c) => !c.passed);
  return html`<div class="verdict" data-verdict="${r.passed ? 'passed' : 'failed'}">
<p><strong class="${r.passed ? 'ok' : 'bad'}">${t('terminal.verdict', { verdict: r.passed ? t('terminal.passed') : t('terminal.failed') })}</strong>
· ${r.level} · ${time.el(r.finishedAt)}${r.ref ? html` · Ref <code>${r.ref}</code>` : ''}</p>
<p class="note">${r.checks.length - failed.length}/${r.checks.length} ✓${failed.length ? html` — ${failed.map((c) => `${c.device} ${c.name}: ${c.detail}`).join('; ')}` : ''}</p>
</div>`;
}
