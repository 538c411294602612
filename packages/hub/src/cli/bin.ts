import { reportFailure, runAsProcess } from 'posdiag-protocol/cli';
import { main } from './main.js';

await runAsProcess(main, (err, io) => reportFailure(err, io, 'posdiag-hub', 'posdiag-hub [OPTIONS]; "posdiag-hub --help" lists them'));
