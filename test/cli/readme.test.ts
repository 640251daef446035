/** The README's library example runs as shown (against the built dist/, which `npm test` builds first). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');

describe('README', () => {
  it('the library API example runs and prints accuracy, cycles and energy', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## Library API[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // Verbatim, as an installed package: a project whose node_modules/bwsnn is this package
    // (what `npm install` of a tarball or `npm link` gives), run from the repository root so the
    // snippet's relative model path holds.
    const code = block as string;
    expect(code).toMatch(/from 'bwsnn';/);
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-readme-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'bwsnn'), 'dir');
    const file = join(dir, 'example.mjs');
    writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ n: r.count, pred: ref.prediction, sim: r.inferences[0].prediction, cores: report.coresUsed }));\n`);
    const p = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 120_000, cwd: root });
    expect(p.status, p.stderr).toBe(0);
    const last = JSON.parse(p.stdout.trim().split('\n').pop() as string) as { n: number; pred: number; sim: number; cores: number };
    expect(last.n).toBe(100);
    expect(last.sim).toBe(last.pred);
    expect(last.cores).toBeGreaterThan(0);
    expect(p.stdout).toMatch(/^0\.\d+ [\d.]+ [\d.e-]+/m);
  });

  it('the library API example type-checks against the package\'s declarations (exports "types")', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /## Library API[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-readme-ts-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'bwsnn'), 'dir');
    writeFileSync(join(dir, 'example.mts'), `${code}\nconst n: number = r.count;\nvoid n;\n`);
    writeFileSync(join(dir, 'wrong.mts'), `import { simulate } from 'bwsnn';\nconst x: number = simulate;\nvoid x;\n`);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--typeRoots', join(root, 'node_modules', '@types'), '--types', 'node'];
    const ok = spawnSync(process.execPath, [tsc, ...args, 'example.mts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    // and the declarations are real types, not any: a wrong use is refused
    const bad = spawnSync(process.execPath, [tsc, ...args, 'wrong.mts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/not assignable to type 'number'/);
  }, 150_000);

  it('shows the two set-up commands and the main job', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/npm ci[^\n]*\nnpm test/);
    expect(readme).toContain('npx bwsnn demo');
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/\nnpm test\n/);
  });
});
