import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const COMMANDS = ['run', 'demo', 'act', 'screenshot', 'calibrate', 'get', 'cancel', 'delete', 'completion'];

interface LockEntry {
  dev?: boolean;
}

/**
 * Packs deskhand from a copy of its sources (so `prepack` builds a fresh dist/ and nothing stale can
 * ship), then installs the tarball into a scratch project as a user would.
 */
async function packAndInstall(): Promise<{ work: string; files: string[]; project: string }> {
  const work = mkdtempSync(join(tmpdir(), 'deskhand-pack-'));
  const clone = join(work, 'deskhand');
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'README.md',
    'bin',
    'demo',
    'src',
    'calibration',
    'native-adapters',
  ])
    cpSync(join(ROOT, entry), join(clone, entry), {
      recursive: true,
      filter: (path) => !path.includes('__pycache__'),
    });
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: clone });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no package: ${stdout}`);
  const tarball = join(packs, packed.filename);

  const project = join(work, 'scratch');
  mkdirSync(project);
  // A version of its own, so that `deskhand --version` printing the project's version is caught.
  const scratch = { name: 'scratch', version: '9.9.9', private: true, type: 'module' };
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ ...scratch, dependencies: { deskhand: `file:${tarball}` } }),
  );
  // First without the network: deskhand's own lock (its runtime entries) pins what `npm ci` left in
  // npm's cache. The lock omits registry URLs, and npm has no package metadata cached, so a plain
  // `npm install` would ask the registry; that is the fallback.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  // The lock's entry for deskhand is the manifest inside the tarball: its bin is what npm links.
  const manifest = (await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout;
  const { version, dependencies, bin, engines } = JSON.parse(manifest) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { ...scratch, dependencies: { deskhand: `file:${tarball}` } },
    'node_modules/deskhand': { version, resolved: `file:${tarball}`, dependencies, bin, engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev) packages[path] = entry;
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ ...scratch, lockfileVersion: 3, requires: true, packages }),
  );
  const quiet = ['--no-audit', '--no-fund'];
  try {
    await run('npm', ['ci', '--offline', ...quiet], { cwd: project });
    return { work, files: packed.files.map((file) => file.path), project };
  } catch (error) {
    process.stderr.write(
      `package-install: offline install failed, asking the registry: ${(error as Error).message}\n`,
    );
    rmSync(join(project, 'package-lock.json'));
    rmSync(join(project, 'node_modules'), { recursive: true, force: true });
    await run('npm', ['install', '--prefer-offline', ...quiet, tarball], { cwd: project });
    return { work, files: packed.files.map((file) => file.path), project };
  }
}

describe('the packed package, installed in a scratch project', () => {
  let work = '';
  let files: string[] = [];
  let project = '';
  const deskhand = () => join(project, 'node_modules', '.bin', 'deskhand');

  beforeAll(async () => {
    ({ work, files, project } = await packAndInstall());
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the CLI, the built library and the demo app, and no tests, benchmarks or source maps', () => {
    for (const file of [
      'bin/deskhand',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'demo/notes_app.py',
    ])
      expect(files).toContain(file);
    expect(files.filter((file) => /^(dist\/)?(tests|bench)\//.test(file))).toEqual([]);
    expect(
      files.filter((file) => file.endsWith('.map') || (file.endsWith('.ts') && !file.endsWith('.d.ts'))),
    ).toEqual([]);
  });

  it("exports the library: import('deskhand') gives createSession, openDesktop, ResponsesClient, startModelServer", async () => {
    const script = `const m = await import('deskhand');
      console.log(JSON.stringify(['createSession', 'openDesktop', 'ResponsesClient', 'startModelServer'].map((name) => [name, typeof m[name]])));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(Object.fromEntries(JSON.parse(stdout) as [string, string][])).toEqual({
      createSession: 'function',
      openDesktop: 'function',
      ResponsesClient: 'function',
      startModelServer: 'function',
    });
  }, 60_000);

  it('gives TypeScript users the types through exports', async () => {
    writeFileSync(
      join(project, 'check.ts'),
      `import { createSession, type SessionOptions } from 'deskhand';\nconst f: (options: SessionOptions) => unknown = createSession;\nexport const n: number = f;\n`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
    ];
    const types = ['--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node'];
    // The deliberate error (a function assigned to a number) proves the types were found, not `any`.
    const result = await run(process.execPath, [tsc, ...options, ...types, 'check.ts'], {
      cwd: project,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toMatch(/check\.ts\(3,14\): error TS2322/);
    expect(result.split('\n').filter((line) => line.includes('error'))).toHaveLength(1);
  }, 60_000);

  it('installs the deskhand command: --version is the package version, --help lists the commands', async () => {
    const version = await run(deskhand(), ['--version'], { cwd: project });
    expect(version.stdout.trim()).toBe(MANIFEST.version);
    const help = await run(deskhand(), ['--help'], { cwd: project });
    for (const command of COMMANDS)
      expect(help.stdout).toMatch(new RegExp(`^ {2}deskhand ${command}\\b`, 'm'));
  }, 60_000);

  it('runs the demo from the installed package (its app found inside node_modules/deskhand)', async () => {
    const demo = await run(deskhand(), ['demo', '--no-record'], { cwd: project });
    expect(demo.stderr).toMatch(/demo passed/);
  }, 60_000);
});
