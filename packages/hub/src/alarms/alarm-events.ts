import type { AlarmRecord } from './alarm.js';

/**
 * What happened to an alarm, for whoever acts on it (the notifier, notify/): the alarm as it now is,
 * who did it, and what. `reminder`: a terminal.silent alarm is still active `reminderEvery` after the
 * last raise or reminder (alarms/reminders.ts); it changes nothing in the alarm but its remindedAt.
 */
export interface AlarmEvent {
  type: 'raised' | 'repeated' | 'reactivated' | 'cleared' | 'ack' | 'unack' | 'comment' | 'assign' | 'severity' | 'close' | 'reminder';
  alarm: AlarmRecord;
  actor: string;
}

export type AlarmListener = (event: AlarmEvent) => void;

/** The alarms' listeners. A listener that throws is reported to `onError` and the others still hear the event. */
export class AlarmEvents {
  private readonly listeners: AlarmListener[] = [];

  constructor(private readonly onError: (err: unknown) => void) {}

  on(listener: AlarmListener): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  emit(event: AlarmEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
