import type { Clock } from 'posdiag-protocol';

/**
 * What the interactive self-test asks of the person at the terminal. A `yes_no` prompt waits for an
 * answer; a `swipe` prompt only tells them what to do (the card reader's swipe is the answer). A
 * `print` prompt asks the payment app to print `text` on a printer it relays (devices/printer/
 * app-printer-driver.ts) and waits for its answer: true, printed.
 */
export interface SelfTestPrompt {
  promptId: string;
  text: string;
  kind: 'swipe' | 'yes_no' | 'print';
}

/**
 * Where prompts are shown and answered: the CLI's terminal, or the control API connection that asked
 * for the test. `ask` resolves with the answer of a `yes_no` prompt, `undefined` for a `swipe` prompt
 * or when the signal aborts first (the test stopped waiting); it never rejects for want of an answer.
 */
export interface Prompter {
  ask(prompt: SelfTestPrompt, signal: AbortSignal): Promise<boolean | undefined>;
}

/** How long a yes/no question waits before its check fails with "no answer". */
export const ANSWER_TIMEOUT_MS = 60_000;

/** A yes/no answer, or `undefined` when none came within `timeoutMs` (on the injected clock). */
export async function askWithin(prompter: Prompter, prompt: SelfTestPrompt, timeoutMs: number, clock: Clock): Promise<boolean | undefined> {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new Error('no answer')), timeoutMs);
  try {
    return await Promise.race([
      prompter.ask(prompt, controller.signal),
      new Promise<undefined>((resolve) => controller.signal.addEventListener('abort', () => resolve(undefined), { once: true })),
    ]);
  } finally {
    clock.clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error('answered'));
  }
}
