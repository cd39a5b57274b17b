import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { UsageError } from './exit-codes.js';
import { problemWith } from './option-rules.js';

/*
 * Settings from outside the command line: the default config file, `--config FILE` and DESKHAND_*
 * variables (lowest precedence first; the command line wins over all). Each command takes the settings
 * of the options it declares and ignores the rest, so `{"maxSteps": 20}` in the config file does not
 * break `deskhand screenshot`. A value is checked against its option before the command runs, and an
 * error names where the value came from: the variable, or the file with its line and column.
 */

/** One value and where it came from, e.g. `DESKHAND_MAX_STEPS` or `/home/me/.config/deskhand/config.json:2:3`. */
export interface Setting {
  /** The option's name with dashes, e.g. `max-steps`. */
  option: string;
  value: unknown;
  source: string;
}

type Kind = 'string' | 'number' | 'boolean' | 'array';

interface YargsOptions {
  key: Record<string, boolean>;
  array: string[];
  boolean: string[];
  number: string[];
  choices: Record<string, unknown[]>;
}

/** The default config file's path: $XDG_CONFIG_HOME/deskhand/config.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'deskhand', 'config.json');
}

/** `maxSteps` / `max_steps` / `MAX_STEPS` -> `max-steps`. */
export function dashed(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** The value of `--config FILE` (or `--config=FILE`) on the command line, if any. */
export function configFlag(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === '--') return undefined;
    if (arg === '--config') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('-'))
        throw new UsageError('--config needs a file: --config FILE (a JSON object of options)');
      return value;
    }
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** The default file (when it exists), then --config FILE (which must), then the DESKHAND_* variables. */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Setting[] {
  const settings: Setting[] = [];
  const home = defaultConfigPath(env);
  if (existsSync(home)) settings.push(...readConfigFile(home, 'the config file'));
  const flag = configFlag(argv);
  if (flag !== undefined) {
    if (!existsSync(flag)) throw new UsageError(`--config ${flag}: no such file`);
    settings.push(...readConfigFile(flag, '--config'));
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('DESKHAND_') || value === undefined) continue;
    settings.push({ option: dashed(name.slice('DESKHAND_'.length)), value, source: name });
  }
  return settings;
}

/** A JSON object of options; a syntax error names its line and column. */
function readConfigFile(path: string, what: string): Setting[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const at = position === undefined ? '' : `:${lineAndColumn(text, Number(position))}`;
    throw new UsageError(
      `${path}${at}: not valid JSON (${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}); fix it or remove it`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const got = Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed);
    throw new UsageError(`${path}: must be a JSON object of options like {"maxTurns": 20}, not ${got}`);
  }
  return Object.entries(parsed).map(([key, value]) => {
    const found = text.indexOf(JSON.stringify(key));
    return { option: dashed(key), value, source: `${path}:${lineAndColumn(text, Math.max(0, found))}` };
  });
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The options a command declares, by dashed name, with their kind and choices. */
export function optionsOf(command: CommandModule): Map<string, { kind: Kind; choices?: unknown[] }> {
  const probe = yargs([]);
  if (typeof command.builder === 'function') (command.builder as (y: Argv) => unknown)(probe);
  // getOptions() is public in yargs but missing from its type definitions.
  const declared = (probe as unknown as { getOptions(): YargsOptions }).getOptions();
  const options = new Map<string, { kind: Kind; choices?: unknown[] }>();
  for (const name of Object.keys(declared.key)) {
    if (name === 'help' || name === 'version') continue;
    const kind: Kind = declared.array.includes(name)
      ? 'array'
      : declared.boolean.includes(name)
        ? 'boolean'
        : declared.number.includes(name)
          ? 'number'
          : 'string';
    options.set(name, { kind, choices: declared.choices[name] });
  }
  return options;
}

/** The settings that apply to the command, as its options' values; later settings win. */
export function settingsFor(command: CommandModule, settings: readonly Setting[]): Record<string, unknown> {
  const options = optionsOf(command);
  const values: Record<string, unknown> = {};
  for (const setting of settings) {
    const option = options.get(setting.option);
    if (!option) continue;
    const value = coerce(setting, option.kind);
    const problem =
      option.choices && !option.choices.includes(value)
        ? `must be one of ${option.choices.join(', ')}`
        : problemWith(setting.option, value);
    if (problem) throw new UsageError(`${describe(setting)}: --${setting.option} ${problem}`);
    values[setting.option] = value;
  }
  return values;
}

/** Config-file keys no command knows: most likely a typo, worth a warning. */
export function unknownSettings(commands: CommandModule[], settings: readonly Setting[]): Setting[] {
  const known = new Set(commands.flatMap((command) => [...optionsOf(command).keys()]));
  return settings.filter((setting) => !setting.source.startsWith('DESKHAND_') && !known.has(setting.option));
}

function describe(setting: Setting): string {
  return setting.source.startsWith('DESKHAND_')
    ? `${setting.source}=${JSON.stringify(setting.value)}`
    : `${setting.source}: "${setting.option}": ${JSON.stringify(setting.value)}`;
}

/** A variable's text as the option's kind (a config file's JSON must have the kind already). */
function coerce(setting: Setting, kind: Kind): unknown {
  const { value } = setting;
  const fromVariable = typeof value === 'string' && setting.source.startsWith('DESKHAND_');
  const wrong = (what: string) => new UsageError(`${describe(setting)}: --${setting.option} takes ${what}`);
  switch (kind) {
    case 'number': {
      const number = fromVariable && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) throw wrong('a number');
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (fromVariable && /^(1|true|yes|on)$/i.test(value)) return true;
      if (fromVariable && /^(0|false|no|off)$/i.test(value)) return false;
      throw wrong('true or false');
    case 'array':
      if (fromVariable)
        return value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean);
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
      throw wrong('a list of strings');
    default:
      // `record: false` (--no-record) is the one string option that may be switched off.
      if (fromVariable && /^(0|false|no|off)$/i.test(value) && setting.option === 'record') return false;
      if (value === false && setting.option === 'record') return false;
      if (typeof value !== 'string' && typeof value !== 'number') throw wrong('a text');
      if (String(value).trim() === '') throw wrong('a non-empty value');
      return String(value);
  }
}
