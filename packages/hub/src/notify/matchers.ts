import { labelHolds } from '../labels/label-holds.js';
import type { Labels } from './group-notice.js';

/**
 * A route's or a silence's matchers: every named label must hold the value given, or one of the list
 * given (`{"severity": ["critical", "major"]}`). Equality only, like Alertmanager's `match`: a label the
 * alert lacks never matches (Alertmanager's `label=""` is not offered). No matchers match everything.
 * A terminal's `tags` label holds several tags: a matcher on `tags` asks for one of them.
 */
export type Matchers = Readonly<Record<string, string | readonly string[]>>;

export function matches(matchers: Matchers, labels: Labels): boolean {
  for (const [name, want] of Object.entries(matchers)) {
    const value = labels[name];
    const wanted = typeof want === 'string' ? [want] : want;
    if (!wanted.some((w) => labelHolds(name, value, w))) return false;
  }
  return true;
}

/** `{region="north",severity=~"critical|major"}`, sorted by name, as Alertmanager prints matchers. */
export function formatMatchers(matchers: Matchers): string {
  const parts = Object.keys(matchers)
    .sort()
    .map((name) => {
      const want = matchers[name]!;
      return typeof want === 'string' ? `${name}=${JSON.stringify(want)}` : `${name}=~${JSON.stringify(want.join('|'))}`;
    });
  return `{${parts.join(',')}}`;
}

/** `{region="north"}`: a label set printed the same way, for group keys. */
export function formatLabels(labels: Labels): string {
  return formatMatchers(labels);
}
