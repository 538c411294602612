import { CliError, defineCommand, EXIT } from 'posdiag-protocol/cli';
import { configFlag, loadAgentConfig } from '../config-flag.js';
import { createAgent } from '../../agent.js';
import { agentControlHandlers } from '../../control/agent-handlers.js';
import { requestDaemon } from '../../control/client.js';
import { startControlServer } from '../../control/server.js';
import { createFileLogger, installSighupReopen } from '../../log/file-logger.js';

export const runCommand = defineCommand({
  name: 'run',
  usage: 'posdiag run [--config FILE]',
  summary:
    'The agent daemon: polls and watches the configured devices, evaluates the rules, writes the local log\n' +
    '(paths.logs; SIGHUP reopens it) and ships reports through the durable outbox to the hub. SIGTERM stops it.',
  flags: { config: configFlag },
  async run(flags, _positional, io) {
    const config = await loadAgentConfig(flags.config);
    // Before the agent opens the devices and the outbox another agent is writing: one daemon per terminal.
    if ((await requestDaemon(config.control.socket, 'status', {})) !== undefined) {
      throw new CliError(EXIT.unavailable, `another posdiag daemon is serving ${config.control.socket}; stop it first`);
    }
    const logFile = createFileLogger({ dir: config.paths.logs, level: config.log.level, maxBytes: config.log.maxBytes, keep: config.log.keep });
    const removeSighup = installSighupReopen(logFile);
    const agent = await createAgent({ config, log: logFile.logger, logFile });
    agent.start();
    const control = await startControlServer(config.control.socket, agentControlHandlers(agent), logFile.logger.child({ component: 'control' }));
    // The payment app hears the hub's lock at once, on whatever connection it holds open (spec §9).
    agent.lock.onChange((state) => control.broadcast({ id: null, event: 'lock', ...state }));
    io.stderr(`posdiag: agent running for ${config.terminal.id}; log in ${logFile.file}; control socket ${control.path}\n`);
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    await control.close();
    await agent.stop();
    removeSighup();
    await logFile.close();
    return EXIT.ok;
  },
});
