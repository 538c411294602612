import { randomUUID } from 'node:crypto';
import type { SelfTestResult } from 'posdiag-protocol';

export class SelfTestBusyError extends Error {
  override name = 'SelfTestBusyError';
  constructor(readonly runningTestId: string) {
    super(`a self-test is already running (${runningTestId})`);
  }
}

export interface SelfTestRun {
  testId: string;
  result: Promise<SelfTestResult>;
}

/**
 * One self-test at a time per terminal: a second request while one runs is refused with the running
 * test's id (SPEC: "busy"), so two tests never interleave I/O on a device. Keeps the last result.
 */
export class SelfTestCoordinator<O> {
  private running: SelfTestRun | undefined;
  private last: { testId: string; result: SelfTestResult } | undefined;

  constructor(private readonly run: (options: O, testId: string) => Promise<SelfTestResult>) {}

  start(options: O): SelfTestRun {
    if (this.running) throw new SelfTestBusyError(this.running.testId);
    const testId = randomUUID();
    // Settled only after the bookkeeping, so whoever awaits the result may start the next test at once.
    const settle = () => {
      if (this.running?.testId === testId) this.running = undefined;
    };
    const result = this.run(options, testId).then(
      (r) => {
        this.last = { testId, result: r };
        settle();
        return r;
      },
      (err: unknown) => {
        settle();
        throw err;
      },
    );
    const run = { testId, result };
    this.running = run;
    return run;
  }

  lastResult(): { testId: string; result: SelfTestResult } | undefined {
    return this.last;
  }
}
