/**
 * The routing tree, as Alertmanager's dispatch/route.go builds and walks it: each route's options start
 * from its parent's (the root's from the defaults: group_wait 30s, group_interval 5m, repeat_interval
 * 4h, no group_by) and override what it sets itself; `match` is a depth-first, left-to-right search in
 * which a matching child ends the search among its siblings unless it has `continue`, and a route none
 * of whose children match is itself the match.
 */
import { parseDuration } from 'posdiag-protocol';
import type { RouteConfig } from './config.js';
import { formatMatchers, matches, type Matchers } from './matchers.js';
import type { Labels } from './group-notice.js';

export interface EscalationStage {
  afterMs: number;
  receiver: string;
}

export interface RouteOptions {
  receiver: string;
  /** Label names to group by; `'all'` is Alertmanager's `group_by: ["..."]`. */
  groupBy: readonly string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** Not inherited: a child route escalates only if it says so (a stage belongs to the team it escalates from). */
  escalate: readonly EscalationStage[];
}

export const DEFAULT_ROUTE_OPTIONS = {
  groupBy: [] as readonly string[],
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 14_400_000,
} as const;

export class Route {
  readonly options: RouteOptions;
  readonly matchers: Matchers;
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** Alertmanager's Route.Key(): the matchers from the root down, `{}/{severity="critical"}`; it names groups. */
  readonly key: string;
  /** Alertmanager's Route.ID(): the key plus the position among siblings, unique in the tree. */
  readonly id: string;

  /** `config` is already validated (config.ts): the root has a receiver, durations parse. */
  constructor(config: RouteConfig, parent?: Route, position?: number) {
    const base = parent?.options ?? { ...DEFAULT_ROUTE_OPTIONS, receiver: '' };
    this.options = {
      receiver: config.receiver ?? base.receiver,
      groupBy: config.group_by === undefined ? base.groupBy : config.group_by.includes('...') ? 'all' : config.group_by,
      groupWaitMs: config.group_wait === undefined ? base.groupWaitMs : parseDuration(config.group_wait),
      groupIntervalMs: config.group_interval === undefined ? base.groupIntervalMs : parseDuration(config.group_interval),
      repeatIntervalMs: config.repeat_interval === undefined ? base.repeatIntervalMs : parseDuration(config.repeat_interval),
      escalate: (config.escalate ?? []).map((s) => ({ afterMs: parseDuration(s.after), receiver: s.receiver })),
    };
    this.matchers = config.matchers ?? {};
    this.continue = config.continue ?? false;
    this.key = parent ? `${parent.key}/${formatMatchers(this.matchers)}` : formatMatchers(this.matchers);
    this.id = position === undefined ? this.key : `${this.key}/${position}`;
    this.routes = (config.routes ?? []).map((child, i) => new Route(child, this, i));
  }

  /** The routes an alert with these labels goes to, in tree order (route.go Match). */
  match(labels: Labels): Route[] {
    if (!matches(this.matchers, labels)) return [];
    const all: Route[] = [];
    for (const child of this.routes) {
      const found = child.match(labels);
      all.push(...found);
      if (found.length > 0 && !child.continue) break;
    }
    return all.length > 0 ? all : [this];
  }

  /** The group_by values of an alert on this route (group.go getGroupLabels). */
  groupLabels(labels: Labels): Labels {
    const by = this.options.groupBy;
    if (by === 'all') return { ...labels };
    return Object.fromEntries(by.filter((name) => labels[name] !== undefined).map((name) => [name, labels[name]!]));
  }
}
