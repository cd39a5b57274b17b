import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

/*
 * The first five minutes: the README's quick start (the ```sh block after <!-- quick-start -->), run
 * exactly as written in a fresh clone of this repository, with no API key and no display. npm's global
 * folder is a temporary one, so setup's `npm link` puts `deskhand` on this test's PATH only.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'deskhand-quick-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The commands of the README's quick start, as written. */
function quickStart(readme: string): string {
  const block = /<!-- quick-start -->\s*\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```sh block after <!-- quick-start -->');
  return block;
}

it('runs the README quick start in a fresh clone', { timeout: 600_000 }, () => {
  const commands = quickStart(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  expect(commands).toContain('./scripts/setup');
  const clone = join(work, 'deskhand');
  const cloned = spawnSync('git', ['clone', '--quiet', ROOT, clone], { encoding: 'utf8' });
  expect(cloned.status, cloned.stderr).toBe(0);
  const prefix = join(work, 'npm-global');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_prefix: prefix,
    npm_config_prefer_offline: 'true',
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
  };
  for (const name of ['DISPLAY', 'TZAFON_API_KEY', 'OPENAI_API_KEY', 'XDG_CONFIG_HOME']) delete env[name];
  env.XDG_STATE_HOME = join(work, 'state');
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', commands], { cwd: clone, env, encoding: 'utf8' });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, output.slice(-3000)).toBe(0);
  // The demo's verdict and the help's command list, as a new user sees them.
  expect(output).toContain('demo passed');
  expect(run.stdout).toContain('deskhand <command> [options]');
});
