import type { Prompter, SelfTestPrompt } from '../self-test/self-test-prompts.js';
import type { ControlLine } from './protocol.js';

/**
 * The prompts of one control connection: an interactive self-test asks through `prompter(requestId)`,
 * which sends `prompt` events; the client's `answer` requests settle them (`yes_no`, and `print`, on
 * the connection of a printer relay). Closing the connection leaves every open prompt, and any later one, unanswered (its check fails with "no answer"), never hanging the test.
 */
export class ConnectionPrompts {
  private readonly open = new Map<string, (answer: boolean | undefined) => void>();
  private closed = false;

  constructor(private readonly send: (line: ControlLine) => void) {}

  prompter(requestId: number): Prompter {
    return {
      ask: (prompt: SelfTestPrompt, signal: AbortSignal) => {
        // A closed connection answers nothing: a prompt sent after it closed is unanswered at once.
        if (this.closed) return Promise.resolve(undefined);
        this.send({ id: requestId, event: 'prompt', ...prompt });
        if (prompt.kind === 'swipe') return Promise.resolve(undefined);
        return new Promise<boolean | undefined>((resolve) => {
          const settle = (answer: boolean | undefined) => {
            this.open.delete(prompt.promptId);
            signal.removeEventListener('abort', onAbort);
            resolve(answer);
          };
          const onAbort = () => settle(undefined);
          if (signal.aborted) return settle(undefined);
          signal.addEventListener('abort', onAbort, { once: true });
          this.open.set(prompt.promptId, settle);
        });
      },
    };
  }

  /** Answers an open prompt; false when there is none by that id (answered, timed out, or unknown). */
  answer(promptId: string, answer: boolean): boolean {
    const settle = this.open.get(promptId);
    if (!settle) return false;
    settle(answer);
    return true;
  }

  close(): void {
    this.closed = true;
    for (const settle of [...this.open.values()]) settle(undefined);
  }
}
