import type { Locale } from 'posdiag-protocol';
import { uiText, valueWord } from '../../core/ui-text.js';
import type { Driver } from '../../drivers/contract.js';
import type { Prompter } from '../../self-test/self-test-prompts.js';
import type { SelfTestCheck, StepContext } from '../../self-test/self-test-steps.js';
import type { FamilySelfTest } from '../family.js';
import { awaitTestSwipe } from './await-test-swipe.js';
import type { CardReaderConfig } from './config.js';
import type { SwipeSource } from './swipe-events.js';
import type { SwipeResult } from './swipe.js';

/** The interactive swipe prompt says 30 s, so it waits 30 s. */
export const SWIPE_TIMEOUT_MS = 30_000;

/** A card reader driver whose swipes can be awaited (HID and serial swipe readers; pcsc has no swipes). */
const isSwipeSource = (driver: Driver): driver is Driver & SwipeSource => typeof (driver as Partial<SwipeSource>).onSwipe === 'function';

/** The interactive level asks for the test card to be swiped and judges the read (never its data). */
export const selfTest: FamilySelfTest<CardReaderConfig> = {
  async interactive({ drivers, prompter, step, decide }) {
    const reader = drivers.find(isSwipeSource);
    if (reader) decide(await swipeTestCard(reader, prompter, step));
  },
};

/** "Swipe the test card within 30 s": passes on a good read, with the per-track result either way. */
async function swipeTestCard(reader: Driver & SwipeSource, prompter: Prompter, ctx: StepContext): Promise<SelfTestCheck> {
  const w = uiText(ctx.locale).detail;
  const seconds = Math.round(SWIPE_TIMEOUT_MS / 1000);
  // Listen before asking, so a quick swipe is not missed.
  const swipe = awaitTestSwipe(reader, SWIPE_TIMEOUT_MS, undefined, ctx.clock);
  const shown = new AbortController();
  prompter.ask({ promptId: ctx.newPromptId(), text: w.swipeRequest(seconds), kind: 'swipe' }, shown.signal).catch(() => undefined);
  const result = await swipe;
  shown.abort(new Error('swipe prompt over'));
  if (!result.swiped) return { device: reader.name, name: 'swipe', passed: false, detail: w.noSwipe(seconds) };
  return { device: reader.name, name: 'swipe', passed: result.outcome === 'good', detail: swipeDetail(result, ctx.locale) };
}

/** The swipe's outcome and each track's status, e.g. `good: t1=ok(76) t2=ok(37) t3=empty` (never track data). */
function swipeDetail(swipe: SwipeResult, locale: Locale): string {
  const w = uiText(locale).detail;
  const tracks = swipe.tracks.map((t, i) => `${w.track(i + 1)}=${valueWord(t.status, locale)}${t.length ? `(${t.length})` : ''}`);
  return `${valueWord(swipe.outcome, locale)}: ${tracks.join(' ')}`;
}
