import { defineCommand, EXIT, UsageError } from 'posdiag-protocol/cli';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { describeReader, reenrollCardReader } from '../../devices/card-reader/enrolment.js';
import { reenrolUsbDevices } from '../../devices/usb-guard/usb-enrolment.js';

export const enrollCommand = defineCommand({
  name: 'enroll',
  usage: 'posdiag enroll card-reader|usb [--config FILE]',
  summary:
    'The technician\'s re-enrolment after a legitimate swap: "card-reader" forgets the enrolled reader, so the\n' +
    'next one seen is enrolled (clearing card_reader.identity_changed); "usb" forgets the enrolled USB devices,\n' +
    'so the ones attached at the next check are allowed. Remove anything that should not be there first.',
  flags: { config: configFlag },
  async run(flags, positional, io) {
    const what = positional[0];
    if (positional.length !== 1 || (what !== 'card-reader' && what !== 'usb')) throw new UsageError('expected exactly one of: card-reader, usb');
    const state = loadConfigFlag(flags.config).paths.state;
    if (what === 'card-reader') {
      const { previous } = reenrollCardReader(state);
      io.stdout(previous ? `forgot the enrolled card reader ${describeReader(previous)}; the next reader seen is enrolled\n` : 'no card reader was enrolled; the next reader seen is enrolled\n');
    } else {
      const { previous } = reenrolUsbDevices(state);
      io.stdout(`forgot ${previous ?? 0} enrolled USB device(s); the devices attached at the next check are enrolled\n`);
    }
    return EXIT.ok;
  },
});
