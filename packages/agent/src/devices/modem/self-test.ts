import type { Locale } from 'posdiag-protocol';
import type { Readings } from '../../core/readings.js';
import { uiText, valueWord } from '../../core/ui-text.js';
import type { SelfTestCheck } from '../../self-test/self-test-steps.js';
import type { FamilySelfTest } from '../family.js';
import type { ModemConfig } from './config.js';

/** The full level checks the modem's registration on the mobile network, from the test's poll. */
export const selfTest: FamilySelfTest<ModemConfig> = {
  async full({ drivers, readings, step, decide }) {
    const modem = drivers[0];
    if (modem) decide(registrationCheck(modem.name, readings, step.locale));
  },
};

/** Registered on the home network or roaming passes; anything else (or no reading) fails. */
function registrationCheck(modemName: string, readings: Readings, locale: Locale): SelfTestCheck {
  const registration = readings['modem.registration'];
  const passed = registration === 'home' || registration === 'roaming';
  const signal = readings['modem.signal_dbm'];
  const detail = typeof registration === 'string' ? `${valueWord(registration, locale)}${typeof signal === 'number' ? ` ${signal} dBm` : ''}` : uiText(locale).detail.stateUnknown;
  return { device: modemName, name: 'registration', passed, detail };
}
