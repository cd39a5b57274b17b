import { Key } from '@nut-tree-fork/nut-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nutKeyFor } from '../../native-adapters/input/nut-keys.js';
import { charToKeysym, keysymForKey } from '../../native-adapters/x11/keysyms.js';
import {
  isModifier,
  KeyNameError,
  MODIFIER_KEYS,
  NAMED_KEYS,
  normalizeKey,
  normalizeKeys,
} from '../../src/protocol/keys.js';

function keyError(input: unknown): KeyNameError {
  try {
    normalizeKeys(input);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyNameError);
    return error as KeyNameError;
  }
  throw new Error(`expected a KeyNameError for ${JSON.stringify(input)}`);
}

function expectAliases(canonical: string, aliases: string[]) {
  for (const alias of aliases) expect(normalizeKey(alias), alias).toBe(canonical);
}

describe('normalizeKey', () => {
  it('maps xdotool / X keysym names', () => {
    expectAliases('enter', ['Return']);
    expectAliases('backspace', ['BackSpace']);
    expectAliases('pageup', ['Page_Up', 'Prior']);
    expectAliases('pagedown', ['Page_Down', 'Next']);
    expectAliases('ctrl', ['Control_L', 'Control_R']);
    expectAliases('shift', ['Shift_L', 'Shift_R']);
    expectAliases('alt', ['Alt_L', 'Alt_R']);
    expectAliases('meta', ['Super_L', 'Super_R', 'Meta_L']);
    expectAliases('escape', ['Escape']);
    expectAliases('delete', ['Delete']);
    expectAliases('kp_enter', ['KP_Enter']);
    expectAliases('printscreen', ['Print']);
    expectAliases('capslock', ['Caps_Lock']);
    expectAliases('scrolllock', ['Scroll_Lock']);
    expectAliases('numlock', ['Num_Lock']);
  });

  it('maps Playwright / OpenAI names', () => {
    expectAliases('enter', ['Enter']);
    expectAliases('escape', ['Escape']);
    expectAliases('up', ['ArrowUp', 'Up']);
    expectAliases('down', ['ArrowDown', 'Down']);
    expectAliases('left', ['ArrowLeft', 'Left']);
    expectAliases('right', ['ArrowRight', 'Right']);
    expectAliases('backspace', ['Backspace']);
    expectAliases('delete', ['Delete']);
    expectAliases('pageup', ['PageUp']);
    expectAliases('pagedown', ['PageDown']);
    expectAliases('ctrl', ['Control', 'ControlLeft']);
    expectAliases('meta', ['Meta', 'MetaLeft']);
    expectAliases('shift', ['Shift', 'ShiftRight']);
    expectAliases('alt', ['Alt']);
    expectAliases('space', ['Space']);
    expectAliases('capslock', ['CapsLock']);
    expectAliases('tab', ['Tab']);
    expectAliases('home', ['Home']);
    expectAliases('end', ['End']);
    expectAliases('insert', ['Insert']);
    expectAliases('menu', ['ContextMenu']);
    expectAliases('kp_enter', ['NumpadEnter']);
    expectAliases('a', ['KeyA']);
    expectAliases('7', ['Digit7']);
    for (let n = 1; n <= 24; n++) expect(normalizeKey(`F${n}`)).toBe(`f${n}`);
  });

  it('maps short forms', () => {
    expectAliases('escape', ['esc']);
    expectAliases('delete', ['del']);
    expectAliases('insert', ['ins']);
    expectAliases('pageup', ['pgup']);
    expectAliases('pagedown', ['pgdn']);
    expectAliases('meta', ['cmd', 'command', 'win', 'windows', 'super', 'os']);
    expectAliases('alt', ['opt', 'option']);
    expectAliases('ctrl', ['ctrl', 'control', 'ctl']);
    expectAliases('enter', ['return']);
    expectAliases('space', ['spacebar']);
  });

  it('ignores case, separators and surrounding whitespace', () => {
    expectAliases('ctrl', ['CTRL', 'Ctrl', 'cOnTrOl', ' ctrl ']);
    expectAliases('pageup', ['PAGE_UP', 'page-up', 'pageUp', 'PgUp']);
    expectAliases('kp_enter', ['kp_enter', 'KP_ENTER', 'kpenter']);
    expectAliases('enter', ['RETURN', 'ENTER']);
  });

  it('keeps single characters as themselves, lowercasing ASCII letters only', () => {
    expect(normalizeKey('A')).toBe('a');
    expect(normalizeKey('z')).toBe('z');
    expect(normalizeKey('5')).toBe('5');
    expect(normalizeKey('é')).toBe('é');
    expect(normalizeKey('É')).toBe('É');
    expect(normalizeKey('e\u0301')).toBe('é');
    expect(normalizeKey('日')).toBe('日');
    expect(normalizeKey('😀')).toBe('😀');
    expect(normalizeKey('!')).toBe('!');
  });

  it('maps punctuation names to the character', () => {
    const names: Record<string, string> = {
      exclam: '!',
      at: '@',
      numbersign: '#',
      dollar: '$',
      percent: '%',
      asciicircum: '^',
      ampersand: '&',
      asterisk: '*',
      parenleft: '(',
      parenright: ')',
      minus: '-',
      underscore: '_',
      equal: '=',
      plus: '+',
      bracketleft: '[',
      bracketright: ']',
      braceleft: '{',
      braceright: '}',
      backslash: '\\',
      bar: '|',
      semicolon: ';',
      colon: ':',
      apostrophe: "'",
      quotedbl: '"',
      grave: '`',
      asciitilde: '~',
      comma: ',',
      period: '.',
      dot: '.',
      less: '<',
      greater: '>',
      slash: '/',
      question: '?',
      quote: "'",
      backquote: '`',
      Comma: ',',
      BracketLeft: '[',
    };
    for (const [name, char] of Object.entries(names)) expect(normalizeKey(name), name).toBe(char);
  });

  it('names a lone whitespace character by its key', () => {
    expect(normalizeKey(' ')).toBe('space');
    expect(normalizeKey('\t')).toBe('tab');
    expect(normalizeKey('\n')).toBe('enter');
  });

  it('rejects unknown names with the name and the accepted names', () => {
    expect(() => normalizeKey('Hyperdrive')).toThrow(KeyNameError);
    try {
      normalizeKey('Hyperdrive');
    } catch (error) {
      const keyError = error as KeyNameError;
      expect(keyError.key).toBe('Hyperdrive');
      expect(keyError.message).toContain('"Hyperdrive"');
      expect(keyError.message).toContain('single character');
      for (const name of ['shift', 'ctrl', 'enter', 'escape', 'pageup', 'f1', 'kp_enter']) {
        expect(keyError.message).toContain(name);
      }
    }
    expect(() => normalizeKey('ab')).toThrow(KeyNameError);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => normalizeKey(name), name).toThrow(KeyNameError);
    }
    expect(() => normalizeKey('x'.repeat(10_000))).toThrow(/\.\.\./);
    expect(() => normalizeKey('\u0007')).toThrow(KeyNameError);
    expect(() => normalizeKey('\ud800')).toThrow(KeyNameError);
  });
});

describe('normalizeKeys', () => {
  it('accepts every seen spelling of a combination alike', () => {
    const expected = ['ctrl', 'c'];
    expect(normalizeKeys('ctrl+c')).toEqual(expected);
    expect(normalizeKeys(['ctrl', 'c'])).toEqual(expected);
    expect(normalizeKeys(['CTRL+C'])).toEqual(expected);
    expect(normalizeKeys(['["ctrl","c"]'])).toEqual(expected);
    expect(normalizeKeys('["ctrl","c"]')).toEqual(expected);
    expect(normalizeKeys(['Control', 'C'])).toEqual(expected);
    expect(normalizeKeys('  ctrl + c  ')).toEqual(expected);
  });

  it('keeps order and flattens mixed forms', () => {
    expect(normalizeKeys('CTRL+SHIFT+T')).toEqual(['ctrl', 'shift', 't']);
    expect(normalizeKeys(['ctrl+shift', 't'])).toEqual(['ctrl', 'shift', 't']);
    expect(normalizeKeys(['cmd', '["Shift","ArrowDown"]'])).toEqual(['meta', 'shift', 'down']);
    expect(normalizeKeys(['Return'])).toEqual(['enter']);
  });

  it('reads "+" as the plus key where a name should start', () => {
    expect(normalizeKeys('+')).toEqual(['+']);
    expect(normalizeKeys(['+'])).toEqual(['+']);
    expect(normalizeKeys('ctrl++')).toEqual(['ctrl', '+']);
    expect(normalizeKeys('ctrl+shift++')).toEqual(['ctrl', 'shift', '+']);
    expect(normalizeKeys(['ctrl', '+'])).toEqual(['ctrl', '+']);
    expect(normalizeKeys('ctrl+plus')).toEqual(['ctrl', '+']);
    expect(normalizeKeys('ctrl + +')).toEqual(['ctrl', '+']);
  });

  it('keeps the bracket keys apart from JSON lists', () => {
    expect(normalizeKeys('[')).toEqual(['[']);
    expect(normalizeKeys(['ctrl', '['])).toEqual(['ctrl', '[']);
    expect(normalizeKeys('ctrl+]')).toEqual(['ctrl', ']']);
  });

  it('rejects empty input, empty names and non-strings', () => {
    for (const input of [
      undefined,
      null,
      42,
      {},
      [],
      '',
      '   ',
      [''],
      ['ctrl', 5],
      'ctrl+',
      '++',
      '[]',
      ['ctrl', null],
    ]) {
      keyError(input);
    }
    expect(keyError('ctrl+').message).toContain('empty key name in "ctrl+"');
    expect(keyError(['ctrl', 'Hyperdrive']).key).toBe('Hyperdrive');
    expect(keyError('ctrl+warp').message).toContain('unknown key "warp"');
    expect(keyError(42).message).toContain('"ctrl+c"');
  });

  it('throws nothing but KeyNameError on arbitrary input', () => {
    const keyish = fc.oneof(
      fc.string(),
      fc.constantFrom('ctrl', 'Return', '+', '++', '[', ']', '["ctrl","c"]', '[[[', ' ', 'é', '\ud83d'),
      fc.string().map((s) => `ctrl+${s}`),
      fc.string().map((s) => JSON.stringify([s, 'c'])),
    );
    const input = fc.oneof(
      keyish,
      fc.array(keyish),
      fc.array(fc.oneof(keyish, fc.array(keyish))),
      fc.anything(),
    );
    fc.assert(
      fc.property(input, (value) => {
        try {
          const keys = normalizeKeys(value);
          expect(keys.length).toBeGreaterThan(0);
          for (const key of keys) expect(normalizeKey(key)).toBe(key);
        } catch (error) {
          if (!(error instanceof KeyNameError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects lists nested deeper than a list of JSON-encoded lists', () => {
    expect(normalizeKeys([['ctrl', 'c']])).toEqual(['ctrl', 'c']);
    keyError([[[['ctrl']]]]);
    keyError(`${'['.repeat(100_000)}"ctrl"${']'.repeat(100_000)}`);
  });
});

describe('modifiers', () => {
  it('are the four canonical modifiers', () => {
    expect([...MODIFIER_KEYS]).toEqual(['shift', 'ctrl', 'alt', 'meta']);
    expect(isModifier('ctrl')).toBe(true);
    expect(isModifier('meta')).toBe(true);
    expect(isModifier('c')).toBe(false);
    expect(isModifier('Control')).toBe(false);
    expect(normalizeKeys('cmd+opt+ctl+Shift_L').every(isModifier)).toBe(true);
  });
});

describe('X keysyms', () => {
  it('maps characters to Latin-1 or Unicode keysyms by code point', () => {
    expect(charToKeysym('a')).toBe(0x61);
    expect(charToKeysym('A')).toBe(0x41);
    expect(charToKeysym(' ')).toBe(0x20);
    expect(charToKeysym('~')).toBe(0x7e);
    expect(charToKeysym('\u00a0')).toBe(0xa0);
    expect(charToKeysym('é')).toBe(0xe9);
    expect(charToKeysym('ÿ')).toBe(0xff);
    expect(charToKeysym('Ā')).toBe(0x1000100);
    expect(charToKeysym('日')).toBe(0x10065e5);
    expect(charToKeysym('✓')).toBe(0x1002713);
    expect(charToKeysym('😀')).toBe(0x101f600);
    expect(charToKeysym('\n')).toBe(0xff0d);
    expect(charToKeysym('\r')).toBe(0xff0d);
    expect(charToKeysym('\t')).toBe(0xff09);
    expect(charToKeysym('\b')).toBe(0xff08);
  });

  it('rejects anything but one character', () => {
    expect(() => charToKeysym('')).toThrow(/one character/);
    expect(() => charToKeysym('ab')).toThrow(/one character/);
    expect(() => charToKeysym('\ud83d')).toThrow(/surrogate/);
  });

  it('maps canonical names, enter to Return and kp_enter to KP_Enter', () => {
    expect(keysymForKey('enter')).toBe(0xff0d);
    expect(keysymForKey('kp_enter')).toBe(0xff8d);
    expect(keysymForKey('shift')).toBe(0xffe1);
    expect(keysymForKey('ctrl')).toBe(0xffe3);
    expect(keysymForKey('alt')).toBe(0xffe9);
    expect(keysymForKey('meta')).toBe(0xffeb);
    expect(keysymForKey('up')).toBe(0xff52);
    expect(keysymForKey('pagedown')).toBe(0xff56);
    expect(keysymForKey('space')).toBe(0x20);
    expect(keysymForKey('f1')).toBe(0xffbe);
    expect(keysymForKey('f12')).toBe(0xffc9);
    expect(keysymForKey('f24')).toBe(0xffd5);
    expect(keysymForKey('a')).toBe(0x61);
    expect(keysymForKey('+')).toBe(0x2b);
    expect(keysymForKey('é')).toBe(0xe9);
    expect(keysymForKey('😀')).toBe(0x101f600);
  });

  it('has a keysym for every named key and rejects non-canonical names', () => {
    for (const name of NAMED_KEYS) expect(keysymForKey(name), name).toBeGreaterThan(0);
    expect(() => keysymForKey('Return')).toThrow(/"Return"/);
    expect(() => keysymForKey('toString')).toThrow(/"toString"/);
  });
});

describe('nut-js keys', () => {
  it('maps enter to Return, not the keypad Enter', () => {
    expect(nutKeyFor('enter')).toBe(Key.Return);
    expect(nutKeyFor('kp_enter')).toBe(Key.Enter);
  });

  it('maps modifiers, named keys, letters, digits and punctuation', () => {
    expect(nutKeyFor('ctrl')).toBe(Key.LeftControl);
    expect(nutKeyFor('shift')).toBe(Key.LeftShift);
    expect(nutKeyFor('alt')).toBe(Key.LeftAlt);
    expect(nutKeyFor('meta')).toBe(Key.LeftSuper);
    expect(nutKeyFor('escape')).toBe(Key.Escape);
    expect(nutKeyFor('pagedown')).toBe(Key.PageDown);
    expect(nutKeyFor('f24')).toBe(Key.F24);
    expect(nutKeyFor('printscreen')).toBe(Key.Print);
    expect(nutKeyFor('a')).toBe(Key.A);
    expect(nutKeyFor('0')).toBe(Key.Num0);
    expect(nutKeyFor('`')).toBe(Key.Grave);
    expect(nutKeyFor("'")).toBe(Key.Quote);
    expect(nutKeyFor('/')).toBe(Key.Slash);
    expect(nutKeyFor('+')).toBe(Key.Add);
  });

  it('has a key for every named key but pause', () => {
    for (const name of NAMED_KEYS.filter((n) => n !== 'pause'))
      expect(typeof nutKeyFor(name), name).toBe('number');
    expect(() => nutKeyFor('pause')).toThrow(/pause/);
  });

  it('names characters it cannot press and points to the type action', () => {
    expect(() => nutKeyFor('é')).toThrow(/"é".*type action/);
    expect(() => nutKeyFor('!')).toThrow(/"!"/);
    expect(() => nutKeyFor('Return')).toThrow(/"Return"/);
    expect(() => nutKeyFor('toString')).toThrow(/"toString"/);
  });
});
