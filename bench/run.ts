/**
 * `npm run bench -- NAME`: runs bench/NAME.ts, whose default export measures ours against a baseline
 * measured in the same run and resolves with its figures (including `ratio`). The JSON line is printed last.
 */
import { readdirSync } from 'node:fs';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));

const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}

const bench = (await import(`./${name}.ts`)) as { default: () => Promise<Record<string, number | string>> };
const figures = await bench.default();
console.log(JSON.stringify({ bench: name, node: process.version, ...figures }));
