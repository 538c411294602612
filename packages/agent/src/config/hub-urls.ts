import { z } from 'zod';

/**
 * `uplink.url`: one hub, or a list of hubs the agent fails over between (SPEC §3; the order is the
 * order they are tried in, src/report/uplink.ts).
 */

const hubUrl = z.url({ protocol: /^wss?$/, error: 'a ws:// or wss:// URL' });

/** The same hub however it is spelt (`ws://HUB:80/agent` is `ws://hub/agent`). */
function canonical(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}

const hubUrlList = z
  .array(hubUrl)
  .min(1, 'at least one hub URL')
  .superRefine((urls, ctx) => {
    const seen = new Map<string, number>();
    urls.forEach((url, i) => {
      const first = seen.get(canonical(url));
      // A hub listed twice would be tried twice in every round, which is a mistake, not a wish.
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `the same hub as uplink.url[${first}]` });
      else seen.set(canonical(url), i);
    });
  });

export const hubUrls = z
  .union([hubUrl, hubUrlList], { error: 'a ws:// or wss:// URL, or a non-empty list of them' })
  .describe('the hub, or hubs tried in turn: the agent moves to the next when one is down and stays there while it answers');

