// Bundles the dashboard into OUTDIR (default dist/): app.js and app.css from
// src/main.ts (uPlot included), plus index.html and favicon.svg as they are.
// Fixed file names: the server embeds exactly these four files and versions
// them by content hash (ETag), so no hashed names are needed.
//
//   node build.mjs [OUTDIR]
//
// Fails when the bundle grows past the budget below: the dashboard is meant
// to stay small (no framework).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, 'dist'));
const BUDGET_BYTES = 160 * 1024; // app.js + app.css, minified, before compression

// uPlot's MIT licence asks for its notice in copies; its source header is
// not a "legal comment" esbuild would keep by itself.
const uplot = JSON.parse(readFileSync(join(here, 'node_modules/uplot/package.json'), 'utf8'));
const notice = `/*! uPlot v${uplot.version} (c) Leon Sorokin, MIT licence */`;

mkdirSync(out, { recursive: true });
await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outdir: out,
  legalComments: 'eof',
  banner: { js: notice, css: notice },
  logLevel: 'warning',
});
for (const f of ['index.html', 'favicon.svg']) copyFileSync(join(here, f), join(out, f));

const sizes = ['app.js', 'app.css'].map((f) => [f, statSync(join(out, f)).size]);
const total = sizes.reduce((a, [, n]) => a + n, 0);
console.log(`dashboard: ${sizes.map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KiB`).join(', ')} → ${out}`);
if (total > BUDGET_BYTES) {
  console.error(
    `dashboard: the bundle is ${(total / 1024).toFixed(1)} KiB, over the ${BUDGET_BYTES / 1024} KiB budget — ` +
      'find what grew with `npx esbuild --bundle --analyze src/main.ts` in web/',
  );
  process.exit(1);
}
