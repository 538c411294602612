import type { Agent } from '../agent.js';
import { relayPrinterStatus } from '../devices/printer/app-relay.js';
import { SelfTestBusyError } from '../self-test/self-test-coordinator.js';
import { reportDrop } from '../devices/accelerometer/control.js';
import { appHealth } from '../devices/payment-app/control.js';
import { ControlError, type ControlHandlers } from './server.js';
import { daemonStatusAnswer } from './status-answer.js';

/** The daemon's answers to control requests. Self-tests started here are also reported to the hub. */
export function agentControlHandlers(agent: Agent): ControlHandlers {
  return {
    async handle(request, emit, session) {
      switch (request.method) {
        case 'self_test': {
          let run;
          try {
            run = agent.startSelfTest({
              level: request.params.level,
              ...(request.params.locale ? { locale: request.params.locale } : {}),
              record: true,
              print: request.params.print,
              prompter: session.prompts.prompter(request.id),
              onCheck: (check) => emit({ id: request.id, event: 'check', check }),
            });
          } catch (err) {
            if (err instanceof SelfTestBusyError) throw new ControlError('busy', err.message, err.runningTestId);
            throw err;
          }
          emit({ id: request.id, event: 'started', testId: run.testId });
          return run.result;
        }
        case 'answer': {
          const { promptId, answer } = request.params;
          if (!session.prompts.answer(promptId, answer)) throw new ControlError('not_found', `no open prompt ${promptId} on this connection`);
          return { accepted: true };
        }
        case 'status':
          return daemonStatusAnswer(agent.status(), agent.catalog);
        case 'app_health':
          return appHealth(agent.drivers, request.params);
        case 'report_drop':
          return reportDrop(agent.drivers, request.params);
        case 'log_tail': {
          const tail = agent.logTail();
          if (!tail) throw new ControlError('not_found', 'the daemon writes no log file');
          return tail;
        }
        case 'lock_state':
          return agent.lock.state();
        case 'work_order': {
          const workOrder = agent.workOrder();
          if (!workOrder) throw new ControlError('not_found', 'the hub has told of no work order for this terminal');
          return workOrder;
        }
        case 'printer_status':
          return relayPrinterStatus(agent.drivers, request.params, session.prompts.prompter(request.id));
        case 'last_self_test': {
          const last = agent.lastSelfTest();
          if (!last) throw new ControlError('not_found', 'no self-test has run since the daemon started');
          return last;
        }
      }
    },
  };
}
