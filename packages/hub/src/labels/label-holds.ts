/** The label that holds several tags, `;` between them (label-sheet.ts). */
export const TAGS_LABEL = 'tags';

/**
 * Whether a label's value is what a filter or a route's matcher asks: equal, or for `tags` one of its
 * tags (`label.tags=vip` finds `vip;north-mall`). The store's SQL asks the same (store/alarm-rows.ts).
 */
export function labelHolds(key: string, value: string | undefined, want: string): boolean {
  if (value === undefined) return false;
  return key === TAGS_LABEL ? value === want || value.split(';').includes(want) : value === want;
}
