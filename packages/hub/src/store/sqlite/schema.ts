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
  // Operators (operators/): users, their API tokens and console sessions (SHA-256 of the secret only), the audit log.
  `
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash TEXT NOT NULL, -- scrypt$N$r$p$salt$hash (operators/passwords.ts)
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL -- ms since the epoch, as every time below
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE, -- SHA-256 of the token, hex; the token was shown once
    created_at INTEGER NOT NULL,
    last_used INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX api_tokens_user ON api_tokens (user_name, created_at);
  CREATE TABLE sessions (
    hash TEXT PRIMARY KEY, -- SHA-256 of the session id, hex
    user_name TEXT NOT NULL REFERENCES users (name),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remote TEXT
  );
  CREATE INDEX sessions_user ON sessions (user_name);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    principal TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    remote TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail TEXT
  );
  CREATE INDEX audit_principal ON audit (principal, id);
  CREATE INDEX audit_action ON audit (action, id);`,
  // The notifications' delivery queue (notify/delivery-worker.ts) and every attempt's outcome.
  `
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receiver TEXT NOT NULL,
    payload TEXT NOT NULL, -- the wire notification, JSON
    state TEXT NOT NULL CHECK (state IN ('pending', 'held', 'delivered', 'failed', 'folded')),
    due_at INTEGER NOT NULL, -- ms since the epoch, as every time below
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state IN ('pending', 'held');
  CREATE TABLE delivery_alerts (
    alert_key TEXT NOT NULL, -- terminal|code|instance
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    PRIMARY KEY (alert_key, delivery_id)
  );
  CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    at INTEGER NOT NULL,
    hub TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'held', 'folded')),
    detail TEXT NOT NULL
  );
  CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);`,
  // Alarms (alarms/): one per (terminal, code, instance) while not closed, their append-only log, terminals' labels.
  `
  CREATE TABLE alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    terminal TEXT NOT NULL,
    code TEXT NOT NULL,
    instance_key TEXT NOT NULL, -- JSON of instance, as in faults
    instance TEXT,
    severity TEXT NOT NULL,
    severity_set_by TEXT,
    category TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
    acknowledged INTEGER NOT NULL,
    assignee TEXT,
    since INTEGER NOT NULL, -- ms since the epoch, as every time below
    last_seen INTEGER NOT NULL,
    cleared_at INTEGER,
    closed_at INTEGER,
    count INTEGER NOT NULL,
    last_seq INTEGER,
    report_id TEXT,
    reminded_at INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX alarms_open_key ON alarms (terminal, code, instance_key) WHERE closed_at IS NULL;
  CREATE INDEX alarms_terminal ON alarms (terminal, id);
  CREATE TABLE alarm_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alarm_id INTEGER NOT NULL REFERENCES alarms (id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('history', 'comment')),
    action TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX alarm_log_alarm ON alarm_log (alarm_id, id);
  CREATE TABLE terminal_labels (
    terminal TEXT PRIMARY KEY,
    labels TEXT NOT NULL -- JSON object of strings
  );`,
  // The terminals' inventory (terminal-inventory.ts): what each agent's latest hello said.
  `
  CREATE TABLE terminal_inventory (
    terminal TEXT PRIMARY KEY,
    model TEXT,
    serial TEXT,
    firmware TEXT,
    agent_version TEXT NOT NULL,
    updated_at INTEGER NOT NULL -- ms since the epoch
  );`,
  // Silences of the notifications (notify/silences.ts): every hub's dispatcher reads them.
  `
  CREATE TABLE silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    matchers TEXT NOT NULL, -- JSON object: label name to a value or a list of values
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL
  );
  CREATE INDEX silences_ends_at ON silences (ends_at);`,
  // The notifications' log (notify/notifier.ts): the last notice queued per receiver and group, by any
  // hub, so hubs flushing the same group queue it once; and each receiver's rate-limit window, fleet-wide.
  `
  CREATE TABLE notification_log (
    once_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    at INTEGER NOT NULL -- ms since the epoch
  );
  CREATE TABLE receiver_windows (
    receiver TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    sent INTEGER NOT NULL
  );`,
  // Work orders (workorders/): repairs and lost terminals, their append-only history, swaps, the spare pool.
  `
  CREATE TABLE work_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE,
    terminal TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('repair', 'lost')),
    state TEXT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    serial TEXT,
    current_serial TEXT,
    repair_request TEXT, -- JSON
    report_id TEXT,
    reports INTEGER NOT NULL,
    alarm_id INTEGER,
    contact TEXT,
    address TEXT,
    notes TEXT,
    assignee TEXT,
    proof_since INTEGER, -- ms since the epoch, as every time below
    self_test_id TEXT,
    self_test_at INTEGER,
    accept_due_at INTEGER NOT NULL,
    resolve_due_at INTEGER NOT NULL,
    accept_breached_at INTEGER,
    resolve_breached_at INTEGER,
    opened_by TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER
  );
  CREATE UNIQUE INDEX work_orders_open_key ON work_orders (terminal, code) WHERE state NOT IN ('closed', 'cancelled');
  CREATE INDEX work_orders_terminal ON work_orders (terminal, id);
  CREATE TABLE work_order_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES work_orders (id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    comment TEXT,
    detail TEXT
  );
  CREATE INDEX work_order_log_order ON work_order_log (order_id, id);
  CREATE TABLE unit_swaps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES work_orders (id),
    terminal TEXT NOT NULL,
    old_serial TEXT NOT NULL,
    new_serial TEXT NOT NULL,
    at INTEGER NOT NULL,
    completed_at INTEGER,
    self_test_id TEXT
  );
  CREATE TABLE spare_units (
    serial TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('swapped_out', 'repaired', 'in_service')),
    terminal TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    since INTEGER NOT NULL
  );`,
  // The technician role (operators/roles.ts): SQLite changes a CHECK only by rebuilding the table
  // (migrate() runs every step with foreign keys off and checks them after).
  `
  CREATE TABLE users_new (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'technician', 'operator', 'admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  INSERT INTO users_new (name, role, password_hash, disabled, created_at) SELECT name, role, password_hash, disabled, created_at FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;`,
  // Work orders' attachments (workorders/attachments.ts): photos and documents, the bytes kept as uploaded.
  `
  CREATE TABLE work_order_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES work_orders (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX work_order_attachments_order ON work_order_attachments (order_id, id);`,
];
