/**
 * The one key-name normalizer of deskhand. Models mix dialects (xdotool/X keysyms, Playwright,
 * OpenAI, short forms) and spellings ("ctrl+c", ["CTRL+C"], ['["ctrl","c"]']); everything past the
 * wire speaks only the canonical names below: lowercase named keys, or one printable character.
 */

export const MODIFIER_KEYS = ['shift', 'ctrl', 'alt', 'meta'] as const;
export type ModifierKey = (typeof MODIFIER_KEYS)[number];

/** Every canonical name that is not a single character. */
export const NAMED_KEYS = [
  ...MODIFIER_KEYS,
  'enter',
  'tab',
  'escape',
  'backspace',
  'delete',
  'insert',
  'space',
  'home',
  'end',
  'pageup',
  'pagedown',
  'up',
  'down',
  'left',
  'right',
  'capslock',
  'numlock',
  'scrolllock',
  'printscreen',
  'pause',
  'menu',
  'kp_enter',
  ...['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12'],
  ...['f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19', 'f20', 'f21', 'f22', 'f23', 'f24'],
] as const;
export type NamedKey = (typeof NAMED_KEYS)[number];

/**
 * Canonical name -> the other names for it. Matching ignores case, "_", "-" and spaces, so `Page_Up`,
 * `PageUp` and `page-up` are all `pageup`; aliases are space-separated, each in any of those spellings.
 */
const ALIASES: Record<string, string> = {
  shift: 'Shift_L Shift_R ShiftLeft ShiftRight LeftShift RightShift lshift rshift',
  ctrl:
    'control ctl Control_L Control_R ControlLeft ControlRight LeftControl RightControl ' +
    'Ctrl_L Ctrl_R LeftCtrl RightCtrl lctrl rctrl',
  alt: 'option opt Alt_L Alt_R AltLeft AltRight LeftAlt RightAlt lalt ralt',
  meta:
    'super win windows cmd command os Super_L Super_R Meta_L Meta_R MetaLeft MetaRight OSLeft OSRight ' +
    'LeftMeta RightMeta LeftSuper RightSuper LeftWin RightWin lwin rwin LeftCmd RightCmd lcmd rcmd',
  enter: 'Return',
  kp_enter: 'NumpadEnter',
  escape: 'esc',
  backspace: 'BackSpace bksp',
  delete: 'del',
  insert: 'ins',
  space: 'spacebar',
  pageup: 'Page_Up pgup Prior',
  pagedown: 'Page_Down pgdn pgdown Next',
  up: 'ArrowUp UpArrow',
  down: 'ArrowDown DownArrow',
  left: 'ArrowLeft LeftArrow',
  right: 'ArrowRight RightArrow',
  capslock: 'Caps_Lock caps',
  numlock: 'Num_Lock',
  scrolllock: 'Scroll_Lock',
  printscreen: 'Print PrtSc PrtScr PrintScr',
  menu: 'ContextMenu apps',
  // Punctuation by X keysym name, Playwright code name, or common word.
  '!': 'exclam exclamation',
  '@': 'at',
  '#': 'numbersign hash',
  $: 'dollar',
  '%': 'percent',
  '^': 'asciicircum caret',
  '&': 'ampersand',
  '*': 'asterisk',
  '(': 'parenleft',
  ')': 'parenright',
  '-': 'minus hyphen',
  _: 'underscore',
  '=': 'equal equals',
  '+': 'plus',
  '[': 'bracketleft',
  ']': 'bracketright',
  '{': 'braceleft',
  '}': 'braceright',
  '\\': 'backslash',
  '|': 'bar pipe',
  ';': 'semicolon',
  ':': 'colon',
  "'": 'apostrophe quote quoteright',
  '"': 'quotedbl doublequote',
  '`': 'grave backquote backtick quoteleft',
  '~': 'asciitilde tilde',
  ',': 'comma',
  '.': 'period dot',
  '<': 'less',
  '>': 'greater',
  '/': 'slash',
  '?': 'question',
};

/** A raw name that is one of these whitespace characters names its key (trimming would erase it). */
const WHITESPACE_KEYS = new Map([
  [' ', 'space'],
  ['\t', 'tab'],
  ['\n', 'enter'],
  ['\r', 'enter'],
]);

function aliasKey(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

const LOOKUP = buildLookup();

function buildLookup(): Map<string, string> {
  const lookup = new Map<string, string>();
  const add = (alias: string, canonical: string) => {
    const key = aliasKey(alias);
    const existing = lookup.get(key);
    if (existing !== undefined && existing !== canonical) {
      throw new Error(`key alias "${alias}" names both "${existing}" and "${canonical}"`);
    }
    lookup.set(key, canonical);
  };
  for (const name of NAMED_KEYS) add(name, name);
  for (const [canonical, aliases] of Object.entries(ALIASES))
    for (const alias of aliases.split(' ')) add(alias, canonical);
  // Playwright code names for letters and digits: KeyA, Digit1.
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') add(`key${letter}`, letter);
  for (const digit of '0123456789') add(`digit${digit}`, digit);
  return lookup;
}

const ACCEPTED =
  `${NAMED_KEYS.filter((name) => !/^f\d+$/.test(name)).join(', ')}, f1..f24 ` +
  '(case-insensitive; aliases such as Return, Control, cmd, super, option, esc, ArrowUp, Page_Up, pgdn, ' +
  'and punctuation names such as plus, comma, exclam, bracketleft are accepted too)';

/** An unusable key name or key list; `key` is the offending name (or the input, shown as JSON). */
export class KeyNameError extends Error {
  override readonly name = 'KeyNameError';

  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
  }
}

export function isModifier(key: string): key is ModifierKey {
  return (MODIFIER_KEYS as readonly string[]).includes(key);
}

/** The canonical name of one key name in any dialect; throws KeyNameError if it names no key. */
export function normalizeKey(name: string): string {
  if (typeof name !== 'string') {
    throw new KeyNameError(`key names must be strings, got ${describe(name)}`, describe(name));
  }
  const whitespace = WHITESPACE_KEYS.get(name);
  if (whitespace !== undefined) return whitespace;
  const trimmed = name.trim().normalize('NFC');
  if (trimmed === '') {
    throw new KeyNameError(`empty key name: expected a single character or one of: ${ACCEPTED}`, name);
  }
  const chars = Array.from(trimmed);
  if (chars.length === 1) {
    if (/^\p{C}$/u.test(trimmed)) {
      throw new KeyNameError(
        `key ${describe(trimmed)} is a control or unassigned character, not a key: ` +
          `expected a single printable character or one of: ${ACCEPTED}`,
        trimmed,
      );
    }
    // A key, not text: "A" is the a key (add shift to get a capital).
    return /^[A-Z]$/.test(trimmed) ? trimmed.toLowerCase() : trimmed;
  }
  const canonical = LOOKUP.get(aliasKey(trimmed));
  if (canonical === undefined) {
    throw new KeyNameError(
      `unknown key ${describe(trimmed)}: expected a single character or one of: ${ACCEPTED}`,
      trimmed,
    );
  }
  return canonical;
}

/**
 * Canonical names, in order, of a key list in any of the seen forms: ["ctrl","c"], "ctrl+c",
 * ["CTRL+C"], ['["ctrl","c"]'] (or a JSON list as the whole string). "+" alone and "ctrl++" mean the
 * plus key. Throws KeyNameError (and nothing else) on an empty list, a non-string, or an unknown name.
 */
export function normalizeKeys(input: unknown): string[] {
  const keys = collect(input, input);
  if (keys.length === 0) {
    throw new KeyNameError(
      `no keys given in ${describe(input)}: expected a list of key names such as ["ctrl", "c"] or a string such as "ctrl+c"`,
      describe(input),
    );
  }
  return keys;
}

/** Lists may nest this deep: a list of JSON-encoded lists is 2; more is not a key list. */
const MAX_NESTING = 3;

function collect(value: unknown, whole: unknown, depth = 0): string[] {
  if (Array.isArray(value) && depth < MAX_NESTING) {
    return value.flatMap((item) => collect(item, whole, depth + 1));
  }
  if (typeof value !== 'string') {
    throw new KeyNameError(
      `keys must be a list of key names such as ["ctrl", "c"] or a string such as "ctrl+c", got ${describe(whole)}`,
      describe(value),
    );
  }
  const list = parseJsonList(value);
  if (list !== undefined) return collect(list, whole, depth);
  return splitCombo(value).map((name) => {
    if (name.trim() === '' && !WHITESPACE_KEYS.has(name)) {
      throw new KeyNameError(
        `empty key name in ${describe(value)}: expected key names joined by "+" such as "ctrl+c" ` +
          '(the plus key itself is "+" or "plus", as in "ctrl++")',
        name,
      );
    }
    return normalizeKey(name);
  });
}

/** The array a string encodes as JSON, if it is one ("[" alone is the bracket key, not JSON). */
function parseJsonList(value: string): unknown[] | undefined {
  if (!value.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** "ctrl+shift+t" -> names; a "+" where a name should start is the plus key itself ("ctrl++", "+"). */
function splitCombo(combo: string): string[] {
  if (WHITESPACE_KEYS.has(combo)) return [combo];
  const names: string[] = [];
  let start = 0;
  for (;;) {
    let end = start;
    while (end < combo.length && /\s/.test(combo[end] as string)) end++;
    if (combo[end] === '+') end++;
    const next = combo.indexOf('+', end);
    if (next === -1) {
      names.push(combo.slice(start));
      return names;
    }
    names.push(combo.slice(start, next));
    start = next + 1;
  }
}

/** A value as JSON for a message, cut short so a huge input cannot flood the log. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    try {
      text = String(value);
    } catch {
      text = `an unprintable ${typeof value}`;
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
