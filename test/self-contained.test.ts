import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MK_SPEC, RELAY_SPEC } from './helpers/contract.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every tracked file (a fresh clone holds exactly these). */
const tracked = () => execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);

describe('a fresh clone needs nothing outside the repository', () => {
  it('no tracked source, script or config refers to a folder beside the repository', () => {
    const offenders: string[] = [];
    // A path up to a sibling "shared" folder, and absolute paths of this machine's checkout.
    const outside = /(\.\.\/)+shared\b|\/work\/(main|shared)\b/;
    for (const file of tracked()) {
      if (!/\.(ts|tsx|mts|mjs|cjs|js|json|sh|yml|yaml)$|^\.ci\//.test(file) || file === 'package-lock.json') continue;
      const text = readFileSync(`${ROOT}/${file}`, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (outside.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the contracts the tests validate against are the repository copies', () => {
    const files = tracked();
    expect(files).toContain('packages/api/contracts/mightykey-v1.openapi.json');
    expect(files).toContain('packages/api/contracts/flowrelay-v1.openapi.json');
    expect(MK_SPEC.paths['/runs']).toBeDefined();
    expect(RELAY_SPEC.paths['/handoffs']).toBeDefined();
  });
});
