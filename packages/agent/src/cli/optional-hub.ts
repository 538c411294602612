import { CliError, EXIT } from 'posdiag-protocol/cli';

/**
 * The hub, for `posdiag hub` and `posdiag demo`. The agent does not depend on it (a terminal installs
 * no SQLite): it is an optional peer dependency, loaded here when installed beside the agent, and
 * otherwise the command exits 69 saying how to install it.
 */
export async function importHub(): Promise<typeof import('posdiag-hub')> {
  try {
    return await import('posdiag-hub');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    // Only the hub itself missing: a hub that is there but cannot load (a dependency of its own missing) says so as it is.
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes("'posdiag-hub'")) {
      throw new CliError(EXIT.unavailable, 'the hub is not installed here (npm install posdiag-hub)');
    }
    throw err;
  }
}
