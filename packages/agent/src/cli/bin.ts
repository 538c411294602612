import { runAsProcess } from 'posdiag-protocol/cli';
import { main, reportAgentFailure } from './main.js';

const command = `posdiag${process.argv[2] && !process.argv[2].startsWith('-') ? ` ${process.argv[2]}` : ''}`;
await runAsProcess(main, (err, io) => reportAgentFailure(err, io, command));
