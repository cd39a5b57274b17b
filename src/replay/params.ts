import type { Action } from '../protocol/actions.js';
import type { Script } from './script.js';

/**
 * Parameters: a script's typed text may hold `{{NAME}}` (a run's --secret, or a value `run --cache
 * --param NAME=value` turned into its placeholder when it stored the script), filled at replay time
 * from `--param NAME=value` or a secret. The script and the records keep the placeholder.
 */
const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

export class ParamError extends Error {
  override name = 'ParamError';
}

/** `NAME=value` strings -> a map; a usage error names a malformed one. */
export function parseParams(values: readonly string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const value of values ?? []) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
    if (!match)
      throw new ParamError(
        `--param ${JSON.stringify(value)}: expected NAME=value, e.g. --param CUSTOMER=Acme`,
      );
    params[match[1]!] = match[2]!;
  }
  return params;
}

/** The text an action types, if any. */
function textOf(action: Action): string | undefined {
  if (action.type === 'type' || action.type === 'point_and_type') return action.text;
  if (action.type === 'navigate') return action.url;
  return undefined;
}

/** Every placeholder name the script's steps use. */
export function placeholdersOf(script: Script): string[] {
  const names = new Set<string>();
  for (const step of script.steps)
    for (const match of (textOf(step.action) ?? '').matchAll(PLACEHOLDER)) names.add(match[1]!);
  return [...names];
}

/** Checks that every placeholder has a value, before anything is done; names the missing ones. */
export function checkParams(script: Script, values: Record<string, string>): void {
  const missing = placeholdersOf(script).filter((name) => values[name] === undefined);
  if (missing.length > 0)
    throw new ParamError(
      `the script types ${missing.map((name) => `{{${name}}}`).join(', ')}: give ${missing
        .map((name) => `--param ${name}=...`)
        .join(' ')} (or --secret ${missing[0]} for a value from the environment)`,
    );
}

/** `{{NAME}}` replaced by its value (an unknown name stays as it is). */
export function fillText(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** The action as performed: placeholders replaced by their values. */
export function fillParams(action: Action, values: Record<string, string>): Action {
  const fill = (text: string) => fillText(text, values);
  if (action.type === 'type' || action.type === 'point_and_type')
    return { ...action, text: fill(action.text) };
  if (action.type === 'navigate') return { ...action, url: fill(action.url) };
  return action;
}

/** The action as stored: each parameter's value in typed text replaced by its placeholder. */
export function toPlaceholders(action: Action, values: Record<string, string>): Action {
  // Longest values first, so a value containing another is replaced whole.
  const entries = Object.entries(values)
    .filter(([, value]) => value.length > 0)
    .sort((a, b) => b[1].length - a[1].length);
  const swap = (text: string) =>
    entries.reduce((out, [name, value]) => out.split(value).join(`{{${name}}}`), text);
  if (action.type === 'type' || action.type === 'point_and_type')
    return { ...action, text: swap(action.text) };
  if (action.type === 'navigate') return { ...action, url: swap(action.url) };
  return action;
}
