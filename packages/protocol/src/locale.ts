import { z } from 'zod';

/**
 * The languages posdiag speaks (SPEC §3 `locale`): the terminal's own output is in one of them, and
 * every text meant for a merchant travels in all of them, so the hub can show either.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const localeSchema = z.enum(LOCALES);

const text = z.string().max(2000);

/** A text in every locale (a fault's summary, a merchant step, a technician hint). */
export const localizedText = z.strictObject({ en: text, 'zh-CN': text } satisfies Record<Locale, typeof text>);
export type LocalizedText = z.infer<typeof localizedText>;
