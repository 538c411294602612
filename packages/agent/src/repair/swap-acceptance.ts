import type { Clock } from 'posdiag-protocol';
import type { Logger } from '../log/logger.js';
import { SelfTestBusyError, type SelfTestRun } from '../self-test/self-test-coordinator.js';
import { acceptanceCommandId, writeSwapMarker, type SwapMarker } from './swap-marker.js';

export interface AcceptanceOptions {
  stateDir: string;
  marker: SwapMarker;
  /** Starts a full self-test recorded as a `self_test` report with this `commandId`; throws SelfTestBusyError while one runs. */
  startFullSelfTest(commandId: string): SelfTestRun;
  clock: Clock;
  log: Logger;
}

/**
 * The spare's acceptance self-test (swap-marker.ts): call `connected()` at each hub welcome; the first
 * one after an import runs it, and its outcome goes into the marker once the report is in the outbox,
 * so a daemon stopped before then runs it at its next connection. A test already running (the payment
 * app's) puts it off to the next welcome; one that cannot run at all is logged and tried then too.
 */
export function swapAcceptance(options: AcceptanceOptions): { connected(): void } {
  let marker = options.marker;
  let running = false;
  return {
    connected() {
      if (marker.acceptance !== null || running) return;
      let run: SelfTestRun;
      try {
        run = options.startFullSelfTest(acceptanceCommandId(marker.swapId));
      } catch (err) {
        if (!(err instanceof SelfTestBusyError)) throw err;
        options.log.info({ swapId: marker.swapId, runningTestId: err.runningTestId }, 'swap: acceptance self-test put off to the next connection: another self-test is running');
        return;
      }
      running = true;
      options.log.info({ swapId: marker.swapId, testId: run.testId }, 'swap: acceptance self-test (full) started');
      run.result.then(
        (result) => {
          running = false;
          marker = { ...marker, acceptance: { testId: run.testId, passed: result.passed, at: new Date(options.clock.now()).toISOString() } };
          try {
            writeSwapMarker(options.stateDir, marker);
          } catch (err) {
            options.log.error({ err, swapId: marker.swapId }, 'swap: the acceptance self-test ran but could not be noted; it runs again at the next start');
          }
          options.log.info({ swapId: marker.swapId, testId: run.testId, passed: result.passed }, 'swap: acceptance self-test recorded');
        },
        (err: unknown) => {
          running = false;
          options.log.error({ err, swapId: marker.swapId }, 'swap: acceptance self-test failed to run; tried again at the next connection');
        },
      );
    },
  };
}
