import { describe, expect, it } from 'vitest';
import { matches } from '../../src/notify/matchers.js';
import { parseNotifyConfig, type RouteConfig } from '../../src/notify/config.js';
import { Route } from '../../src/notify/route.js';

/** The tree of Alertmanager's dispatch/route_test.go TestRouteMatch, its regex matchers as value lists. */
const tree: RouteConfig = {
  receiver: 'notify-def',
  routes: [
    {
      matchers: { owner: 'team-A' },
      receiver: 'notify-A',
      routes: [
        { matchers: { env: 'testing' }, receiver: 'notify-testing', group_by: ['...'] },
        { matchers: { env: 'production' }, receiver: 'notify-productionA', group_wait: '1m', continue: true },
        { matchers: { env: ['production', 'produce'] }, receiver: 'notify-productionB', group_wait: '30s', group_interval: '5m', repeat_interval: '1h', group_by: ['job'] },
      ],
    },
    { matchers: { owner: ['team-B', 'team-C'] }, group_by: ['foo', 'bar'], group_wait: '2m', receiver: 'notify-BC' },
    {
      matchers: { group_by: 'role' },
      group_by: ['role'],
      routes: [{ matchers: { env: 'testing' }, receiver: 'notify-testing', routes: [{ matchers: { wait: 'long' }, group_wait: '2m' }] }],
    },
  ],
};

const receivers = ['notify-def', 'notify-A', 'notify-testing', 'notify-productionA', 'notify-productionB', 'notify-BC'].map((name) => ({
  name,
  wecom: { url: 'http://127.0.0.1:9/' },
}));

const root = new Route(parseNotifyConfig({ route: tree, receivers }).route);

function summary(labels: Record<string, string>) {
  return root.match(labels).map((r) => ({ receiver: r.options.receiver, groupBy: r.options.groupBy, waitS: r.options.groupWaitMs / 1000, key: r.key }));
}

describe('the routing tree (cases of Alertmanager route_test.go)', () => {
  it('stops at the first matching child; a child with no match of its own is the match', () => {
    expect(summary({ owner: 'team-A' })).toEqual([{ receiver: 'notify-A', groupBy: [], waitS: 30, key: '{}/{owner="team-A"}' }]);
    expect(summary({ owner: 'team-A', env: 'unset' })).toEqual([{ receiver: 'notify-A', groupBy: [], waitS: 30, key: '{}/{owner="team-A"}' }]);
  });

  it('matches a list of allowed values', () => {
    expect(summary({ owner: 'team-C' })).toEqual([{ receiver: 'notify-BC', groupBy: ['foo', 'bar'], waitS: 120, key: '{}/{owner=~"team-B|team-C"}' }]);
  });

  it('group_by ["..."] groups by every label', () => {
    expect(summary({ owner: 'team-A', env: 'testing' })).toEqual([
      { receiver: 'notify-testing', groupBy: 'all', waitS: 30, key: '{}/{owner="team-A"}/{env="testing"}' },
    ]);
  });

  it('continue: true goes on to the next sibling', () => {
    const found = root.match({ owner: 'team-A', env: 'production' });
    expect(found.map((r) => r.options.receiver)).toEqual(['notify-productionA', 'notify-productionB']);
    expect(found[1]!.options).toMatchObject({ groupBy: ['job'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000 });
  });

  it('nested routes inherit receiver, group_by and timings from their parents', () => {
    expect(summary({ group_by: 'role' })).toEqual([{ receiver: 'notify-def', groupBy: ['role'], waitS: 30, key: '{}/{group_by="role"}' }]);
    expect(summary({ env: 'testing', group_by: 'role' })).toEqual([
      { receiver: 'notify-testing', groupBy: ['role'], waitS: 30, key: '{}/{group_by="role"}/{env="testing"}' },
    ]);
    expect(summary({ env: 'testing', group_by: 'role', wait: 'long' })).toEqual([
      { receiver: 'notify-testing', groupBy: ['role'], waitS: 120, key: '{}/{group_by="role"}/{env="testing"}/{wait="long"}' },
    ]);
  });

  it('an alert no child matches goes to the root with the defaults', () => {
    expect(root.match({ severity: 'critical' })).toEqual([root]);
    expect(root.options).toMatchObject({ groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000, groupBy: [] });
  });

  it('gives each group its group_by values only, leaving out labels the alert lacks', () => {
    const [bc] = root.match({ owner: 'team-B', foo: '1', baz: 'x' });
    expect(bc!.groupLabels({ owner: 'team-B', foo: '1', baz: 'x' })).toEqual({ foo: '1' });
  });
});

describe('matchers on a terminal\'s tags', () => {
  it('ask for one of its tags, never a part of one', () => {
    const labels = { code: 'printer.paper_end', tags: 'vip;north-mall' };
    expect(matches({ tags: 'vip' }, labels)).toBe(true);
    expect(matches({ tags: ['gold', 'north-mall'] }, labels)).toBe(true);
    expect(matches({ tags: 'north' }, labels)).toBe(false);
    expect(matches({ tags: 'vip' }, { code: 'printer.paper_end' })).toBe(false);
    // Any other label is equality, `;` and all.
    expect(matches({ code: 'printer' }, { code: 'printer;x' })).toBe(false);
  });
});
