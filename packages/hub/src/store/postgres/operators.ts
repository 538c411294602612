import type pg from 'pg';
import type { ApiTokenRecord, AuditEntry, AuditQuery, OperatorStore, SessionRecord, UserRecord } from '../store.js';
import { auditWhere } from '../audit-query.js';

// bigint columns come back as strings from pg: each is turned into a number here.
interface UserRow {
  name: string;
  role: UserRecord['role'];
  password_hash: string;
  disabled: boolean;
  created_at: string;
}
type TokenRow = { id: string; user_name: string; name: string; created_at: string; last_used: string | null; revoked_at: string | null };

const USER_COLUMNS = 'u.name, u.role, u.password_hash, u.disabled, u.created_at';
const TOKEN_COLUMNS = 't.id, t.user_name, t.name, t.created_at, t.last_used, t.revoked_at';

const num = (v: string | null) => (v === null ? null : Number(v));
const toUser = (r: UserRow): UserRecord => ({ name: r.name, role: r.role, passwordHash: r.password_hash, disabled: r.disabled, createdAt: Number(r.created_at) });
const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  user: r.user_name,
  name: r.name,
  createdAt: Number(r.created_at),
  lastUsed: num(r.last_used),
  revokedAt: num(r.revoked_at),
});

/** The operators' tables in the PostgreSQL hub database (PgStore.operators). */
export class PgOperators implements OperatorStore {
  constructor(private readonly pool: pg.Pool) {}

  async addUser(user: UserRecord): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
      [user.name, user.role, user.passwordHash, user.disabled, user.createdAt],
    );
    return (rowCount ?? 0) > 0;
  }

  async user(name: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.name = $1`, [name]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async users(): Promise<UserRecord[]> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.name`);
    return rows.map(toUser);
  }

  async anyUsers(): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM users LIMIT 1');
    return (rowCount ?? 0) > 0;
  }

  async setUserDisabled(name: string, disabled: boolean): Promise<boolean> {
    // One statement, so the sessions end with the change or not at all.
    const { rows } = await this.pool.query<{ n: string }>(
      `WITH u AS (UPDATE users SET disabled = $1 WHERE name = $2 RETURNING name),
        s AS (DELETE FROM sessions WHERE $1 AND user_name IN (SELECT name FROM u))
      SELECT count(*) AS n FROM u`,
      [disabled, name],
    );
    return Number(rows[0]!.n) > 0;
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<void> {
    await this.pool.query('UPDATE users SET password_hash = $1 WHERE name = $2', [passwordHash, name]);
  }

  async addToken(t: ApiTokenRecord & { hash: string }): Promise<void> {
    await this.pool.query('INSERT INTO api_tokens (id, user_name, name, hash, created_at, last_used, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      t.id,
      t.user,
      t.name,
      t.hash,
      t.createdAt,
      t.lastUsed,
      t.revokedAt,
    ]);
  }

  async tokenByHash(hash: string): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
    const { rows } = await this.pool.query<TokenRow & UserRow>(
      `SELECT ${TOKEN_COLUMNS}, ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = $1 AND t.revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    return row ? { token: toToken(row), user: toUser(row) } : undefined;
  }

  async tokens(user: string): Promise<ApiTokenRecord[]> {
    const { rows } = await this.pool.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_name = $1 ORDER BY t.created_at, t.id`, [user]);
    return rows.map(toToken);
  }

  async tokenUsed(id: string, atMs: number): Promise<void> {
    await this.pool.query('UPDATE api_tokens SET last_used = $1 WHERE id = $2', [atMs, id]);
  }

  async revokeToken(user: string, id: string, atMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE user_name = $2 AND id = $3 AND revoked_at IS NULL', [atMs, user, id]);
    return (rowCount ?? 0) > 0;
  }

  async addSession(s: SessionRecord & { hash: string }): Promise<void> {
    await this.pool.query('INSERT INTO sessions (hash, user_name, created_at, expires_at, remote) VALUES ($1, $2, $3, $4, $5)', [
      s.hash,
      s.user,
      s.createdAt,
      s.expiresAt,
      s.remote,
    ]);
  }

  async session(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    const { rows } = await this.pool.query<UserRow & { user_name: string; s_created_at: string; expires_at: string; remote: string | null }>(
      `SELECT s.user_name, s.created_at AS s_created_at, s.expires_at, s.remote, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.hash = $1`,
      [hash],
    );
    const row = rows[0];
    return row
      ? { session: { user: row.user_name, createdAt: Number(row.s_created_at), expiresAt: Number(row.expires_at), remote: row.remote }, user: toUser(row) }
      : undefined;
  }

  async endSession(hash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE hash = $1', [hash]);
  }

  async pruneSessions(nowMs: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [nowMs]);
    return rowCount ?? 0;
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO audit (at, principal, action, target, remote, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [e.at, e.principal, e.action, e.target, e.remote, e.outcome, e.detail],
    );
    return Number(rows[0]!.id);
  }

  async audit(query: AuditQuery): Promise<AuditEntry[]> {
    const { where, params } = auditWhere(query, (n) => `$${n}`);
    const { rows } = await this.pool.query<Omit<AuditEntry, 'id' | 'at'> & { id: string; at: string }>(
      `SELECT id, at, principal, action, target, remote, outcome, detail FROM audit ${where} ORDER BY id DESC LIMIT $${params.length + 1}`,
      [...params, query.limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
  }
}
