import { createRequire } from 'node:module';
import type { Key } from '@nut-tree-fork/nut-js';
import type { NamedKey } from '../../src/protocol/keys.js';

type KeyName = keyof typeof Key;

/** Canonical named keys -> nut-js keys. `pause` is missing: nut-js maps Key.Pause to nothing. */
const NAMED: Record<Exclude<NamedKey, 'pause'>, KeyName> = {
  shift: 'LeftShift',
  ctrl: 'LeftControl',
  alt: 'LeftAlt',
  meta: 'LeftSuper',
  // Key.Enter is the keypad Enter (KP_Enter on X11); the main Enter key is Key.Return.
  enter: 'Return',
  kp_enter: 'Enter',
  tab: 'Tab',
  escape: 'Escape',
  backspace: 'Backspace',
  delete: 'Delete',
  insert: 'Insert',
  space: 'Space',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  capslock: 'CapsLock',
  numlock: 'NumLock',
  scrolllock: 'ScrollLock',
  printscreen: 'Print',
  menu: 'Menu',
  f1: 'F1',
  f2: 'F2',
  f3: 'F3',
  f4: 'F4',
  f5: 'F5',
  f6: 'F6',
  f7: 'F7',
  f8: 'F8',
  f9: 'F9',
  f10: 'F10',
  f11: 'F11',
  f12: 'F12',
  f13: 'F13',
  f14: 'F14',
  f15: 'F15',
  f16: 'F16',
  f17: 'F17',
  f18: 'F18',
  f19: 'F19',
  f20: 'F20',
  f21: 'F21',
  f22: 'F22',
  f23: 'F23',
  f24: 'F24',
};

/** Single-character keys of a US layout that nut-js has a key for (unshifted, plus the keypad's + and *). */
const CHARACTERS: Record<string, KeyName> = {
  a: 'A',
  b: 'B',
  c: 'C',
  d: 'D',
  e: 'E',
  f: 'F',
  g: 'G',
  h: 'H',
  i: 'I',
  j: 'J',
  k: 'K',
  l: 'L',
  m: 'M',
  n: 'N',
  o: 'O',
  p: 'P',
  q: 'Q',
  r: 'R',
  s: 'S',
  t: 'T',
  u: 'U',
  v: 'V',
  w: 'W',
  x: 'X',
  y: 'Y',
  z: 'Z',
  '0': 'Num0',
  '1': 'Num1',
  '2': 'Num2',
  '3': 'Num3',
  '4': 'Num4',
  '5': 'Num5',
  '6': 'Num6',
  '7': 'Num7',
  '8': 'Num8',
  '9': 'Num9',
  '`': 'Grave',
  '-': 'Minus',
  '=': 'Equal',
  '[': 'LeftBracket',
  ']': 'RightBracket',
  '\\': 'Backslash',
  ';': 'Semicolon',
  "'": 'Quote',
  ',': 'Comma',
  '.': 'Period',
  '/': 'Slash',
  // No main-keyboard key types these unshifted; the keypad's do, and ctrl++ zooms in either way.
  '+': 'Add',
  '*': 'Multiply',
};

/** The nut-js key for a canonical key name (see normalizeKeys in src/protocol/keys.ts). */
export function nutKeyFor(key: string): Key {
  const name = keyNameFor(key);
  if (name !== undefined) return nutKeys()[name];
  if (key === 'pause') {
    throw new Error(
      'nut-js cannot press "pause": its key table maps Pause to nothing (on Linux, the x11 input driver can)',
    );
  }
  if (Array.from(key).length === 1) {
    throw new Error(
      `nut-js has no key for ${JSON.stringify(key)}: it presses only unshifted US-layout keys; ` +
        'send text with the type action, or press the unshifted key with shift (e.g. shift+1 for "!")',
    );
  }
  throw new Error(
    `nut-js has no key for ${JSON.stringify(key)}: expected a canonical key name from normalizeKeys ` +
      '(src/protocol/keys.ts), such as "enter", "ctrl", "f5" or a single character',
  );
}

function keyNameFor(key: string): KeyName | undefined {
  if (Object.hasOwn(NAMED, key)) return NAMED[key as keyof typeof NAMED];
  if (Object.hasOwn(CHARACTERS, key)) return CHARACTERS[key];
  return undefined;
}

let keys: typeof Key | undefined;

/**
 * The Key enum, loaded on first use: importing nut-js loads its native library, which NutInput.open
 * loads lazily (with a helpful error) so the x11 driver keeps working where that library cannot load.
 */
function nutKeys(): typeof Key {
  keys ??= (createRequire(import.meta.url)('@nut-tree-fork/nut-js') as typeof import('@nut-tree-fork/nut-js'))
    .Key;
  return keys;
}
