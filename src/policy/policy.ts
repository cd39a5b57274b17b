import type { Action } from '../protocol/actions.js';
import { normalizeKey, normalizeKeys } from '../protocol/keys.js';
import { compilePattern, hostOf, inDomain } from './match.js';
import type { ConfirmRule, PolicyFile, WindowRule } from './schema.js';

/** The window an action reaches, as the policy sees it (native-adapters/x11/window-info.ts finds it). */
export interface TargetWindow {
  wmClass: string[];
  title: string;
}

export type Decision =
  | { verdict: 'allow' }
  /** Not performed; `reason` is what the model is told, `rule` the policy field that decided. */
  | { verdict: 'refuse'; rule: string; reason: string }
  /** Performed only after a person says yes. */
  | { verdict: 'confirm'; rule: string; question: string };

/**
 * Key chords refused unless the policy sets `keys.defaultDeny: false`: the ones that end a session or
 * leave it (Ctrl+Alt+Delete logs out or reboots, Ctrl+Alt+Backspace kills the X server, Ctrl+Alt+F1..F12
 * switch to a text console, Super+L locks the screen), which no task on a shared desk needs.
 */
export const DEFAULT_DENIED_CHORDS = [
  'ctrl+alt+delete',
  'ctrl+alt+backspace',
  ...Array.from({ length: 12 }, (_, i) => `ctrl+alt+f${i + 1}`),
  'meta+l',
];

/** Which window an action reaches: the one under its point, the focused one, or none. */
export function targetOf(action: Action): 'pointer' | 'keyboard' | 'none' {
  switch (action.type) {
    case 'click':
    case 'move':
    case 'drag':
    case 'point_and_type':
      return 'pointer';
    case 'scroll':
    case 'mouse_down':
    case 'mouse_up':
      return action.x !== undefined ? 'pointer' : 'keyboard';
    case 'type':
    case 'keypress':
    case 'key_down':
    case 'key_up':
    case 'navigate':
      return 'keyboard';
    default:
      return 'none';
  }
}

const describeWindow = (w: TargetWindow | undefined) =>
  w
    ? `${w.title ? JSON.stringify(w.title) : 'a window with no title'} (WM_CLASS ${w.wmClass.join('/') || 'unset'})`
    : 'the bare desktop (no application window)';

/** The checks of a policy file, in order: windows, keys, text length, navigate, then confirm. */
export class Policy {
  /** Keys the model holds with key_down: part of every later chord. */
  private readonly held = new Set<string>();
  private readonly deniedChords: { chord: string; keys: string[]; rule: string }[];

  constructor(readonly file: PolicyFile) {
    const defaults = file.keys?.defaultDeny === false ? [] : DEFAULT_DENIED_CHORDS;
    this.deniedChords = [
      ...defaults.map((chord) => ({ chord, keys: normalizeKeys(chord), rule: 'keys (default deny list)' })),
      ...(file.keys?.deny ?? []).map((chord, i) => ({
        chord,
        keys: normalizeKeys(chord),
        rule: `keys.deny[${i}]`,
      })),
    ];
  }

  /** Whether deciding on this action needs the window it reaches. */
  needsWindow(action: Action): boolean {
    if (targetOf(action) === 'none') return false;
    return Boolean(this.file.windows || this.file.confirm?.some((rule) => rule.window));
  }

  /** `windows`: the windows the action reaches (one per point; the focused one for keys). */
  decide(action: Action, windows: (TargetWindow | undefined)[]): Decision {
    return (
      this.checkWindows(windows) ??
      this.checkKeys(action) ??
      this.checkNavigate(action) ??
      this.checkConfirm(action, windows) ?? { verdict: 'allow' }
    );
  }

  /** After an action was performed: keys held by key_down count in later chords. */
  performed(action: Action): void {
    if (action.type === 'key_down') for (const key of action.keys) this.held.add(safeKey(key));
    if (action.type === 'key_up') for (const key of action.keys) this.held.delete(safeKey(key));
  }

  /** Held input was released (a takeover, the end): nothing is held any more. */
  released(): void {
    this.held.clear();
  }

  private checkWindows(windows: (TargetWindow | undefined)[]): Decision | undefined {
    const rules = this.file.windows;
    if (!rules) return undefined;
    for (const window of windows) {
      const denied = (rules.deny ?? []).findIndex((rule) => windowMatches(rule, window));
      if (denied >= 0)
        return {
          verdict: 'refuse',
          rule: `windows.deny[${denied}]`,
          reason: `the policy does not allow actions on ${describeWindow(window)} (windows.deny[${denied}])`,
        };
      if (rules.allow && !rules.allow.some((rule) => windowMatches(rule, window)))
        return {
          verdict: 'refuse',
          rule: 'windows.allow',
          reason: `the policy allows actions only on the windows it lists (windows.allow), and ${describeWindow(window)} is not one of them`,
        };
    }
    return undefined;
  }

  private checkKeys(action: Action): Decision | undefined {
    const max = this.file.keys?.maxTypeLength;
    const text = action.type === 'type' || action.type === 'point_and_type' ? action.text : undefined;
    if (max !== undefined && text !== undefined && Array.from(text).length > max)
      return {
        verdict: 'refuse',
        rule: 'keys.maxTypeLength',
        reason: `the text is ${Array.from(text).length} characters and the policy allows at most ${max} in one type action (keys.maxTypeLength)`,
      };
    const chords: string[][] = [];
    const held = [...this.held];
    if (action.type === 'keypress' || action.type === 'key_down')
      chords.push([...held, ...action.keys.map(safeKey)]);
    else if ('keys' in action && action.keys && action.type !== 'key_up')
      chords.push([...held, ...action.keys.map(safeKey)]);
    else if (text !== undefined && held.length > 0)
      for (const char of new Set(Array.from(text))) chords.push([...held, safeKey(char)]);
    for (const pressed of chords) {
      const hit = this.deniedChords.find((denied) => denied.keys.every((key) => pressed.includes(key)));
      if (hit)
        return {
          verdict: 'refuse',
          rule: hit.rule,
          reason: `the policy does not allow the key chord ${hit.chord} (${hit.rule})`,
        };
    }
    return undefined;
  }

  private checkNavigate(action: Action): Decision | undefined {
    const rules = this.file.navigate;
    if (!rules || action.type !== 'navigate') return undefined;
    const url = action.url;
    const host = hostOf(url);
    const refuse = (rule: string, why: string): Decision => ({
      verdict: 'refuse',
      rule,
      reason: `the policy does not allow opening ${url}: ${why} (${rule})`,
    });
    const denied = (rules.deny ?? []).findIndex((pattern) => compilePattern(pattern).test(url));
    if (denied >= 0) return refuse(`navigate.deny[${denied}]`, `it matches ${rules.deny?.[denied]}`);
    const deniedDomain = (rules.denyDomains ?? []).findIndex((domain) => host && inDomain(host, domain));
    if (deniedDomain >= 0)
      return refuse(
        `navigate.denyDomains[${deniedDomain}]`,
        `${host} is in ${rules.denyDomains?.[deniedDomain]}`,
      );
    const allowList = [...(rules.allow ?? []), ...(rules.allowDomains ?? [])];
    if (allowList.length === 0) return undefined;
    const allowed =
      (rules.allow ?? []).some((pattern) => compilePattern(pattern).test(url)) ||
      (rules.allowDomains ?? []).some((domain) => host !== undefined && inDomain(host, domain));
    return allowed ? undefined : refuse('navigate.allow', 'it is not on the allowed list');
  }

  private checkConfirm(action: Action, windows: (TargetWindow | undefined)[]): Decision | undefined {
    const index = (this.file.confirm ?? []).findIndex((rule) => confirmMatches(rule, action, windows));
    if (index < 0) return undefined;
    const rule = this.file.confirm?.[index] as ConfirmRule;
    return { verdict: 'confirm', rule: `confirm[${index}]`, question: rule.message ?? '' };
  }
}

function windowMatches(rule: WindowRule, window: TargetWindow | undefined): boolean {
  const wmClass = window?.wmClass ?? [];
  const title = window?.title ?? '';
  if (rule.class !== undefined) {
    const pattern = compilePattern(rule.class);
    if (!wmClass.some((name) => pattern.test(name))) return false;
  }
  if (rule.title !== undefined && !compilePattern(rule.title).test(title)) return false;
  return true;
}

function confirmMatches(rule: ConfirmRule, action: Action, windows: (TargetWindow | undefined)[]): boolean {
  if (rule.action !== undefined) {
    const types: string[] = Array.isArray(rule.action) ? rule.action : [rule.action];
    if (!types.includes(action.type)) return false;
  }
  if (rule.text !== undefined) {
    const text = textOf(action);
    if (text === undefined || !compilePattern(rule.text).test(text)) return false;
  }
  if (rule.window !== undefined) {
    const window = rule.window;
    if (windows.length === 0 || !windows.some((w) => windowMatches(window, w))) return false;
  }
  return true;
}

/** The text a confirm rule's `text` is matched against. */
function textOf(action: Action): string | undefined {
  switch (action.type) {
    case 'type':
    case 'point_and_type':
      return action.text;
    case 'navigate':
      return action.url;
    case 'keypress':
    case 'key_down':
    case 'key_up':
      return action.keys.join('+');
    default:
      return undefined;
  }
}

function safeKey(key: string): string {
  try {
    return normalizeKey(key);
  } catch {
    return key.toLowerCase();
  }
}
