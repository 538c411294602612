import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from 'posdiag-protocol/cli';
import { loadNotifyConfig, parseNotifyConfig } from '../../src/notify/config.js';

const receivers = [
  { name: 'team', webhook: { url: 'http://127.0.0.1:9/hook', secret: 's3cret' } },
  { name: 'lead', dingtalk: { url: 'https://127.0.0.1:9/robot/send', secret: 'SEC1' } },
];

function problem(value: unknown): string {
  try {
    parseNotifyConfig(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the --notify routing file', () => {
  it('accepts the Contract shape with every receiver kind, and correlation defaults', () => {
    const config = parseNotifyConfig({
      route: {
        receiver: 'team',
        group_by: ['region'],
        group_wait: '10s',
        routes: [{ matchers: { severity: 'critical' }, receiver: 'lead', continue: true, escalate: [{ after: '15m', receiver: 'lead' }] }],
      },
      receivers: [
        ...receivers,
        { name: 'wx', wecom: { url: 'https://127.0.0.1:9/cgi-bin/webhook/send?key=k' } },
        { name: 'fs', feishu: { url: 'https://127.0.0.1:9/open-apis/bot/v2/hook/x', secret: 'f' }, send_resolved: false },
        { name: 'mail', email: { smtp: 'smtp://127.0.0.1:2525', from: 'hub@example.test', to: ['ops@example.test'] } },
      ],
      correlate: { labels: ['region'], codes: ['terminal.silent'] },
    });
    expect(config.correlate).toEqual([{ labels: ['region'], codes: ['terminal.silent'], min: 5, window: '2m' }]);
    expect(config.receivers).toHaveLength(5);
  });

  it('names the key path of a route that sends to a receiver nobody defined', () => {
    const message = problem({ route: { receiver: 'team', routes: [{ receiver: 'team' }, { receiver: 'oncall' }] }, receivers });
    expect(message).toBe('--notify: route.routes[1].receiver: no receiver named "oncall"');
  });

  it('checks escalation stages and nested routes the same way', () => {
    const message = problem({
      route: { receiver: 'team', routes: [{ matchers: { region: 'north' }, routes: [{ escalate: [{ after: '15m', receiver: 'boss' }] }] }] },
      receivers,
    });
    expect(message).toBe('--notify: route.routes[0].routes[0].escalate[0].receiver: no receiver named "boss"');
  });

  it('lists every problem with its path: bad durations, unknown keys, two kinds, a missing secret', () => {
    const message = problem({
      route: { receiver: 'team', group_wait: '30 s', routes: [{ matcher: { severity: 'critical' } }] },
      receivers: [{ name: 'team', webhook: { url: 'ftp://127.0.0.1/x' }, wecom: { url: 'http://127.0.0.1:9/' } }],
    });
    expect(message.split('\n')).toEqual([
      '--notify is invalid:',
      '  route.group_wait: not a duration: "30 s" (give one such as "500ms", "30s", "5m", "2h" or "1d")',
      '  route.routes[0]: unknown key "matcher"',
      '  receivers[0].webhook.url: not an http:// or https:// URL',
      '  receivers[0].webhook.secret: missing (expected string)',
    ]);
    expect(problem({ route: { receiver: 'team' }, receivers: [{ name: 'team', webhook: receivers[0]!.webhook, wecom: { url: 'http://127.0.0.1:9/' } }] })).toBe(
      '--notify: receivers[0]: give exactly one of webhook, wecom, dingtalk, feishu, email (found webhook, wecom)',
    );
  });

  it('wants a root route with a receiver, no matchers and no continue, and unique receiver names', () => {
    const message = problem({ route: { matchers: { severity: 'critical' }, continue: true }, receivers: [receivers[0], receivers[0]] });
    expect(message.split('\n').slice(1)).toEqual([
      '  receivers[1].name: a second receiver named "team"',
      '  route.receiver: the root route needs a receiver',
      '  route.matchers: the root route matches every alert; it takes no matchers',
      '  route.continue: the root route has no siblings to continue to',
    ]);
  });

  it('names the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-'));
    const file = join(dir, 'notify.json');
    writeFileSync(file, '{ "route": ');
    expect(() => loadNotifyConfig(file)).toThrow(new RegExp(`^--notify ${file} is not valid JSON`));
    writeFileSync(file, JSON.stringify({ route: { receiver: 'nobody' }, receivers }));
    expect(() => loadNotifyConfig(file)).toThrow(`--notify ${file}: route.receiver: no receiver named "nobody"`);
  });
});
