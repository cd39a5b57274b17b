import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** From dist/bench/ or bench/, the observer app the integration tests use. */
const script = fileURLToPath(new URL('../../tests/support/observer.py', import.meta.url));

/**
 * The tests' Tk observer (a full-screen Text widget) as a typing target. Only its replies to commands
 * are read; its per-event lines are skipped. Each reply comes after the app handled every X event the
 * server had queued for it (the app runs root.update() first), so a reply is a barrier.
 */
export class TkTextApp {
  private readonly waiters: { type: string; resolve: (value: string) => void }[] = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) this.receive(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
  }

  static async start(display: string): Promise<TkTextApp> {
    const child = spawn('/usr/bin/python3', [script], {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    const app = new TkTextApp(child);
    await app.reply('ready', 10_000);
    return app;
  }

  /** The widget's content once every key sent before this call has arrived. */
  async text(): Promise<string> {
    this.child.stdin.write('text\n');
    return this.reply('text');
  }

  async clear(): Promise<void> {
    this.child.stdin.write('clear\n');
    await this.reply('cleared');
  }

  stop(): void {
    this.child.stdin.end('quit\n');
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    const record = JSON.parse(line) as { type: string; value?: string };
    const index = this.waiters.findIndex((waiter) => waiter.type === record.type);
    if (index < 0) return;
    const [waiter] = this.waiters.splice(index, 1);
    waiter?.resolve(record.value ?? '');
  }

  private reply(type: string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Tk observer: no "${type}" reply within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push({
        type,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      });
    });
  }
}
