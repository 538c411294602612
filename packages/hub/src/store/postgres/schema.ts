/**
 * Step N brings a PostgreSQL hub database from schema version N to N + 1 (the one row of
 * `hub_schema`); never edit a step once released. The migrations run under an advisory lock, so hubs
 * started together upgrade once.
 *
 * Why the shape differs from SQLite's: `reports` is partitioned by day of arrival so retention drops
 * whole partitions instead of deleting rows under ingest (--retain), and a partitioned table cannot hold
 * a primary key on `id` alone, so `report_ids` keeps ids unique across partitions. The hot path of a
 * report touches only unpartitioned tables (`report_ids`, `terminal_seqs`, `faults`): `terminal_seqs`
 * holds what SQLite gets from MAX(seq) over one index, which over many partitions would cost one
 * index probe per day kept.
 */
export const PG_MIGRATIONS = [
  `
  CREATE TABLE report_ids (
    id text PRIMARY KEY,
    terminal text NOT NULL,
    seq bigint NOT NULL,
    received_at timestamptz NOT NULL
  );
  CREATE INDEX report_ids_received_at ON report_ids (received_at);
  CREATE SEQUENCE reports_arrival;
  CREATE TABLE reports (
    arrival bigint NOT NULL DEFAULT nextval('reports_arrival'),
    id text NOT NULL,
    terminal text NOT NULL,
    seq bigint NOT NULL,
    kind text NOT NULL,
    received_at timestamptz NOT NULL,
    body jsonb NOT NULL -- the validated report
  ) PARTITION BY RANGE (received_at);
  -- Not unique: a reset agent may reuse a seq with a new id, and both reports must be kept.
  CREATE INDEX reports_terminal_seq ON reports (terminal, seq, arrival);
  CREATE INDEX reports_self_test_ref ON reports ((body->'result'->>'ref')) WHERE kind = 'self_test';
  CREATE TABLE terminal_seqs (
    terminal text PRIMARY KEY,
    last_seq bigint NOT NULL,
    last_received timestamptz NOT NULL
  );
  CREATE TABLE faults (
    terminal text NOT NULL,
    code text NOT NULL,
    instance_key text NOT NULL, -- JSON of instance, so null and "" stay distinct under the primary key
    instance text,
    state text NOT NULL CHECK (state IN ('raised', 'cleared')),
    seq bigint NOT NULL,
    severity text NOT NULL,
    category text NOT NULL,
    since text NOT NULL,
    inhibited_by text,
    report_id text NOT NULL,
    PRIMARY KEY (terminal, code, instance_key)
  );
  CREATE INDEX faults_raised ON faults (terminal) WHERE state = 'raised';
  CREATE TABLE bundles (
    id text PRIMARY KEY, -- the id of the bundle command that asked for it
    terminal text NOT NULL,
    received_at timestamptz NOT NULL,
    size integer NOT NULL,
    sha256 text NOT NULL,
    data bytea NOT NULL -- the tar.gz as the agent built it (card data already scrubbed there)
  );
  CREATE INDEX bundles_terminal ON bundles (terminal, received_at);
  CREATE TABLE presence (
    terminal text PRIMARY KEY,
    holder text, -- the hub instance holding its connection, NULL when none
    last_heard bigint NOT NULL,
    silent boolean NOT NULL DEFAULT false
  );
  -- A hub's one lease on all the terminals it holds: they are held while it renews this row.
  CREATE TABLE hubs (
    instance text PRIMARY KEY,
    lease_expires bigint NOT NULL -- ms since the epoch, on the hubs' clocks
  );
  CREATE TABLE commands (
    id text PRIMARY KEY,
    terminal text NOT NULL,
    name text NOT NULL,
    args jsonb NOT NULL,
    state text NOT NULL CHECK (state IN ('queued', 'sent', 'succeeded', 'failed', 'undeliverable')),
    posted_by text NOT NULL,
    posted_at bigint NOT NULL,
    sent_by text,
    sent_at bigint,
    finished_at bigint,
    detail text
  );
  CREATE INDEX commands_terminal ON commands (terminal, posted_at);
  -- The alert stream's events, for every hub's stream (pg-fleet.ts); pruned by retention.
  CREATE TABLE stream_events (
    n bigserial PRIMARY KEY,
    at bigint NOT NULL,
    hub text NOT NULL, -- the instance that published it, which delivered it to its own stream at once
    id text NOT NULL,
    event text NOT NULL,
    data text NOT NULL
  );`,
  // Retention (store.prune): the stream's events found by age, and when each periodic fleet job last ran.
  `
  CREATE INDEX stream_events_at ON stream_events (at);
  CREATE TABLE fleet_jobs (
    job text PRIMARY KEY,
    last_run bigint NOT NULL -- ms since the epoch, on the hubs' clocks
  );`,
  // Operators (operators/): users, their API tokens and console sessions (SHA-256 of the secret only), the audit log.
  `
  CREATE TABLE users (
    name text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash text NOT NULL, -- scrypt$N$r$p$salt$hash (operators/passwords.ts)
    disabled boolean NOT NULL DEFAULT false,
    created_at bigint NOT NULL -- ms since the epoch, as every time below
  );
  CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    user_name text NOT NULL REFERENCES users (name),
    name text NOT NULL,
    hash text NOT NULL UNIQUE, -- SHA-256 of the token, hex; the token was shown once
    created_at bigint NOT NULL,
    last_used bigint,
    revoked_at bigint
  );
  CREATE INDEX api_tokens_user ON api_tokens (user_name, created_at);
  CREATE TABLE sessions (
    hash text PRIMARY KEY, -- SHA-256 of the session id, hex
    user_name text NOT NULL REFERENCES users (name),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    remote text
  );
  CREATE INDEX sessions_user ON sessions (user_name);
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    principal text NOT NULL,
    action text NOT NULL,
    target text,
    remote text,
    outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail text
  );
  CREATE INDEX audit_principal ON audit (principal, id);
  CREATE INDEX audit_action ON audit (action, id);`,
  // The notifications' delivery queue (notify/delivery-worker.ts) and every attempt's outcome.
  `
  CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    receiver text NOT NULL,
    payload text NOT NULL, -- the wire notification, JSON
    state text NOT NULL CHECK (state IN ('pending', 'held', 'delivered', 'failed', 'folded')),
    due_at bigint NOT NULL, -- ms since the epoch, as every time below
    attempts integer NOT NULL DEFAULT 0,
    claimed_by text,
    lease_until bigint,
    created_at bigint NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state IN ('pending', 'held');
  CREATE TABLE delivery_alerts (
    alert_key text NOT NULL, -- terminal|code|instance
    delivery_id bigint NOT NULL REFERENCES deliveries (id),
    PRIMARY KEY (alert_key, delivery_id)
  );
  CREATE TABLE delivery_attempts (
    id bigserial PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES deliveries (id),
    at bigint NOT NULL,
    hub text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'held', 'folded')),
    detail text NOT NULL
  );
  CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);`,
  // Alarms (alarms/): one per (terminal, code, instance) while not closed, their append-only log, terminals' labels.
  `
  CREATE TABLE alarms (
    id bigserial PRIMARY KEY,
    terminal text NOT NULL,
    code text NOT NULL,
    instance_key text NOT NULL, -- JSON of instance, as in faults
    instance text,
    severity text NOT NULL,
    severity_set_by text,
    category text NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'cleared')),
    acknowledged boolean NOT NULL,
    assignee text,
    since bigint NOT NULL, -- ms since the epoch, as every time below
    last_seen bigint NOT NULL,
    cleared_at bigint,
    closed_at bigint,
    count integer NOT NULL,
    last_seq bigint,
    report_id text,
    reminded_at bigint,
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX alarms_open_key ON alarms (terminal, code, instance_key) WHERE closed_at IS NULL;
  CREATE INDEX alarms_terminal ON alarms (terminal, id);
  CREATE TABLE alarm_log (
    id bigserial PRIMARY KEY,
    alarm_id bigint NOT NULL REFERENCES alarms (id),
    at bigint NOT NULL,
    actor text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('history', 'comment')),
    action text NOT NULL,
    detail text NOT NULL
  );
  CREATE INDEX alarm_log_alarm ON alarm_log (alarm_id, id);
  CREATE TABLE terminal_labels (
    terminal text PRIMARY KEY,
    labels jsonb NOT NULL -- object of strings
  );`,
  // The terminals' inventory (terminal-inventory.ts): what each agent's latest hello said.
  `
  CREATE TABLE terminal_inventory (
    terminal text PRIMARY KEY,
    model text,
    serial text,
    firmware text,
    agent_version text NOT NULL,
    updated_at bigint NOT NULL -- ms since the epoch
  );`,
  // Silences of the notifications (notify/silences.ts): every hub's dispatcher reads them.
  `
  CREATE TABLE silences (
    id bigserial PRIMARY KEY,
    matchers jsonb NOT NULL, -- object: label name to a value or a list of values
    starts_at bigint NOT NULL,
    ends_at bigint NOT NULL,
    created_by text NOT NULL,
    comment text NOT NULL
  );
  CREATE INDEX silences_ends_at ON silences (ends_at);`,
  // The notifications' log (notify/notifier.ts): the last notice queued per receiver and group, by any
  // hub, so hubs flushing the same group queue it once; and each receiver's rate-limit window, fleet-wide.
  `
  CREATE TABLE notification_log (
    once_key text PRIMARY KEY,
    fingerprint text NOT NULL,
    at bigint NOT NULL -- ms since the epoch
  );
  CREATE TABLE receiver_windows (
    receiver text PRIMARY KEY,
    window_start bigint NOT NULL,
    sent integer NOT NULL
  );`,
  // Work orders (workorders/): repairs and lost terminals, their append-only history, swaps, the spare pool.
  `
  CREATE TABLE work_orders (
    id bigserial PRIMARY KEY,
    ref text NOT NULL UNIQUE,
    token text NOT NULL UNIQUE,
    terminal text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('repair', 'lost')),
    state text NOT NULL,
    code text NOT NULL,
    severity text NOT NULL,
    serial text,
    current_serial text,
    repair_request jsonb,
    report_id text,
    reports integer NOT NULL,
    alarm_id bigint,
    contact text,
    address text,
    notes text,
    assignee text,
    proof_since bigint, -- ms since the epoch, as every time below
    self_test_id text,
    self_test_at bigint,
    accept_due_at bigint NOT NULL,
    resolve_due_at bigint NOT NULL,
    accept_breached_at bigint,
    resolve_breached_at bigint,
    opened_by text NOT NULL,
    opened_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    closed_at bigint
  );
  CREATE UNIQUE INDEX work_orders_open_key ON work_orders (terminal, code) WHERE state NOT IN ('closed', 'cancelled');
  CREATE INDEX work_orders_terminal ON work_orders (terminal, id);
  CREATE TABLE work_order_log (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES work_orders (id),
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    from_state text,
    to_state text,
    comment text,
    detail text
  );
  CREATE INDEX work_order_log_order ON work_order_log (order_id, id);
  CREATE TABLE unit_swaps (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES work_orders (id),
    terminal text NOT NULL,
    old_serial text NOT NULL,
    new_serial text NOT NULL,
    at bigint NOT NULL,
    completed_at bigint,
    self_test_id text
  );
  CREATE TABLE spare_units (
    serial text PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('swapped_out', 'repaired', 'in_service')),
    terminal text NOT NULL,
    order_id bigint NOT NULL,
    since bigint NOT NULL
  );`,
  // The technician role (operators/roles.ts).
  `
  ALTER TABLE users DROP CONSTRAINT users_role_check;
  ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('viewer', 'technician', 'operator', 'admin'));`,
  // Work orders' attachments (workorders/attachments.ts): photos and documents, the bytes kept as uploaded.
  `
  CREATE TABLE work_order_attachments (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES work_orders (id),
    name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    added_by text NOT NULL,
    added_at bigint NOT NULL,
    data bytea NOT NULL
  );
  CREATE INDEX work_order_attachments_order ON work_order_attachments (order_id, id);`,
];
