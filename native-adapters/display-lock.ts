import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * One deskhand process per display: two would mix their input (one's held Shift in the other's typing).
 * The lock is a Linux abstract-namespace unix socket named after the display. The kernel frees the
 * name when its process ends in any way (SIGKILL included), so a crashed owner cannot leave it stale,
 * and there is no file to clean up. The owner answers whoever connects with who it is, and keeps the
 * connection open: a waiter learns the owner's pid, and sees the connection close when the owner goes.
 * macOS and Windows have one desktop and no abstract sockets: there the lock is not taken.
 */
export interface DisplayOwner {
  pid: number;
  /** The command it runs, e.g. "run". */
  command: string;
  since: string;
}

export class DisplayBusyError extends Error {
  override name = 'DisplayBusyError';
  constructor(
    message: string,
    readonly owner: DisplayOwner | undefined,
  ) {
    super(message);
  }
}

export interface DisplayLock {
  readonly display: string;
  /** Gives the display up (the process ending does too). */
  release(): void;
}

export interface LockOptions {
  /** The command taking the lock, shown to whoever finds the display busy. */
  command: string;
  /** How long to wait for the owner to finish; 0 = fail at once. */
  waitMs?: number;
}

/** ":90", ":90.0", "unix:90" and "localhost:90" are one server; another host is another server. */
export function lockName(display: string): string {
  const match = /^(.*):(\d+)(\.\d+)?$/.exec(display);
  if (!match) return `\0deskhand-display-${display}`;
  const host = ['', 'unix', 'localhost', '127.0.0.1'].includes(match[1] ?? '') ? '' : match[1];
  return `\0deskhand-display-${host}:${match[2]}`;
}

/** Takes the display for this process, waiting up to `waitMs` for its owner; DisplayBusyError if not. */
export async function lockDisplay(display: string | undefined, options: LockOptions): Promise<DisplayLock> {
  if (!display || process.platform !== 'linux') return { display: display ?? '', release() {} };
  const name = lockName(display);
  const me: DisplayOwner = { pid: process.pid, command: options.command, since: new Date().toISOString() };
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const deadline = performance.now() + waitMs;
  for (;;) {
    const server = await listen(name, me);
    if (server) return ownerLock(display, server);
    const owner = await askOwner(name);
    if (!owner) continue; // it went away between our two tries: try again
    const left = deadline - performance.now();
    if (left <= 0 || !(await owner.goneWithin(left))) {
      owner.socket.destroy();
      throw busy(display, owner.info, waitMs);
    }
  }
}

function busy(display: string, owner: DisplayOwner | undefined, waitMs: number): DisplayBusyError {
  const who = owner
    ? `another deskhand process (pid ${owner.pid}, deskhand ${owner.command}, since ${owner.since})`
    : 'another deskhand process (it does not answer)';
  const waited = waitMs > 0 ? ` and still was after waiting ${Math.round(waitMs / 100) / 10} s` : '';
  return new DisplayBusyError(
    `the display ${display} is in use by ${who}${waited}: two at once would mix their input. ` +
      'Wait for it to end, pass --wait-for-display S to wait up to S seconds, or use another display ' +
      '(--display :N, or --xvfb for a private one).',
    owner,
  );
}

/** Binds the name; undefined when another process has it. */
function listen(name: string, me: DisplayOwner): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.unref();
      socket.write(`${JSON.stringify(me)}\n`);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen({ path: name }, () => {
      server.unref();
      // release() ends the waiters' connections so they can take over at once.
      resolve(Object.assign(server, { closeAll: () => sockets.forEach((s) => s.destroy()) }));
    });
  });
}

function ownerLock(display: string, server: Server & { closeAll?: () => void }): DisplayLock {
  let released = false;
  return {
    display,
    release() {
      if (released) return;
      released = true;
      server.close();
      server.closeAll?.();
    },
  };
}

interface OwnerContact {
  info: DisplayOwner | undefined;
  socket: Socket;
  /** Resolves true once the owner is gone (its connection closed), false after `ms`. */
  goneWithin(ms: number): Promise<boolean>;
}

/** Connects to the owner and reads who it is; undefined when nobody listens any more. */
function askOwner(name: string): Promise<OwnerContact | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ path: name });
    let text = '';
    let answered = false;
    const gone = new Promise<void>((done) => socket.once('close', () => done()));
    const contact = (info: DisplayOwner | undefined): OwnerContact => ({
      info,
      socket,
      goneWithin: (ms) => {
        let timer: NodeJS.Timeout | undefined;
        return Promise.race([
          gone.then(() => true),
          new Promise<boolean>((done) => (timer = setTimeout(() => done(false), boundedDelay(ms)))),
        ]).finally(() => clearTimeout(timer));
      },
    });
    const answer = (info: DisplayOwner | undefined) => {
      if (answered) return;
      answered = true;
      clearTimeout(silence);
      resolve(contact(info));
    };
    // An owner whose event loop is stuck still holds the lock; say so rather than wait for its answer.
    const silence = setTimeout(() => answer(undefined), 1000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) {
        try {
          answer(JSON.parse(line) as DisplayOwner);
        } catch {
          answer(undefined);
        }
      }
    });
    socket.on('error', () => {
      if (answered) return;
      answered = true;
      clearTimeout(silence);
      resolve(undefined);
    });
    socket.on('close', () => {
      // Closed before answering: the owner went away (or released) while we asked.
      if (answered) return;
      answered = true;
      clearTimeout(silence);
      resolve(undefined);
    });
  });
}

/** setTimeout takes at most 2^31-1 ms (~24.8 days); more would fire at once with a warning. */
function boundedDelay(ms: number): number {
  return Math.min(Math.max(0, ms), 2 ** 31 - 1);
}
