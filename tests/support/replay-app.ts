import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JsonLinesApp } from './json-lines-app.js';

const script = fileURLToPath(new URL('./replay_app.py', import.meta.url));

export interface ReplayAppState {
  customer: string;
  amount: string;
  submitted: { customer: string; amount: string }[];
  dialog: boolean;
}

/** tests/support/replay_app.py on a display: the invoice form the replay tests record and replay. */
export class ReplayApp {
  private constructor(
    private readonly app: JsonLinesApp,
    readonly pixels: Record<string, [number, number]>,
  ) {}

  static async start(
    display: string,
    options: { offset?: [number, number]; dialog?: boolean; wrong?: boolean } = {},
  ): Promise<ReplayApp> {
    const args = [script];
    if (options.offset) args.push('--offset', options.offset.join(','));
    if (options.dialog) args.push('--dialog');
    if (options.wrong) args.push('--wrong');
    const child = spawn('/usr/bin/python3', args, {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    const app = new JsonLinesApp(child, 'replay_app');
    const ready = (await app.line('ready', 10_000)) as { pixels: Record<string, [number, number]> };
    return new ReplayApp(app, ready.pixels);
  }

  async state(): Promise<ReplayAppState> {
    return (await this.app.ask('state')) as ReplayAppState;
  }

  stop(): Promise<void> {
    return this.app.stop();
  }
}
