/** Step N brings a SQLite hub database from user_version N to N + 1; never edit a step once released. */
export const SQLITE_MIGRATIONS = [
  `
  CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    terminal TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL -- the validated report, JSON
  );
  -- Not unique: a reset agent may reuse a seq with a new id, and both reports must be kept.
  CREATE INDEX reports_terminal_seq ON reports (terminal, seq);
  CREATE TABLE faults (
    terminal TEXT NOT NULL,
    code TEXT NOT NULL,
    instance_key TEXT NOT NULL, -- JSON of instance, so null and "" stay distinct under the primary key
    instance TEXT,
    state TEXT NOT NULL CHECK (state IN ('raised', 'cleared')),
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    since TEXT NOT NULL,
    inhibited_by TEXT,
    report_id TEXT NOT NULL,
    PRIMARY KEY (terminal, code, instance_key)
  );`,
  `
  CREATE TABLE bundles (
    id TEXT PRIMARY KEY, -- the id of the bundle command that asked for it
    terminal TEXT NOT NULL,
    received_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL -- the tar.gz as the agent built it (card data already scrubbed there)
  );
  CREATE INDEX bundles_terminal ON bundles (terminal, received_at);`,
  // Presence and leases (fleet/terminal-presence.ts) and commands (fleet/commands.ts). The presence of a
  // database's terminals starts from their last stored report, as the hub used to work it out at start.
  `
  CREATE TABLE presence (
    terminal TEXT PRIMARY KEY,
    holder TEXT, -- the hub instance holding its connection, NULL when none
    last_heard INTEGER NOT NULL, -- ms since the epoch
    silent INTEGER NOT NULL DEFAULT 0
  );
  -- A hub's one lease on all the terminals it holds: they are held while it renews this row.
  CREATE TABLE hubs (
    instance TEXT PRIMARY KEY,
    lease_expires INTEGER NOT NULL -- ms since the epoch
  );
  INSERT INTO presence (terminal, last_heard)
    SELECT terminal, CAST(ROUND((julianday(MAX(received_at)) - 2440587.5) * 86400000) AS INTEGER) FROM reports GROUP BY terminal;
  CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    terminal TEXT NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL, -- JSON
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'succeeded', 'failed', 'undeliverable')),
    posted_by TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    sent_by TEXT,
    sent_at INTEGER,
    finished_at INTEGER,
    detail TEXT
  );
  CREATE INDEX commands_terminal ON commands (terminal, posted_at);`,
  // Retention (store.prune): reports found by arrival, and when each periodic fleet job last ran.
  `
  CREATE INDEX reports_received_at ON reports (received_at);
  CREATE TABLE fleet_jobs (
    job TEXT PRIMARY KEY,
    last_run INTEGER NOT NULL -- ms since the epoch
  );`,
];
