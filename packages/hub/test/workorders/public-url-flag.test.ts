import { describe, expect, it } from 'vitest';
import { parsePublicUrl } from '../../src/cli/hub-command.js';
import { pageLanguage } from '../../src/workorders/merchant-page.js';
import { newRef, newToken, REF_ALPHABET, TOKEN_PATTERN } from '../../src/workorders/refs.js';

describe('work orders: --public-url, references, tokens, the page language', () => {
  it('takes an http(s) URL and drops its trailing slash; anything else is a one-line usage error', () => {
    expect(parsePublicUrl('https://hub.example.com/')).toBe('https://hub.example.com');
    expect(parsePublicUrl('http://10.0.0.1:8080/posdiag')).toBe('http://10.0.0.1:8080/posdiag');
    for (const bad of ['hub.example.com', 'ftp://hub', 'https://hub/?a=1', 'https://hub/#x']) {
      expect(() => parsePublicUrl(bad)).toThrow(`--public-url must be an http(s) URL such as https://hub.example.com (got "${bad}")`);
    }
  });

  it('makes references of the unambiguous alphabet and 128-bit URL-safe tokens', () => {
    expect(REF_ALPHABET).not.toMatch(/[0O1IL2Z5S8BUV]/);
    const refs = new Set(Array.from({ length: 200 }, newRef));
    for (const ref of refs) expect(ref).toMatch(/^WO-[34679ACDEFGHJKMNPQRTWXY]{6}$/);
    expect(refs.size).toBeGreaterThan(195);
    const token = newToken();
    expect(token).toMatch(TOKEN_PATTERN);
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
  });

  it('picks the page language from ?lang=, then Accept-Language by weight, then zh-CN', () => {
    expect(pageLanguage('en', 'zh-CN')).toBe('en');
    expect(pageLanguage(null, 'fr;q=1, en;q=0.5, zh;q=0.8')).toBe('zh-CN');
    expect(pageLanguage(null, 'en-GB,en;q=0.9')).toBe('en');
    expect(pageLanguage('de', 'de-DE')).toBe('zh-CN');
    expect(pageLanguage(null, undefined)).toBe('zh-CN');
  });
});
