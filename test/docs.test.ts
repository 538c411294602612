import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG as catalog } from '../packages/agent/src/devices/catalog.js';
import type { AnyFamily } from '../packages/agent/src/devices/family.js';
import { families } from '../packages/agent/src/devices/index.js';
import { ERROR_COUNTERS } from '../packages/agent/src/devices/network/interface-readings.js';

/**
 * docs/ and the device families' READMEs are the next engineer's map, so they must keep up with the
 * code: every fault code, threshold and reading name the code uses is documented where its owner is
 * (a device family's in its folder's README, the agent's own in docs/spec.md), and every "SPEC §N" or
 * "protocols.md §N" a comment cites names a section that exists. Names, families and their folders are
 * collected from the code itself (the family list, string literals of a family's shape, the built-in
 * rules), never from a list kept here: a new family is checked the moment it joins the list.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SPEC = 'docs/spec.md';
const spec = read(SPEC);
const protocols = read('docs/protocols.md');

/** A family's README: in its folder, beside the rule file it ships. */
const readmeOf = (family: AnyFamily) => relative(ROOT, fileURLToPath(new URL('README.md', family.rules.file)));

/**
 * The doc that must name `name`: the README of the family whose fault code it is, or whose reading
 * prefix it carries (`power.ac_online` is the battery's); spec.md for the agent's own.
 */
function docOf(name: string): string {
  const family =
    families.find((f) => f.catalog.entries.some((e) => e.code === name)) ?? families.find((f) => f.readingPrefixes.some((p) => name.startsWith(p)));
  return family ? readmeOf(family) : SPEC;
}

/** `packages/NAME/SUB` of every workspace package that has one. */
function packageDirs(sub: string): string[] {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => join('packages', name, sub))
    .filter((dir) => existsSync(join(ROOT, dir)));
}

function sourceFiles(dir: string, exts = ['.ts']): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [path] : [];
  });
}

/** The first segments names start with: every family's reading prefixes and every fault code's. */
const PREFIXES = new Set([...families.flatMap((f) => f.readingPrefixes), ...[...catalog.keys()].map((code) => code.slice(0, code.indexOf('.') + 1))]);
const READING_NAME = new RegExp(`^(?:${[...PREFIXES].map((p) => p.slice(0, -1)).join('|')})(?:\\.(?:[a-z0-9_]+|\\*))+$`);

/**
 * Reading, evidence, action and fault names written in src/: quoted literals, and template literals
 * with each `${…}` as one `*` segment (a leading `${p}` resolved through the file's own
 * `const p = \`…\``). A template whose last segment is a placeholder is a prefix, not a name.
 */
function namesInSource(): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of packageDirs('src').flatMap((dir) => sourceFiles(dir))) {
    const text = read(file);
    const templates = new Map([...text.matchAll(/const (\w+) = `([^`]*)`;/g)].map((m) => [m[1]!, m[2]!]));
    for (const m of text.matchAll(/'([^'\n]*)'|`([^`\n]*)`/g)) {
      const name =
        m[2] === undefined
          ? m[1]!
          : m[2].replace(/^\$\{(\w+)\}/, (all, v: string) => templates.get(v) ?? all).replace(/\$\{[^}]*\}/g, '*');
      if (READING_NAME.test(name) && !name.endsWith('.*')) names.set(name, file);
    }
  }
  return names;
}

interface Condition {
  reading?: string;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}
interface Rule {
  code: string;
  when: Condition;
  clearWhen?: Condition;
  escalate?: { when: Condition }[];
  evidence?: string[];
}
interface RuleSet {
  thresholds: Record<string, number>;
  rules: Rule[];
}
/** The built-in rule sets, each with the doc that names its thresholds: the agent's own, then every family's. */
const ruleSets: { doc: string; set: RuleSet }[] = [
  { doc: SPEC, set: JSON.parse(read('packages/agent/rules/default.json')) as RuleSet },
  ...families.map((family) => ({ doc: readmeOf(family), set: family.rules.content as RuleSet })),
];
const rules = ruleSets.flatMap(({ set }) => set.rules);

function readingsOf(c: Condition | undefined): string[] {
  if (!c) return [];
  return [...(c.reading ? [c.reading] : []), ...(c.all ?? []).flatMap(readingsOf), ...(c.any ?? []).flatMap(readingsOf), ...readingsOf(c.not)];
}

function namesInRules(): string[] {
  return rules.flatMap((r) => [...readingsOf(r.when), ...readingsOf(r.clearWhen), ...(r.escalate ?? []).flatMap((e) => readingsOf(e.when)), ...(r.evidence ?? [])]);
}

/** Whether its doc (docOf) names `name` in backticks; a `*` segment is written as `<if>`, `<name>`, `<n>`. */
function documented(name: string): boolean {
  const pattern = name
    .split('.')
    .map((s) => (s === '*' ? '<[a-z]+>' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('\\.');
  return new RegExp('`' + pattern + '`').test(read(docOf(name)));
}

/** Whether `doc` has a catalog row of `code`: `| \`code\` | device | category | severity | …`. */
function hasCodeRow(doc: string, code: string, category: string, severity: string): boolean {
  // A fault code may also be a reading's name (printer.cover_open): any row of it may be the catalog's.
  return read(doc)
    .split('\n')
    .some((row) => row.startsWith(`| \`${code}\` |`) && row.includes(`| ${category} |`) && row.includes(`| ${severity}`));
}

/** Section numbers of a doc's headings written `## §N. Title` or `### §N.M Title`. */
function sections(doc: string): Set<string> {
  return new Set([...doc.matchAll(/^#{1,6} §(\d+(?:\.\d+)*)\.?\s/gm)].map((m) => m[1]!));
}

/** GitHub's heading anchor: lower case, punctuation and symbols dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-');
}

const citingFiles = [...packageDirs('src'), ...packageDirs('test'), 'test', 'bench'].flatMap((dir) => sourceFiles(dir));

describe('docs/spec.md and the device families\' READMEs', () => {
  it('every family has a README in its folder that names its config section', () => {
    const missing = families.filter((f) => !existsSync(join(ROOT, readmeOf(f))) || !read(readmeOf(f)).includes(`\`devices.${f.key}\``));
    expect(missing.map((f) => `${readmeOf(f)} (devices.${f.key})`)).toEqual([]);
  });

  it('name every fault code of the catalog, with its category and severity: a family\'s in its README, the agent\'s in spec.md', () => {
    const missing = [...catalog.values()].filter((e) => !hasCodeRow(docOf(e.code), e.code, e.category, e.severity));
    expect(missing.map((e) => `${e.code} (${e.category}, ${e.severity}) in ${docOf(e.code)}`)).toEqual([]);
  });

  it('keep a family\'s codes out of spec.md, so no second row can disagree with its README', () => {
    const twice = [...catalog.values()].filter((e) => docOf(e.code) !== SPEC && spec.includes(`\n| \`${e.code}\` | ${e.device} |`));
    expect(twice.map((e) => e.code)).toEqual([]);
  });

  it('name every threshold of the built-in rules with its default value where its rule set belongs', () => {
    const missing = ruleSets.flatMap(({ doc, set }) =>
      Object.entries(set.thresholds)
        .filter(([name, value]) => {
          const shown = String(value).replace('-', '−');
          return !new RegExp('\\| `' + name.replace(/\./g, '\\.') + '` \\| ' + shown + ' \\|').test(read(doc));
        })
        .map(([name, value]) => `${name} = ${value} in ${doc}`),
    );
    expect(missing).toEqual([]);
  });

  it('name every reading, evidence, action and fault name written in src/', () => {
    const names = namesInSource();
    expect(names.size).toBeGreaterThan(100);
    expect([...names].filter(([name]) => !documented(name)).map(([name, file]) => `${name} (${file}) in ${docOf(name)}`)).toEqual([]);
  });

  it('name every reading the built-in rules look at, and every network error counter', () => {
    const names = [...namesInRules(), ...ERROR_COUNTERS.map((c) => `network.*.${c}`)];
    expect(names.filter((name) => !documented(name)).map((name) => `${name} in ${docOf(name)}`)).toEqual([]);
  });

  it('has a section for every "SPEC §N" cited in src/, test/ and bench/', () => {
    const have = sections(spec);
    const cites = citingFiles.flatMap((file) => [...read(file).matchAll(/SPEC §(\d+(?:\.\d+)*)/g)].map((m) => ({ file, n: m[1]! })));
    expect(cites.length).toBeGreaterThan(20);
    expect(cites.filter((c) => !have.has(c.n)).map((c) => `${c.file}: SPEC §${c.n}`)).toEqual([]);
  });
});

describe('docs/protocols.md', () => {
  it('has a section (and the named subsection) for every "protocols.md §N" cited', () => {
    const have = sections(protocols);
    const headings = [...protocols.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!);
    const cites = citingFiles.flatMap((file) =>
      [...read(file).matchAll(/protocols\.md §(\d+)(?:, "([^"]+)")?/g)].map((m) => ({ file, n: m[1]!, title: m[2] })),
    );
    expect(cites.length).toBeGreaterThan(10);
    const broken = cites.filter((c) => !have.has(c.n) || (c.title !== undefined && !headings.includes(c.title)));
    expect(broken.map((c) => `${c.file}: protocols.md §${c.n}${c.title ? ` "${c.title}"` : ''}`)).toEqual([]);
  });
});

describe('links', () => {
  it('from docs/, README.md and the device folders\' READMEs point to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of [...sourceFiles('docs', ['.md']), 'README.md', ...sourceFiles('packages/agent/src/devices', ['.md'])]) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, hash] = target!.split('#') as [string, string | undefined];
        const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
        if (!existsSync(join(ROOT, resolved))) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (hash === undefined) continue;
        const anchors = [...read(resolved).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!));
        if (!anchors.includes(hash)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md points the reader to docs/', () => {
    const links = [...read('README.md').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(links).toContain('docs/README.md');
  });
});
