/**
 * Waits until `find` returns a value (real I/O on real time: a socket, a process, a pty). The limit only
 * turns a hang into a clear failure; it is not a timing assertion.
 */
export async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
