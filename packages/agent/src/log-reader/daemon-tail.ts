import { ControlRequestError, requestDaemon } from '../control/client.js';
import { logTailSnapshotSchema, type LogTailSnapshot } from '../log-line/tail-snapshot.js';

/**
 * The running daemon's memory tail of its log (control method `log_tail`), or undefined when no daemon
 * runs or it writes no log file. Other failures (the socket refused us, a daemon too old to know the
 * method) reject: the caller says what it then cannot show.
 */
export async function fetchDaemonLogTail(socket: string): Promise<LogTailSnapshot | undefined> {
  let answer: unknown;
  try {
    answer = await requestDaemon(socket, 'log_tail', {});
  } catch (err) {
    if (err instanceof ControlRequestError && err.code === 'not_found') return undefined;
    throw err;
  }
  return answer === undefined ? undefined : logTailSnapshotSchema.parse(answer);
}
