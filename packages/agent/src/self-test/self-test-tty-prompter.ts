import { createInterface } from 'node:readline';
import type { Prompter, SelfTestPrompt } from './self-test-prompts.js';

const YES = new Set(['y', 'yes', '是', '是的', '1']);
const NO = new Set(['n', 'no', '否', '不', '0']);

/** "yes" / "no" (or 是 / 否) → the answer; anything else → undefined (asked again). */
export function parseYesNo(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (YES.has(word)) return true;
  if (NO.has(word)) return false;
  return undefined;
}

/** The interactive self-test needs a person at a terminal: without a TTY on stdin it cannot ask anything. */
export function canPrompt(stdin: { isTTY?: boolean }): boolean {
  return stdin.isTTY === true;
}

/**
 * Prompts on a terminal (readline): a swipe prompt is a line of text; a yes/no question is asked until
 * a line says yes or no, or until the signal aborts (the test stopped waiting). Lines are taken as
 * they come, so typed-ahead or piped answers are not lost between two askings.
 */
export function ttyPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  return {
    ask(prompt: SelfTestPrompt, signal: AbortSignal) {
      const question = `» ${prompt.text}${prompt.kind === 'swipe' ? '\n' : ' '}`;
      output.write(question);
      if (prompt.kind === 'swipe') return Promise.resolve(undefined);
      return new Promise<boolean | undefined>((resolve) => {
        const rl = createInterface({ input, terminal: false });
        const done = (answer: boolean | undefined) => {
          signal.removeEventListener('abort', onAbort);
          rl.close();
          resolve(answer);
        };
        const onAbort = () => done(undefined);
        if (signal.aborted) return done(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        rl.on('line', (line) => {
          const answer = parseYesNo(line);
          if (answer === undefined) output.write(question);
          else done(answer);
        });
      });
    },
  };
}
