import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JsonLinesApp } from './json-lines-app.js';

const script = fileURLToPath(new URL('./slow_text_app.py', import.meta.url));

/** The GTK text field of slow_text_app.py: sleeps `sleepMs` in its handler for every KeyPress. */
export class SlowApp {
  private constructor(private readonly app: JsonLinesApp) {}

  static async start(display: string, sleepMs: number): Promise<SlowApp> {
    const child = spawn('/usr/bin/python3', [script, String(sleepMs)], {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_AT_BRIDGE: '1' },
    });
    const app = new JsonLinesApp(child, 'slow_text_app');
    await app.line('ready', 10_000);
    return new SlowApp(app);
  }

  /** The field's text as the application holds it now. */
  async text(): Promise<string> {
    return ((await this.app.ask('text')) as { value: string }).value;
  }

  /** Every key event the field got, in order: [press|release, keycode, keyval, server time]. */
  async keys(): Promise<[string, number, number, number][]> {
    return ((await this.app.ask('keys')) as { value: [string, number, number, number][] }).value;
  }

  stop(): Promise<void> {
    return this.app.stop();
  }
}

/** `count` characters mixing ASCII punctuation, accents, CJK and symbols, the same for the same seed. */
export function mixedText(count: number, seed: number): string {
  const pools = [
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ',
    '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
    'éèêëàâäôöûüùçñÉÀÎÕÜßøåæœ',
    '✓€≈→★♥±×÷°§¶…—‘’“”«»',
  ];
  // mulberry32: seeds close together give unrelated texts (a plain LCG gave shifted copies).
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const chars: string[] = [];
  for (let i = 0; i < count; i++) {
    const pick = next();
    if (pick < 0.3) chars.push(String.fromCodePoint(0x4e00 + Math.floor(next() * 0x5000)));
    else {
      const pool = pools[Math.floor(next() * pools.length)] as string;
      chars.push(Array.from(pool)[Math.floor(next() * Array.from(pool).length)] as string);
    }
  }
  return chars.join('');
}
