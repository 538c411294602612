/**
 * Waits on real time until `check()` holds, re-checking every few milliseconds: for conditions that
 * real I/O (sockets, files, child processes) brings about. `timeoutMs` only bounds a hang; it is not an
 * assertion about how fast anything is.
 */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
