import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { type ModelServer, type Script } from '../../src/model-server/index.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { type CliResult, collect, runCli, startCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/*
 * The command line as the README promises it: a config that breaks nothing, every configuration error
 * naming its source (exit 2), arguments that mean what they say, and values never taken silently.
 */

let display: VirtualDisplay;

beforeAll(async () => {
  display = await startXvfb({ width: 1024, height: 768 });
});
afterAll(async () => display?.stop());
const start = modelServers();
const serve = (script: Script): Promise<ModelServer> => start({ script });

const temp = (prefix = 'deskhand-cli-') => mkdtempSync(join(tmpdir(), prefix));

/** An XDG_CONFIG_HOME holding deskhand/config.json with this text. */
function configHome(text: string): string {
  const home = temp('deskhand-config-');
  mkdirSync(join(home, 'deskhand'));
  writeFileSync(join(home, 'deskhand', 'config.json'), text);
  return home;
}

const usage = (result: CliResult, message: RegExp | string) => {
  expect(result.code, result.stderr).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
};

describe('configuration that breaks nothing', () => {
  it("the README's config file does not break commands without those options", async () => {
    const env = { XDG_CONFIG_HOME: configHome('{"maxSteps": 20, "provider": "openai"}') };
    const out = join(temp(), 'shot.png');
    const shot = await runCli(['screenshot', '--display', display.name, '--out', out], env);
    expect(shot.code, shot.stderr).toBe(0);
    const act = await runCli(['act', '--display', display.name, '{"type":"wait","ms":1}'], env);
    expect(act.code, act.stderr).toBe(0);
    const help = await runCli(['get', '--help'], env);
    expect(help.code).toBe(0);
  });

  it('a DESKHAND_ variable of no option (DESKHAND_HOME) breaks nothing', async () => {
    const result = await runCli(['act', '--display', display.name, '{"type":"wait","ms":1}'], {
      DESKHAND_HOME: '/opt/x',
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it('a config key no command knows is warned about, and the command runs', async () => {
    const env = { XDG_CONFIG_HOME: configHome('{\n  "maxStep": 20\n}') };
    const result = await runCli(['act', '--display', display.name, '{"type":"wait","ms":1}'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/config\.json:2:3: no command has an option "max-step"; ignored/);
  });

  it('config values apply to the commands that have the option', async () => {
    const server = await serve([{ message: 'one' }, { message: 'two' }]);
    const env = { XDG_CONFIG_HOME: configHome('{"maxTurns": 1, "noRecord": true}') };
    const result = await runCli(
      ['run', 'x', '--display', display.name, '--base-url', server.url, '--no-record', '--dry-run'],
      { ...env, DESKHAND_REQUIRE_DONE: 'true' },
    );
    // requireDone from the variable: the bare message "one" is no success.
    expect(result.code, result.stderr).toBe(6);
  });

  it('--record DIR then --no-record: the last one wins (no record, no crash)', async () => {
    const server = await serve([{ message: 'done' }]);
    const folder = temp();
    const args = ['x', '--display', display.name, '--base-url', server.url, '--dry-run'];
    const result = await runCli(['run', ...args, '--record', folder, '--no-record']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('run record:');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('DESKHAND_RECORD=false means no record; an empty one is an error naming the variable', async () => {
    const server = await serve([{ message: 'done' }]);
    const cwd = temp();
    const child = startCli(['run', 'x', '--display', display.name, '--base-url', server.url, '--dry-run'], {
      DESKHAND_RECORD: 'false',
      XDG_STATE_HOME: cwd,
    });
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('run record:');
    expect(readdirSync(cwd)).toEqual([]);
    usage(
      await runCli(['run', 'x', '--display', display.name], { DESKHAND_RECORD: '' }),
      'DESKHAND_RECORD=""',
    );
  });

  it('every configuration error names its source and exits 2', async () => {
    usage(
      await runCli(['run', 'x', '--config', '/nonexistent/deskhand.json']),
      '--config /nonexistent/deskhand.json: no such file',
    );
    const bad = join(temp(), 'bad.json');
    writeFileSync(bad, '{\n  "maxTurns": 3,,\n}');
    usage(await runCli(['run', 'x', '--config', bad]), new RegExp(`${bad}:2:17: not valid JSON`));
    const array = join(temp(), 'array.json');
    writeFileSync(array, '[1, 2, 3]');
    usage(await runCli(['run', 'x', '--config', array]), 'must be a JSON object of options');
    usage(
      await runCli(['run', 'x'], { DESKHAND_MAX_STEPS: 'abc' }),
      'DESKHAND_MAX_STEPS="abc": --max-steps takes a number',
    );
    usage(
      await runCli(['screenshot'], { XDG_CONFIG_HOME: configHome('{\n "quality": 500\n}') }),
      /config\.json:2:2: "quality": 500: --quality must be a whole number from 1 to 100/,
    );
  });
});

describe('arguments that mean what the README says', () => {
  it('run --xvfb "task" and run --secret NAME "task" keep the task', async () => {
    const server = await serve([{ message: 'ok' }]);
    const xvfb = await runCli([
      'run',
      '--xvfb',
      'Open the settings',
      '--base-url',
      server.url,
      '--no-record',
      '--dry-run',
    ]);
    expect(xvfb.code, xvfb.stderr).toBe(0);
    expect(xvfb.stderr).toMatch(/task Open the settings \(lightcone .*, display :\d+\)/);
    const second = await serve([{ message: 'ok' }]);
    const secret = await runCli(
      [
        'run',
        '--display',
        display.name,
        '--secret',
        'LOGIN',
        'Log in',
        '--base-url',
        second.url,
        '--no-record',
        '--dry-run',
      ],
      { LOGIN: 'hunter2-secret' },
    );
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stderr).toContain('task Log in');
  });

  it('names an unknown flag before the task, and asks to quote an unquoted task', async () => {
    usage(await runCli(['run', '--bogus', 'Open the settings']), 'unknown option --bogus');
    usage(
      await runCli(['run', 'Open', 'the', 'settings']),
      'quote it, e.g. deskhand run "Open the settings"',
    );
  });

  it('suggests the command a typo meant', async () => {
    const result = await runCli(['screenshto']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Did you mean screenshot\?/);
  });

  it('screenshot --out - writes the image to stdout; --out x.jpg writes JPEG', async () => {
    const child = startCli(['screenshot', '--display', display.name, '--out', '-']);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    const image = Buffer.concat(chunks);
    expect((await sharp(image).metadata()).format).toBe('png');
    const out = join(temp(), 'shot.jpg');
    expect((await runCli(['screenshot', '--display', display.name, '--out', out])).code).toBe(0);
    expect((await sharp(out).metadata()).format).toBe('jpeg');
    usage(
      await runCli(['screenshot', '--display', display.name, '--out', out, '--format', 'png']),
      'make them agree',
    );
  });

  it('act - reads the actions from stdin; no action at all is exit 2', async () => {
    const child = startCli(['act', '--display', display.name, '-']);
    child.stdin.end(
      '{"type":"wait","ms":1}\n{"type":"mouse_move","x":5,"y":6}\n'.replace('mouse_move', 'move'),
    );
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    const empty = startCli(['act', '--display', display.name, '-']);
    empty.stdin.end('');
    usage(await collect(empty), 'no actions given');
  });

  it('--task-file takes a task too long for a command line, from a file or stdin', async () => {
    const task = `Type this: ${'x'.repeat(1024 * 1024)}`;
    const file = join(temp(), 'task.txt');
    writeFileSync(file, task);
    const server = await serve([{ message: 'read' }]);
    const result = await runCli([
      'run',
      '--task-file',
      file,
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--no-record',
      '--dry-run',
    ]);
    expect(result.code, result.stderr.slice(0, 300)).toBe(0);
    const sent = (server.requests[0]?.body as { input: { content: { text?: string }[] }[] }).input[0]
      ?.content[0]?.text;
    expect(sent).toBe(task);
    const second = await serve([{ message: 'read' }]);
    const child = startCli([
      'run',
      '--task-file',
      '-',
      '--display',
      display.name,
      '--base-url',
      second.url,
      '--no-record',
      '--dry-run',
    ]);
    child.stdin.end('From stdin');
    expect((await collect(child)).code).toBe(0);
    expect(JSON.stringify(second.requests[0]?.body)).toContain('From stdin');
  });

  it.each([
    [['screenshot', '--max-edge', '0'], '--max-edge must be a whole number, 16 or more, got 0'],
    [['screenshot', '--quality', '500'], '--quality must be a whole number from 1 to 100, got 500'],
    [['run', 'x', '--scale-factor', '0'], '--scale-factor must be more than 0, got 0'],
    [['run', 'x', '--token-budget', 'abc'], '--token-budget must be a number, got'],
    [['run', 'x', '--token-budget', '-5'], '--token-budget must be a whole number, 1 or more, got -5'],
    [
      ['run', 'x', '--keep-screenshots', '-1'],
      '--keep-screenshots must be a whole number, 1 or more, got -1',
    ],
    [['run', 'x', '--max-steps', '1.5'], '--max-turns must be a whole number, 1 or more, got 1.5'],
    [
      ['run', 'x', '--xvfb', '10x10', '--base-url', 'http://127.0.0.1:9'],
      '--xvfb 10x10: the size must be from 320x200',
    ],
    [['screenshot', '--display', ':987'], 'no X server answers on display :987'],
  ])('%j is a usage error: %s', async (args, message) => {
    usage(await runCli(args), message);
  });
});

describe('saying what happens', () => {
  it('--json writes a JSON ending when the run cannot start', async () => {
    const result = await runCli([
      'run',
      'x',
      '--display',
      ':987',
      '--json',
      '--base-url',
      'http://127.0.0.1:9',
    ]);
    expect(result.code).toBe(2);
    const event = JSON.parse(result.stdout.trim()) as { type: string; exitCode: number; message: string };
    expect(event).toMatchObject({ type: 'run.failed', exitCode: 2 });
    expect(event.message).toContain('no X server answers on display :987');
  });

  it('--xvfb-start starts a program on the private display before the first screenshot', async () => {
    const server = await serve([{ message: 'seen' }]);
    const root = temp();
    const result = await runCli([
      'run',
      'Look at the terminal',
      '--xvfb',
      '640x480',
      '--xvfb-start',
      'xterm -geometry 80x24+0+0 -bg white',
      '--base-url',
      server.url,
      '--record',
      root,
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [dir] = readdirSync(root);
    const { run } = await readRunRecord(join(root, dir!));
    expect(run.status).toBe('finished');
    const first = join(root, dir!, 'screenshots', readdirSync(join(root, dir!, 'screenshots')).sort()[0]!);
    const { data } = await sharp(first).greyscale().raw().toBuffer({ resolveWithObject: true });
    const white = data.filter((value) => value > 240).length / data.length;
    // The white xterm covers a good part of an otherwise black screen.
    expect(white).toBeGreaterThan(0.2);
  });
});
