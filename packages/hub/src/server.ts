import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { systemClock, type Clock, type Locale } from 'posdiag-protocol';
import { silentLogger, type Logger } from './logger.js';
import { AGENT_PATH, CLOSE_REPLACED, CLOSE_REVOKED, MAX_FRAME_BYTES } from 'posdiag-protocol';
import { dropDeadAgent, serveAgent, type StoredMeta } from './agent-socket.js';
import { AgentRegistry } from './agent-registry.js';
import { checkApiExposure } from './api-auth.js';
import type { AlarmListener } from './alarms/alarm-events.js';
import { Alarms } from './alarms/alarms.js';
import { SilentReminders } from './alarms/reminders.js';
import { authenticate } from './auth.js';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottlePolicy } from './auth-throttle.js';
import { AlertStream, presenceEvent, reportEvent } from './alert-stream.js';
import { handleConsoleRequest, isConsolePath } from './console/router.js';
import { handleApiRequest, type ApiContext } from './http-api.js';
import { DEFAULT_PING_INTERVAL_MS, KeepAliveSweep } from './keep-alive.js';
import { BundleIntake } from './bundle-intake.js';
import { hostname } from 'node:os';
import { CommandDispatch } from './fleet/commands.js';
import { EventBatcher } from './fleet/event-batcher.js';
import { DEFAULT_SILENCE_AFTER_MS, TerminalPresence } from './fleet/terminal-presence.js';
import { Retention, type RetentionPolicy } from './fleet/retention.js';
import { HubMetrics } from './metrics/hub-metrics.js';
import { Readiness } from './metrics/readiness.js';
import { createOperators } from './operators/operators.js';
import type { NotifyConfig } from './notify/config.js';
import { notifierFeed } from './notify/feed.js';
import { startNotifier } from './notify/notifier.js';
import { GroupCommit } from './store/group-commit.js';
import { openStore } from './store/open-store.js';
import type { InventoryFacts, StoredReport } from './store/store.js';
import { loadTokens, parseTokens, type TokenMap } from './tokens.js';
import { LostTerminals } from './workorders/lost.js';
import { serveMerchantPage } from './workorders/merchant-page.js';
import { slaPolicy, SlaWatch, type SlaTimes } from './workorders/sla.js';
import { WorkOrders } from './workorders/workorders.js';
import type { Severity } from 'posdiag-protocol';

export interface HubOptions {
  host: string;
  /** 0 = an ephemeral port; read the real one from `hub.address`. */
  port: number;
  /** A SQLite file path, or a `postgres://` URL (store/open-store.ts). */
  db: string;
  tokens: TokenMap;
  /** PEM contents. `requestCert` lets terminals authenticate with a client certificate signed by `ca`. */
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /**
   * Operator bearer token for the HTTP API. Without one the API is unauthenticated and the hub
   * refuses (ConfigError) to listen on anything but loopback.
   */
  apiToken?: string;
  /** Agent connections are pinged this often and dropped after a ping goes unanswered (default 30 s). */
  pingIntervalMs?: number;
  /** This hub process in logs, leases and commands (`--instance`; default host name and pid). */
  instance?: string;
  /** How often this hub renews its terminals' leases and writes back when they were heard (default 10 s). */
  leaseRenewMs?: number;
  /** A terminal not connected and not heard from for this long is announced silent (default 15 min). */
  silenceAfterMs?: number;
  /** A terminal.silent alarm still active is brought up again this often (alarms/reminders.ts; default 4 h). */
  reminderEveryMs?: number;
  /** What the fleet prunes, and when (fleet/retention.ts; `--retain`, `--retain-bundles`). Default: everything is kept. */
  retain?: RetentionPolicy;
  /** The routing file (`--notify`, notify/config.ts): faults and silent terminals notify its receivers. */
  notify?: NotifyConfig;
  /** The language of the notifications (default zh-CN). */
  notifyLocale?: Locale;
  /** A `: keepalive` comment goes to alert stream subscribers this often (default 15 s). */
  sseKeepaliveMs?: number;
  /** How failed authentications are slowed and logged, per source address (auth-throttle.ts). */
  authThrottle?: Partial<AuthThrottlePolicy>;
  /** Work orders (workorders/): SLA times per severity over the defaults (sla.ts), how often they are checked, the hub's public URL for the merchant page. */
  workOrders?: { sla?: Partial<Record<Severity, Partial<SlaTimes>>>; slaCheckEveryMs?: number; publicUrl?: string };
  log?: Logger;
  clock?: Clock;
}

export type StoredListener = (row: StoredReport, meta: StoredMeta) => void;

export interface Hub {
  readonly address: { host: string; port: number };
  /** ws(s)://host:port/agent */
  readonly url: string;
  /** Fires after each new report is durably stored and acked (not for duplicates). */
  onStored(listener: StoredListener): void;
  /** Fires after each change to an alarm, and for each terminal.silent reminder (alarms/alarm-events.ts). */
  onAlarm(listener: AlarmListener): void;
  /** Terminals with an open agent connection, sorted. */
  connectedTerminals(): string[];
  /**
   * Resolves once every alert and acknowledgement this hub has heard so far has reached its notifier
   * (each waits for its terminal's labels from the store); at once without --notify.
   */
  notifierFed(): Promise<void>;
  /** Resolves once every report stored so far is taken into its work order (workorders/). */
  workOrdersTaken(): Promise<void>;
  /** Checks the work orders' SLA timers now (as the job does every slaCheckEveryMs); says how many breaches it found. */
  checkSla(): Promise<number>;
  /**
   * Re-reads the tokens file (SIGHUP): added terminals may connect from now on; a removed terminal, or
   * one whose token changed, is disconnected and refused. A file that cannot be used leaves the tokens
   * in use as they are and logs one error; returns false then.
   */
  reloadTokens(file: string): boolean;
  /** Drops every agent connection, stops listening, commits what was taken and closes the database. Idempotent. */
  close(): Promise<void>;
}

const STATUS_TEXT = { 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests' } as const;

/** Answers a refused upgrade on the raw socket: nothing was upgraded, the connection ends. */
function refuseUpgrade(socket: Duplex, status: keyof typeof STATUS_TEXT, body: string, headers: string[] = []): void {
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...headers,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the provider-side hub: one HTTP(S) server for the agents' WebSocket and the JSON API. */
export async function startHub(options: HubOptions): Promise<Hub> {
  let tokens = parseTokens(options.tokens, 'hub tokens');
  // Before the database is opened; again after, when it says whether operators exist.
  checkApiExposure(options.host, options.apiToken, true);
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  if (!(pingIntervalMs > 0)) throw new RangeError(`pingIntervalMs must be positive (got ${pingIntervalMs})`);
  const instance = options.instance ?? `${hostname()}-${process.pid}`;
  const log = (options.log ?? silentLogger).child({ component: 'hub', instance });
  const clock = options.clock ?? systemClock;
  const store = await openStore(options.db);
  // Operators let a hub off loopback without an API token: their tokens guard the API.
  let apiAuth: boolean;
  try {
    const usersExist = await store.operators.anyUsers();
    checkApiExposure(options.host, options.apiToken, usersExist);
    apiAuth = options.apiToken !== undefined || usersExist;
  } catch (err) {
    await store.close();
    throw err;
  }
  const operators = createOperators(store.operators, clock, { apiToken: options.apiToken });
  const fleet = await store.openFleet(instance, clock).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  await store.releaseAllHeldBy(instance).catch(async (err: unknown) => {
    await fleet.close();
    await store.close();
    throw err;
  });
  // Before the notifier, whose worker may settle a delivery queued by a previous run at once.
  const metrics = new HubMetrics({
    connectedTerminals: () => registry.terminals().length,
    sseSubscribers: () => alerts.subscriberCount(),
    openFaults: () => store.openFaults(),
    openAlarms: () => store.alarms.openByKind(),
    clock,
    log,
  });
  const notifier = options.notify
    ? await startNotifier({ config: options.notify, store, clock, log, locale: options.notifyLocale ?? 'zh-CN', fleet, onSettled: metrics.deliverySettled }).catch(async (err: unknown) => {
        metrics.close();
        await fleet.close();
        await store.close();
        throw err;
      })
    : undefined;
  const feed = notifier ? notifierFeed(notifier, { clock, log, labelsOf: (terminal) => store.alarms.labelsOf(terminal) }) : undefined;
  const registry = new AgentRegistry();
  const bundles = new BundleIntake(store, clock, log);
  const alerts = new AlertStream(clock, options.sseKeepaliveMs);
  const readiness = new Readiness(store, fleet);
  const commits = new GroupCommit(store, { onCommit: metrics.commitObserved });
  const events = new EventBatcher(fleet, log);
  fleet.onEvents((batch) => alerts.deliver(batch));
  const throttle = new AuthThrottle(clock, log, { ...DEFAULT_AUTH_THROTTLE, ...options.authThrottle });
  const alarms = new Alarms(store.alarms, clock, log);
  if (feed) alarms.events.on((event) => feed.alarm(event));
  const reminders = new SilentReminders({ store: store.alarms, events: alarms.events, clock, log, ...(options.reminderEveryMs !== undefined ? { everyMs: options.reminderEveryMs } : {}) });
  const listeners: StoredListener[] = [
    (row, meta) => alarms.stored(row, meta),
    (row, meta) => {
      const event = reportEvent(row, meta);
      if (event) events.add(event);
    },
    (row, meta) => feed?.stored(row, meta),
  ];
  const presence = new TerminalPresence({
    store,
    fleet,
    clock,
    silenceAfterMs: options.silenceAfterMs ?? DEFAULT_SILENCE_AFTER_MS,
    ...(options.leaseRenewMs !== undefined ? { renewMs: options.leaseRenewMs } : {}),
    terminals: () => Object.keys(tokens),
    held: () => registry.terminals(),
    onChange: (event) => {
      events.add(presenceEvent(event));
      alarms.presence(event);
      feed?.presence(event);
    },
    log,
  });
  const commands = new CommandDispatch({ store, fleet, registry, bundles, clock, log });
  const alarmOf = async (terminal: string, code: string) => {
    await alarms.flushed();
    return (await store.alarms.list({ terminal, code, closed: false, limit: 1 }))[0]?.id ?? null;
  };
  const workorders = new WorkOrders({ store, commands, clock, log, alarmOf, sla: slaPolicy(options.workOrders?.sla), ...(options.workOrders?.publicUrl ? { publicUrl: options.workOrders.publicUrl } : {}) });
  const notice = (alert: Parameters<NonNullable<typeof feed>['notice']>[0]) => feed?.notice(alert);
  const lost = new LostTerminals({ orders: workorders, commands, stream: (event) => events.add(event), notify: notice });
  commands.setGuard((terminal, name) => lost.refusal(terminal, name));
  listeners.push((row) => workorders.stored(row));
  const sla = new SlaWatch({ store: store.workorders, clock, log, everyMs: options.workOrders?.slaCheckEveryMs ?? 60_000, notify: notice, stream: (event) => events.add(event) });
  const retention = options.retain ? new Retention({ store, fleet, clock, log, ...options.retain }) : undefined;
  // Another hub took a terminal's lease: it reconnected there, and a connection left here is stale.
  fleet.on('lease', ({ terminal, holder }) => {
    if (holder !== instance && registry.disconnect(terminal, CLOSE_REPLACED, `the terminal connected to hub ${holder}`)) {
      log.info({ terminal, to: holder }, 'terminal moved to another hub: its connection here closed');
    }
  });

  const server: Server = options.tls
    ? createHttpsServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: options.tls.requestCert ?? false,
        // Token-authenticated agents have no certificate: verification is checked per request instead.
        rejectUnauthorized: false,
      })
    : createHttpServer();
  // No clientTracking: the registry knows the connections, and ws's Set would hold each one again.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const keepAlive = new KeepAliveSweep(clock, pingIntervalMs, (ws, terminal) => dropDeadAgent(agentContext, ws, terminal));

  const agentContext = {
    store,
    commits,
    registry,
    bundles,
    clock,
    keepAlive,
    pingIntervalMs,
    log,
    presence,
    commands,
    connecting: (terminal: string, remote: string | null) => lost.connecting(terminal, remote),
    welcomed: (terminal: string) => workorders.welcomed(terminal),
    hello: (terminal: string, facts: InventoryFacts) => workorders.hello(terminal, facts),
    stored(row: StoredReport, meta: StoredMeta) {
      for (const listener of listeners) {
        try {
          listener(row, meta);
        } catch (err) {
          log.error({ err: (err as Error).message }, 'onStored listener threw');
        }
      }
    },
  };

  const notReady = () => readiness.notReady();
  const silencesChanged = () => fleet.send('silences', { by: instance }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'other hubs not told of a silence: they read it within their next reload'));
  const deliveriesFor = notifier ? (key: string) => notifier.deliveriesFor(key) : async () => [];
  const api = (): ApiContext => ({ store, commands, presence, tokens, operators, alerts, alarms, throttle, log, metrics, notReady, deliveriesFor, clock, silencesChanged, workorders, lost });
  // The web console (console/router.ts) answers every path that is not the API's.
  server.on('request', (req, res) => {
    if (serveMerchantPage(req, res, { store, log })) return;
    if (!isConsolePath(new URL(req.url ?? '/', 'http://hub').pathname)) return handleApiRequest(req, res, api());
    handleConsoleRequest(req, res, { ...api(), secure: Boolean(options.tls), clockNow: () => clock.now() }).catch((err: unknown) => {
      log.error({ err: (err as Error).message, url: req.url }, 'console request failed');
      res.destroy();
    });
  });
  // One listener for every socket: it stays on the socket for the connection's life.
  const upgradeSocketError = (err: Error) => log.debug({ err: err.message }, 'upgrade socket error');
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', upgradeSocketError);
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    if (path !== AGENT_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path}; use ${AGENT_PATH}\n`);
    const remote = req.socket.remoteAddress;
    const waitMs = throttle.retryAfterMs(remote);
    if (waitMs > 0) return refuseUpgrade(socket, 429, 'too many failed authentications; try again later\n', [`Retry-After: ${Math.ceil(waitMs / 1000)}`]);
    const auth = authenticate(req, tokens);
    if (!auth.ok) {
      // Counted and logged in aggregate by the throttle; per attempt only at debug level.
      throttle.failed(remote, auth.reason);
      log.debug({ reason: auth.reason, remote }, 'agent refused');
      // The reason stays in the hub's log: the client learns only that it was refused.
      return refuseUpgrade(socket, 401, 'unauthorized\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveAgent(ws, auth.terminal, agentContext, remote ?? null));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    metrics.close();
    await notifier?.stop();
    await fleet.close();
    await store.close();
    throw err;
  });

  presence.start();
  reminders.start();
  sla.start();
  retention?.start();
  readiness.serving();
  const port = (server.address() as AddressInfo).port;
  const address = { host: options.host, port };
  log.info({ ...address, tls: Boolean(options.tls), terminals: Object.keys(tokens).length, apiAuth }, 'hub listening');
  if (!apiAuth) {
    log.warn(address, 'HTTP API is unauthenticated (no API token): anyone who can connect can read reports and command terminals; keep the hub on loopback');
  }

  let closing: Promise<void> | undefined;
  const shutdown = async () => {
    readiness.closing();
    presence.stop();
    reminders.stop();
    sla.stop();
    await retention?.stop();
    keepAlive.stop();
    const held = registry.terminals();
    registry.terminateAll();
    alerts.close();
    // Released now rather than left to lapse: the other hubs see at once that nobody holds them.
    await Promise.all(held.map((terminal) => presence.disconnected(terminal).catch(() => {})));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await commits.flushed();
    await events.flushed();
    await alarms.flushed();
    await workorders.flushed();
    await feed?.drained();
    await notifier?.stop();
    await fleet.close();
    await store.close();
    throttle.close();
    metrics.close();
    log.info({}, 'hub closed');
  };

  return {
    address,
    url: `${options.tls ? 'wss' : 'ws'}://${urlHost(options.host)}:${port}${AGENT_PATH}`,
    onStored: (listener) => void listeners.push(listener),
    onAlarm: (listener) => void alarms.events.on(listener),
    connectedTerminals: () => registry.terminals(),
    notifierFed: async () => feed?.drained(),
    workOrdersTaken: () => workorders.flushed(),
    checkSla: () => sla.check(),
    reloadTokens(file) {
      let next: TokenMap;
      try {
        next = loadTokens(file);
      } catch (err) {
        log.error({ err: (err as Error).message, terminals: Object.keys(tokens).length }, 'tokens file not reloaded: keeping the tokens in use');
        return false;
      }
      const previous = tokens;
      tokens = next;
      const added = Object.keys(next).filter((id) => !Object.hasOwn(previous, id));
      const revoked = Object.keys(previous).filter((id) => !Object.hasOwn(next, id));
      const changed = Object.keys(previous).filter((id) => Object.hasOwn(next, id) && next[id] !== previous[id]);
      // A changed token may have leaked: whoever holds the old one is cut off too.
      for (const id of [...revoked, ...changed]) registry.disconnect(id, CLOSE_REVOKED, 'terminal credentials revoked');
      const failed = (err: unknown) => log.warn({ err: (err as Error).message }, 'presence not updated after the tokens reload');
      for (const id of revoked) presence.forget(id).catch(failed);
      for (const id of changed) presence.disconnected(id).catch(failed);
      log.info({ terminals: Object.keys(next).length, added, revoked, changed }, 'tokens reloaded');
      return true;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
