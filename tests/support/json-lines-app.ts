import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * A test application in its own process that prints one JSON object per line on stdout (each with a
 * "type") and takes one-word commands on stdin: the shared half of SlowApp and ReplayApp.
 */
export class JsonLinesApp {
  private output = '';
  private stderr = '';

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly name: string,
  ) {
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Sends a command and waits for the first line of the type it answers with. */
  async ask(command: string, type = command, timeoutMs = 10_000): Promise<unknown> {
    this.child.stdin.write(`${command}\n`);
    return this.line(type, timeoutMs);
  }

  /** Takes the first line of the given type off the output, waiting for it. */
  async line(type: string, timeoutMs: number): Promise<unknown> {
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
          `${this.name}: no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Asks the application to quit; kills it if it has not within 2 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    await exited;
  }
}
