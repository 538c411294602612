import type pg from 'pg';

/**
 * Runs `fn` with a client of the pool to itself. A checked-out client whose server goes away between
 * two queries emits 'error' with nobody listening, which would end the process; here it is listened
 * to, the next query fails instead, and the client is discarded rather than handed back.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    // A client that failed may be mid-transaction or cut off: never reused.
    client.release(broken);
  }
}

/** Runs `fn` in one transaction on a client of its own: committed when it resolves, rolled back when it throws. */
export function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
