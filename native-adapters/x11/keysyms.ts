import type { NamedKey } from '../../src/protocol/keys.js';

/** X keysyms (X11/keysymdef.h) of the canonical named keys; modifiers are the left-hand keys. */
const NAMED_KEYSYMS: Record<NamedKey, number> = {
  shift: 0xffe1, // Shift_L
  ctrl: 0xffe3, // Control_L
  alt: 0xffe9, // Alt_L
  meta: 0xffeb, // Super_L: what desktops bind the Windows/Command key to
  enter: 0xff0d, // Return (the main Enter key)
  kp_enter: 0xff8d, // KP_Enter
  tab: 0xff09,
  escape: 0xff1b,
  backspace: 0xff08,
  delete: 0xffff,
  insert: 0xff63,
  space: 0x0020,
  home: 0xff50,
  end: 0xff57,
  pageup: 0xff55, // Prior
  pagedown: 0xff56, // Next
  left: 0xff51,
  up: 0xff52,
  right: 0xff53,
  down: 0xff54,
  capslock: 0xffe5,
  numlock: 0xff7f,
  scrolllock: 0xff14,
  printscreen: 0xff61, // Print
  pause: 0xff13,
  menu: 0xff67,
  f1: 0xffbe,
  f2: 0xffbf,
  f3: 0xffc0,
  f4: 0xffc1,
  f5: 0xffc2,
  f6: 0xffc3,
  f7: 0xffc4,
  f8: 0xffc5,
  f9: 0xffc6,
  f10: 0xffc7,
  f11: 0xffc8,
  f12: 0xffc9,
  f13: 0xffca,
  f14: 0xffcb,
  f15: 0xffcc,
  f16: 0xffcd,
  f17: 0xffce,
  f18: 0xffcf,
  f19: 0xffd0,
  f20: 0xffd1,
  f21: 0xffd2,
  f22: 0xffd3,
  f23: 0xffd4,
  f24: 0xffd5,
};

/** Control characters that text may contain, typed as the key that produces them. */
const CONTROL_KEYSYMS: Record<string, number> = {
  '\n': 0xff0d, // Return
  '\r': 0xff0d,
  '\t': 0xff09, // Tab
  '\b': 0xff08, // BackSpace
};

/**
 * The X keysym of one Unicode character (one code point, which may be outside the BMP): Latin-1
 * printables are their own keysym, everything else the Unicode keysym 0x01000000 + code point.
 */
export function charToKeysym(char: string): number {
  const codePoint = char.codePointAt(0);
  if (codePoint === undefined || String.fromCodePoint(codePoint) !== char) {
    throw new Error(`charToKeysym needs exactly one character, got ${JSON.stringify(char)}`);
  }
  const control = CONTROL_KEYSYMS[char];
  if (control !== undefined) return control;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
    throw new Error(
      `cannot type a lone UTF-16 surrogate (\\u${codePoint.toString(16)}): the text is not valid Unicode`,
    );
  }
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return 0x01000000 + codePoint;
}

/** The X keysym of a canonical key name (see normalizeKeys in src/protocol/keys.ts). */
export function keysymForKey(key: string): number {
  const named = Object.hasOwn(NAMED_KEYSYMS, key) ? NAMED_KEYSYMS[key as NamedKey] : undefined;
  if (named !== undefined) return named;
  if (Array.from(key).length === 1) return charToKeysym(key);
  throw new Error(
    `no X keysym for key ${JSON.stringify(key)}: expected a canonical key name from normalizeKeys ` +
      '(src/protocol/keys.ts), such as "enter", "ctrl", "f5" or a single character',
  );
}
