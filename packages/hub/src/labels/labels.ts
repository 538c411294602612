import { z } from 'zod';
import { HttpError, parseWith } from '../http-api.js';
import { labelHolds } from './label-holds.js';

/** What a label may be called and hold (PUT /api/terminals/ID/labels, CSV import, `label.KEY=` filters). */
export const labelKey = z.string().regex(/^[a-z][a-z0-9_.-]{0,31}$/, 'a label name: a lowercase letter, then up to 31 of a-z 0-9 _ . -');
export const labelValue = z.string().min(1).max(128);
export const MAX_LABELS = 32;
export const labelSet = z.record(labelKey, labelValue).refine((l) => Object.keys(l).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);

export type Labels = Record<string, string>;

/**
 * Takes the `label.KEY=VALUE` parameters out of a parsed query (so the rest can be parsed strictly) and
 * returns them as the labels a terminal must all have.
 */
export function takeLabelFilter(query: Record<string, string>): Labels {
  const filter: Labels = {};
  for (const key of Object.keys(query)) {
    if (!key.startsWith('label.')) continue;
    const value = query[key]!;
    if (value === '') throw new HttpError(400, `bad query: ${key}: a label value, not empty`);
    filter[parseWith(labelKey, key.slice('label.'.length), `query: ${key}`)] = value;
    delete query[key];
  }
  return filter;
}

export function labelsMatch(labels: Labels | undefined, filter: Labels): boolean {
  return Object.entries(filter).every(([key, value]) => labelHolds(key, labels?.[key], value));
}

/** The terminals whose labels match, of those labelled; an empty filter is answered by the caller, not here. */
export function terminalsMatching(all: ReadonlyMap<string, Labels>, filter: Labels): string[] {
  return [...all].filter(([, labels]) => labelsMatch(labels, filter)).map(([terminal]) => terminal);
}
