import { execFile } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
const SETUP = join(ROOT, 'scripts', 'setup');
const LINK = join(ROOT, 'scripts', 'link');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd: tmpdir() }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The environment, with npm's global prefix at `prefix` (whatever npm config a parent `npm test` passed down). */
function withPrefix(prefix: string, path: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  return { ...env, npm_config_prefix: prefix, PATH: path };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string, mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), `deskhand-${name}-`));
  chmodSync(dir, mode);
  made.push(dir);
  return dir;
}

describe('./scripts/setup checks Node first', () => {
  it('stops at once with an old Node, naming the version found and what is needed', async () => {
    const bin = tempDir('old-node');
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const result = await exec(SETUP, [], {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`deskhand needs Node.js 20 or newer; ${join(bin, 'node')} is v18.19.0.`);
    expect(result.stderr).toContain('then run ./scripts/setup again');
    expect(result.stdout).toBe(''); // nothing installed, nothing built
  });

  it('stops at once without Node on PATH', async () => {
    const bin = tempDir('no-node');
    symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
    const result = await exec('/bin/bash', [SETUP], { ...process.env, PATH: bin });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deskhand needs Node.js 20 or newer, and there is no node on PATH.');
    expect(result.stdout).toBe('');
  });
});

describe('scripts/link (the end of setup) puts deskhand on PATH', () => {
  const nodeDir = dirname(process.execPath);

  it('links this clone into a writable global prefix, quietly, and again without redoing it', async () => {
    const prefix = tempDir('prefix');
    const env = withPrefix(prefix, [join(prefix, 'bin'), nodeDir, process.env.PATH].join(delimiter));
    const first = await exec(LINK, [], env);
    expect(first).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(realpathSync(join(prefix, 'lib', 'node_modules', 'deskhand'))).toBe(ROOT);
    const version = await exec('deskhand', ['--version'], env);
    expect(version.stdout.trim()).toBe(VERSION);

    const linkedAt = lstatSync(join(prefix, 'bin', 'deskhand')).mtimeMs;
    const again = await exec(LINK, [], env);
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lstatSync(join(prefix, 'bin', 'deskhand')).mtimeMs).toBe(linkedAt);
  }, 60_000);

  it('says how to put it on PATH when the prefix bin folder is not on PATH', async () => {
    const prefix = tempDir('prefix');
    const result = await exec(LINK, [], withPrefix(prefix, [nodeDir, process.env.PATH].join(delimiter)));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`export PATH="${join(prefix, 'bin')}:$PATH"`);
  }, 60_000);

  it('without write access and without sudo, prints one line saying how, and succeeds', async () => {
    const prefix = tempDir('prefix'); // 0755, owned by whoever runs the tests
    const path = [nodeDir, '/usr/bin', '/bin'].join(delimiter); // no sudo here
    const home = tempDir('home', 0o777);
    const env = { ...withPrefix(prefix, path), HOME: home, npm_config_cache: join(home, 'npm-cache') };
    let result: Result;
    if (process.getuid?.() === 0) {
      // root may write anywhere: run as nobody, as a user without root would.
      const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
      result = await exec('/usr/bin/setpriv', [...nobody, LINK], env);
    } else {
      chmodSync(prefix, 0o555);
      result = await exec(LINK, [], env);
    }
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `setup: deskhand is not on PATH: ${prefix} is not writable; run 'sudo npm link' in ${ROOT}, or use ${ROOT}/bin/deskhand.\n`,
    );
  }, 60_000);
});
