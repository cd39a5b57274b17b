import x11 from 'x11';
import { unreachableDisplay } from '../display.js';

/** XTEST FakeInput event types. */
export const FakeEvent = {
  KeyPress: 2,
  KeyRelease: 3,
  ButtonPress: 4,
  ButtonRelease: 5,
  MotionNotify: 6,
} as const;

export interface PointerState {
  x: number;
  y: number;
  /** The top-level window under the pointer, 0 if none. */
  child: number;
  /** Modifier and button mask (ShiftMask = 1, Button1Mask = 256, ...). */
  mask: number;
}

export interface KeyboardMapping {
  minKeycode: number;
  maxKeycode: number;
  keysymsPerKeycode: number;
  /** rows[i] holds the keysyms of keycode minKeycode + i. */
  rows: number[][];
}

export class XConnectionError extends Error {
  override name = 'XConnectionError';
}

/**
 * One connection to an X server through the pure-JS `x11` package: XTEST input, the keyboard mapping,
 * and round trips. Every request goes down one socket, so the server sees them in the order we send them.
 */
export class XConnection {
  private broken: Error | undefined;
  private closing = false;
  /** Requests waiting for a reply: a lost connection fails them instead of leaving them pending. */
  private readonly pending = new Set<(error: Error) => void>();
  private readonly lostListeners = new Set<(error: Error) => void>();

  private constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party client
    private readonly client: any,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party extension
    private readonly xtest: any,
    readonly displayName: string,
    readonly root: number,
    readonly width: number,
    readonly height: number,
    readonly minKeycode: number,
    readonly maxKeycode: number,
    /** Window ids of one client share the bits outside this mask (its resource base). */
    readonly resourceMask: number,
    readonly resourceBase: number,
  ) {
    client.on('error', (error: Error) => this.lose(error));
    client.on('end', () => this.lose(new Error('the X server closed the connection')));
  }

  /** Calls `listener` once if the server goes away (it died, or dropped us); not on our own close(). */
  onLost(listener: (error: Error) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private lose(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    const failure = new XConnectionError(`X connection to ${this.displayName} failed: ${error.message}`);
    for (const reject of [...this.pending]) reject(failure);
    this.pending.clear();
    if (this.closing) return;
    for (const listener of [...this.lostListeners]) listener(error);
  }

  static open(displayName: string, timeoutMs = 5000): Promise<XConnection> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new XConnectionError(`X display ${displayName} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party client
      const client = x11.createClient({ display: displayName }, (error: Error | null, display: any) => {
        if (error) {
          clearTimeout(timer);
          return reject(unreachableDisplay(displayName, error));
        }
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party extension
        display.client.require('xtest', (extError: Error | null, xtest: any) => {
          clearTimeout(timer);
          if (extError) {
            display.client.terminate?.();
            return reject(
              new XConnectionError(
                `X display ${displayName} has no XTEST extension: input cannot be simulated there`,
              ),
            );
          }
          const screen = display.screen[0];
          resolve(
            new XConnection(
              display.client,
              xtest,
              displayName,
              screen.root,
              screen.pixel_width,
              screen.pixel_height,
              display.min_keycode,
              display.max_keycode,
              display.resource_mask,
              display.resource_base,
            ),
          );
        });
      });
      client?.on?.('error', () => {});
    });
  }

  fakeInput(type: number, detail: number, x = 0, y = 0): void {
    this.throwIfBroken();
    // For MotionNotify, detail 0 means absolute coordinates on the root window.
    this.xtest.FakeInput(type, detail, 0, type === FakeEvent.MotionNotify ? this.root : 0, x, y);
  }

  /** A round trip: resolves once the server has processed every request sent before it. */
  sync(): Promise<void> {
    return this.request<void>((done) => this.client.GetInputFocus(done)).then(() => undefined);
  }

  async queryPointer(): Promise<PointerState> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped reply
    const reply = await this.request<any>((done) => this.client.QueryPointer(this.root, done));
    return { x: reply.rootX, y: reply.rootY, mask: reply.keyMask, child: reply.child };
  }

  /** The window with the keyboard focus: 0 = None, 1 = PointerRoot (whatever is under the pointer). */
  async inputFocus(): Promise<number> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped reply
    const reply = await this.request<any>((done) => this.client.GetInputFocus(done));
    return reply.focus;
  }

  /** The resource base of the client that owns a window. */
  clientOf(window: number): number {
    return (window & ~this.resourceMask) >>> 0;
  }

  async keyboardMapping(): Promise<KeyboardMapping> {
    const count = this.maxKeycode - this.minKeycode + 1;
    const rows = await this.request<number[][]>((done) =>
      this.client.GetKeyboardMapping(this.minKeycode, count, done),
    );
    return {
      minKeycode: this.minKeycode,
      maxKeycode: this.maxKeycode,
      keysymsPerKeycode: rows[0]?.length ?? 0,
      rows,
    };
  }

  /** Replaces the keysyms of consecutive keycodes starting at firstKeycode (one row per keycode). */
  changeKeyboardMapping(firstKeycode: number, rows: number[][]): void {
    this.throwIfBroken();
    const perKeycode = rows[0]?.length ?? 0;
    if (perKeycode === 0) return;
    this.client.ChangeKeyboardMapping(firstKeycode, perKeycode, rows.flat());
  }

  /** Whether the server repeats a key held down (the global auto-repeat mode, as `xset q` shows it). */
  async autoRepeat(): Promise<boolean> {
    const reply = await this.request<{ globalAutoRepeat: number }>((done) =>
      this.client.GetKeyboardControl(done),
    );
    return reply.globalAutoRepeat === 1;
  }

  /** Turns the server's key auto-repeat on or off for every keyboard (`xset r on|off`). */
  setAutoRepeat(on: boolean): void {
    this.throwIfBroken();
    this.client.ChangeKeyboardControl({ autoRepeatMode: on ? 1 : 0 });
  }

  /** The keys down now, as the server sees them: keycode k is down when bit k of the 256-bit map is set. */
  async keysDown(): Promise<number[]> {
    const bits = await this.request<Buffer>((done) => this.client.QueryKeymap(done));
    const down: number[] = [];
    for (let keycode = 0; keycode < 256; keycode++) {
      if (((bits[keycode >> 3] ?? 0) >> (keycode & 7)) & 1) down.push(keycode);
    }
    return down;
  }

  async internAtom(name: string): Promise<number> {
    return this.request<number>((done) => this.client.InternAtom(false, name, done));
  }

  /** A window property of 32-bit items (ATOM, WINDOW, CARDINAL); empty when it is not set. */
  async property32(window: number, name: number): Promise<number[]> {
    const reply = await this.request<{ data: Buffer; format: number }>((done) =>
      this.client.GetProperty(0, window, name, 0, 0, 1024, done),
    );
    if (reply.format !== 32) return [];
    return Array.from({ length: reply.data.length / 4 }, (_, i) => reply.data.readUInt32LE(i * 4));
  }

  /** A window property of 8-bit items (STRING, UTF8_STRING) as bytes; empty when it is not set. */
  async property8(window: number, name: number): Promise<Buffer> {
    const reply = await this.request<{ data: Buffer; format: number }>((done) =>
      this.client.GetProperty(0, window, name, 0, 0, 4096, done),
    );
    return reply.format === 8 ? reply.data : Buffer.alloc(0);
  }

  /** The child of `window` that contains the point (x, y) of the root window; 0 when none does. */
  async childAt(window: number, x: number, y: number): Promise<number> {
    const reply = await this.request<{ child: number }>((done) =>
      this.client.TranslateCoordinates(this.root, window, x, y, done),
    );
    return reply.child;
  }

  async parentOf(window: number): Promise<number> {
    const tree = await this.request<{ parent: number }>((done) => this.client.QueryTree(window, done));
    return tree.parent;
  }

  async childrenOf(window: number): Promise<number[]> {
    const tree = await this.request<{ children: number[] }>((done) => this.client.QueryTree(window, done));
    return tree.children;
  }

  /** Sends a 32-bit ClientMessage to `destination` (eventMask 0: to whoever owns the window). */
  sendClientMessage(destination: number, window: number, type: number, data: number[], eventMask = 0): void {
    this.throwIfBroken();
    this.client.SendClientMessage(destination, window, type, 32, data, eventMask);
  }

  /** Selects SubstructureNotify on the root window: replies to messages sent to the root reach us. */
  watchRoot(): void {
    this.throwIfBroken();
    this.client.ChangeWindowAttributes(this.root, { eventMask: 0x00080000 });
  }

  /** Calls `listener` with every ClientMessage we receive; returns a function that stops it. */
  onClientMessage(listener: (message: { window: number; type: number; data: number[] }) => void): () => void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped event
    const handler = (event: any) => {
      if (event?.name === 'ClientMessage')
        listener({ window: event.wid, type: event.message_type, data: event.data ?? [] });
    };
    this.client.on('event', handler);
    return () => this.client.removeListener('event', handler);
  }

  close(): void {
    this.closing = true;
    try {
      this.client.terminate?.();
    } catch {
      // already closed
    }
  }

  private throwIfBroken(): void {
    if (this.broken)
      throw new XConnectionError(`X connection to ${this.displayName} failed: ${this.broken.message}`);
  }

  private request<T>(send: (done: (error: Error | null, reply: T) => void) => void): Promise<T> {
    this.throwIfBroken();
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      send((error, reply) => {
        this.pending.delete(reject);
        if (error) reject(new XConnectionError(`X request failed on ${this.displayName}: ${error.message}`));
        else resolve(reply);
      });
    });
  }
}
