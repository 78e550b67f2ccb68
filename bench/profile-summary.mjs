#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof, or `npm run bench -- --profile`) in the terminal:
// self time by function and by package, and inclusive time by function (each function counted once
// per sample, so recursion does not inflate it). Percentages are of busy (non-idle) time.
//
//   node bench/profile-summary.mjs bench/results/profiles/server-….cpuprofile [--top 30] [--match REGEX]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, match: { type: 'string' } },
});
if (!positionals[0]) {
  process.stderr.write('usage: profile-summary.mjs <file.cpuprofile> [--top N] [--match REGEX]\n');
  process.exit(2);
}
const top = Number(values.top);
const match = values.match ? new RegExp(values.match) : null;
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const IDLE = new Set(['(idle)', '(program)', '(root)']);
const label = (cf) => `${cf.functionName || '(anonymous)'}  ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|packages|bench)\//, '$1/') || ''}:${cf.lineNumber + 1}`;
const pkg = (cf) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url);
  if (m) return m[1];
  if (/^node:/.test(cf.url)) return 'node:' + cf.url.slice(5).split('/')[0];
  if (cf.url) return 'app code';
  return cf.functionName;
};

const self = new Map();
const byPkg = new Map();
const incl = new Map();
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const leaf = nodes.get(profile.samples[i]);
  if (IDLE.has(leaf.callFrame.functionName)) continue;
  busy += dt;
  self.set(label(leaf.callFrame), (self.get(label(leaf.callFrame)) ?? 0) + dt);
  byPkg.set(pkg(leaf.callFrame), (byPkg.get(pkg(leaf.callFrame)) ?? 0) + dt);
  const seen = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = label(nodes.get(id).callFrame);
    if (seen.has(k) || IDLE.has(nodes.get(id).callFrame.functionName)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + dt);
  }
}
const show = (title, m) => {
  console.log(`\n${title}`);
  const rows = [...m].filter(([k]) => !match || match.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, t] of rows) console.log(`${((100 * t) / busy).toFixed(1).padStart(6)}%  ${k}`);
};
const total = profile.endTime - profile.startTime;
console.log(`${positionals[0]}: busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled`);
show('self time by package', byPkg);
show('self time by function', self);
show('inclusive time by function', incl);
