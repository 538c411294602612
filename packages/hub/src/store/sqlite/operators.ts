import type Database from 'better-sqlite3';
import type { ApiTokenRecord, AuditEntry, AuditQuery, OperatorStore, SessionRecord, UserRecord } from '../store.js';
import { auditWhere } from '../audit-query.js';

interface UserRow {
  name: string;
  role: UserRecord['role'];
  password_hash: string;
  disabled: number;
  created_at: number;
}
type TokenRow = { id: string; user_name: string; name: string; created_at: number; last_used: number | null; revoked_at: number | null };

const USER_COLUMNS = 'u.name, u.role, u.password_hash, u.disabled, u.created_at';
const TOKEN_COLUMNS = 't.id, t.user_name, t.name, t.created_at, t.last_used, t.revoked_at';

const toUser = (r: UserRow): UserRecord => ({ name: r.name, role: r.role, passwordHash: r.password_hash, disabled: r.disabled === 1, createdAt: r.created_at });
const toToken = (r: TokenRow): ApiTokenRecord => ({ id: r.id, user: r.user_name, name: r.name, createdAt: r.created_at, lastUsed: r.last_used, revokedAt: r.revoked_at });

/** The operators' tables in the SQLite hub database (SqliteStore.operators). */
export class SqliteOperators implements OperatorStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      addUser: db.prepare('INSERT OR IGNORE INTO users (name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?)'),
      user: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.name = ?`),
      users: db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.name`),
      anyUsers: db.prepare('SELECT 1 FROM users LIMIT 1'),
      setDisabled: db.prepare('UPDATE users SET disabled = ? WHERE name = ?'),
      endUserSessions: db.prepare('DELETE FROM sessions WHERE user_name = ?'),
      setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE name = ?'),
      addToken: db.prepare('INSERT INTO api_tokens (id, user_name, name, hash, created_at, last_used, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      tokenByHash: db.prepare<[string], TokenRow & UserRow>(
        `SELECT ${TOKEN_COLUMNS}, ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = ? AND t.revoked_at IS NULL`,
      ),
      tokens: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_name = ? ORDER BY t.created_at, t.id`),
      tokenUsed: db.prepare('UPDATE api_tokens SET last_used = ? WHERE id = ?'),
      revokeToken: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_name = ? AND id = ? AND revoked_at IS NULL'),
      addSession: db.prepare('INSERT INTO sessions (hash, user_name, created_at, expires_at, remote) VALUES (?, ?, ?, ?, ?)'),
      session: db.prepare<[string], UserRow & { user_name: string; s_created_at: number; expires_at: number; remote: string | null }>(
        `SELECT s.user_name, s.created_at AS s_created_at, s.expires_at, s.remote, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.hash = ?`,
      ),
      endSession: db.prepare('DELETE FROM sessions WHERE hash = ?'),
      pruneSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
      appendAudit: db.prepare('INSERT INTO audit (at, principal, action, target, remote, outcome, detail) VALUES (@at, @principal, @action, @target, @remote, @outcome, @detail)'),
    };
  }

  async addUser(user: UserRecord): Promise<boolean> {
    return this.stmts.addUser.run(user.name, user.role, user.passwordHash, user.disabled ? 1 : 0, user.createdAt).changes > 0;
  }

  async user(name: string): Promise<UserRecord | undefined> {
    const row = this.stmts.user.get(name);
    return row ? toUser(row) : undefined;
  }

  async users(): Promise<UserRecord[]> {
    return this.stmts.users.all().map(toUser);
  }

  async anyUsers(): Promise<boolean> {
    return this.stmts.anyUsers.get() !== undefined;
  }

  async setUserDisabled(name: string, disabled: boolean): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.stmts.setDisabled.run(disabled ? 1 : 0, name).changes > 0;
      if (changed && disabled) this.stmts.endUserSessions.run(name);
      return changed;
    })();
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<void> {
    this.stmts.setPassword.run(passwordHash, name);
  }

  async addToken(t: ApiTokenRecord & { hash: string }): Promise<void> {
    this.stmts.addToken.run(t.id, t.user, t.name, t.hash, t.createdAt, t.lastUsed, t.revokedAt);
  }

  async tokenByHash(hash: string): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
    const row = this.stmts.tokenByHash.get(hash);
    return row ? { token: toToken(row), user: toUser(row) } : undefined;
  }

  async tokens(user: string): Promise<ApiTokenRecord[]> {
    return this.stmts.tokens.all(user).map(toToken);
  }

  async tokenUsed(id: string, atMs: number): Promise<void> {
    this.stmts.tokenUsed.run(atMs, id);
  }

  async revokeToken(user: string, id: string, atMs: number): Promise<boolean> {
    return this.stmts.revokeToken.run(atMs, user, id).changes > 0;
  }

  async addSession(s: SessionRecord & { hash: string }): Promise<void> {
    this.stmts.addSession.run(s.hash, s.user, s.createdAt, s.expiresAt, s.remote);
  }

  async session(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    const row = this.stmts.session.get(hash);
    return row ? { session: { user: row.user_name, createdAt: row.s_created_at, expiresAt: row.expires_at, remote: row.remote }, user: toUser(row) } : undefined;
  }

  async endSession(hash: string): Promise<void> {
    this.stmts.endSession.run(hash);
  }

  async pruneSessions(nowMs: number): Promise<number> {
    return this.stmts.pruneSessions.run(nowMs).changes;
  }

  async appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<number> {
    return Number(this.stmts.appendAudit.run(entry).lastInsertRowid);
  }

  async audit(query: AuditQuery): Promise<AuditEntry[]> {
    const { where, params } = auditWhere(query, () => '?');
    return this.db
      .prepare<unknown[], AuditEntry>(`SELECT id, at, principal, action, target, remote, outcome, detail FROM audit ${where} ORDER BY id DESC LIMIT ?`)
      .all(...params, query.limit);
  }
}
