import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DESKHAND, runCli } from '../support/cli.js';

const run = promisify(execFile);

/**
 * What bash offers for each line of words (the last word of each being completed), with the script
 * `deskhand completion` prints sourced once, and `deskhand` on PATH as setup puts it.
 */
async function bashCompletes(lines: string[][]): Promise<string[][]> {
  const bin = mkdtempSync(join(tmpdir(), 'deskhand-path-'));
  symlinkSync(DESKHAND, join(bin, 'deskhand'));
  const script = ['source <(deskhand completion)'];
  for (const words of lines) {
    script.push(
      `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
      '_deskhand_yargs_completions',
      'printf "%s\\n" "${COMPREPLY[@]}" ---',
    );
  }
  const { stdout } = await run('bash', ['-c', script.join('\n')], {
    env: { ...process.env, SHELL: '/bin/bash', PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
  }).finally(() => rmSync(bin, { recursive: true, force: true }));
  return stdout
    .split('---\n')
    .slice(0, lines.length)
    .map((block) => block.split('\n').filter(Boolean));
}

describe('deskhand completion', () => {
  it('prints a bash completion script for deskhand', async () => {
    const result = await runCli(['completion'], { SHELL: '/bin/bash' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'complete -o bashdefault -o default -F _deskhand_yargs_completions deskhand',
    );
    expect(result.stdout).toContain('deskhand --get-yargs-completions');
  });

  it('prints a zsh completion script under zsh', async () => {
    const result = await runCli(['completion'], { SHELL: '/usr/bin/zsh' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.startsWith('#compdef deskhand\n')).toBe(true);
  });

  it('offers the options of a command, --provider among them', async () => {
    const result = await runCli(['--get-yargs-completions', 'run', '--pro'], { SHELL: '/bin/bash' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toContain('--provider');
  });

  it('completes in bash: a command, a run option, and its values', async () => {
    const [command, option, values] = await bashCompletes([
      ['deskhand', 'scr'],
      ['deskhand', 'run', '--pro'],
      ['deskhand', 'run', '--provider', ''],
    ]);
    expect(command).toEqual(['screenshot']);
    expect(option).toEqual(['--provider']);
    expect(values?.sort()).toEqual(['lightcone', 'openai']);
  }, 60_000);
});
