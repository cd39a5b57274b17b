import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The top-level windows on the display, by id (xwininfo, from x11-utils, which setup installs). */
async function topWindows(display: string): Promise<Set<string>> {
  const { stdout } = await run('xwininfo', ['-root', '-children', '-display', display]);
  return new Set(stdout.match(/0x[0-9a-f]+/gi) ?? []);
}

/**
 * Starts a program on the display (a shell command line, DISPLAY set) and waits until it shows a
 * window of its own, up to `timeoutMs`: the first screenshot must not be taken before it is there.
 * A program that shows no window in time is left running; the run goes on.
 */
export async function startProgram(
  command: string,
  display: string,
  timeoutMs = 10_000,
): Promise<ChildProcess> {
  const before = await topWindows(display).catch(() => new Set<string>());
  const child = spawn('sh', ['-c', command], { env: { ...process.env, DISPLAY: display }, stdio: 'ignore' });
  child.on('error', () => {});
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const now = await topWindows(display).catch(() => before);
    if ([...now].some((id) => !before.has(id))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}
