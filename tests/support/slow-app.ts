import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./slow_text_app.py', import.meta.url));

/** The GTK text field of slow_text_app.py: sleeps `sleepMs` in its handler for every KeyPress. */
export class SlowApp {
  private output = '';
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(display: string, sleepMs: number): Promise<SlowApp> {
    const child = spawn('/usr/bin/python3', [script, String(sleepMs)], {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_AT_BRIDGE: '1' },
    });
    const app = new SlowApp(child);
    await app.line('ready', 10_000);
    return app;
  }

  /** The field's text as the application holds it now. */
  async text(): Promise<string> {
    this.child.stdin.write('text\n');
    return ((await this.line('text', 10_000)) as { value: string }).value;
  }

  /** Every key event the field got, in order: [press|release, keycode, keyval, server time]. */
  async keys(): Promise<[string, number, number, number][]> {
    this.child.stdin.write('keys\n');
    return ((await this.line('keys', 10_000)) as { value: [string, number, number, number][] }).value;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    await exited;
  }

  /** Takes the first line of the given type off the output, waiting for it. */
  private async line(type: string, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.output.split('\n');
      const index = lines.findIndex((l) => l.includes(`"type": "${type}"`));
      if (index >= 0) {
        this.output = [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n');
        return JSON.parse(lines[index] as string);
      }
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(
          `slow_text_app: no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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
