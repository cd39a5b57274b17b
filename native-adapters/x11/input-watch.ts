import x11 from 'x11';
import { unreachableDisplay } from '../display.js';

/** Input that did not come from deskhand: a person at the keyboard or mouse, or another program. */
export interface ForeignInput {
  kind: 'key' | 'button' | 'motion';
  /** 'device' for a real device (no client sent it), else the X resource base of the client that did. */
  source: 'device' | number;
}

/** Core event types as the RECORD extension reports device events. */
const KEY_PRESS = 2;
const KEY_RELEASE = 3;
const BUTTON_PRESS = 4;
const BUTTON_RELEASE = 5;
const MOTION = 6;
/** The core WarpPointer request (xdotool mousemove uses it; it moves the pointer like a device). */
const WARP_POINTER = 41;
const XTEST_FAKE_INPUT = 2;

/**
 * Watches every input event the X server processes and reports those deskhand did not cause.
 *
 * Why RECORD and not XInput2 raw events: a program simulating a person (xdotool, a remote-desktop
 * server) injects through the same XTEST devices as deskhand, so the source device cannot tell the two
 * apart. RECORD reports, in the server's processing order, both the requests that make input (XTEST
 * FakeInput, WarpPointer) with the client that sent them and the device events that follow. XTEST
 * processes a FakeInput at once, so the device event right after a request of the same kind belongs to
 * that request's client; a device event with no such request before it came from a real device. Ours
 * are the requests from deskhand's own connections (their resource bases); everything else is someone
 * else. A key press of a keycode deskhand holds down without a request is the server's autorepeat.
 */
export class InputWatch {
  private readonly listeners = new Set<(input: ForeignInput) => void>();
  /** The last input request, waiting for its device event. */
  private pending: { own: boolean; source: number; type: number; detail: number } | undefined;
  /** Keycodes deskhand pressed and has not released (their autorepeat is ours too). */
  private readonly ownKeysDown = new Set<number>();
  private closed = false;

  private constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party client
    private readonly control: any,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party client
    private readonly data: any,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party extension
    private readonly record: any,
    private readonly context: number,
    private readonly ownClients: ReadonlySet<number>,
  ) {}

  /**
   * Starts watching `displayName`. `ownClients` are the resource bases of deskhand's input connections.
   * Fails (clearly) when the server has no RECORD or XTEST extension.
   */
  static async open(displayName: string, ownClients: number[]): Promise<InputWatch> {
    const control = await connect(displayName);
    const data = await connect(displayName).catch((error: unknown) => {
      control.client.terminate?.();
      throw error;
    });
    try {
      const record = await extension(control, 'record', displayName);
      const xtest = await extension(control, 'xtest', displayName);
      const dataRecord = await extension(data, 'record', displayName);
      const context = control.client.AllocID();
      const AllClients = 3;
      record.CreateContext(
        context,
        0,
        [AllClients],
        [
          {
            coreRequests: { first: WARP_POINTER, last: WARP_POINTER },
            extRequests: {
              major: { first: xtest.majorOpcode, last: xtest.majorOpcode },
              minor: { first: XTEST_FAKE_INPUT, last: XTEST_FAKE_INPUT },
            },
            deviceEvents: { first: KEY_PRESS, last: MOTION },
          },
        ],
      );
      // The context must exist before the data connection enables it.
      await new Promise<void>((resolve, reject) =>
        control.client.GetInputFocus((error: Error | null) => (error ? reject(error) : resolve())),
      );
      const watch = new InputWatch(control.client, data.client, record, context, new Set(ownClients));
      await new Promise<void>((resolve) => {
        dataRecord.EnableContext(
          context,
          (reply: { category: number; xidBase: number; data: Buffer }) => {
            // StartOfData (4) says the context is live: from here on no input is missed.
            if (reply.category === 4) resolve();
            else watch.take(reply.category, reply.xidBase, reply.data);
          },
          () => {},
        );
        // The x11 package keeps every reply of a multi-reply request until it ends, which for a RECORD
        // context is the end of the run: a leak of every input event. Keep none.
        const handler = data.client.replies?.[data.client.seq_num];
        if (Array.isArray(handler)) handler[3] = { push: () => 0 };
      });
      for (const client of [control.client, data.client]) client.on('error', () => {});
      return watch;
    } catch (error) {
      control.client.terminate?.();
      data.client.terminate?.();
      throw error;
    }
  }

  /** Calls `listener` for each event deskhand did not cause; returns a function that stops it. */
  onForeignInput(listener: (input: ForeignInput) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      this.record.DisableContext(this.context);
      this.record.FreeContext(this.context);
      this.control.GetInputFocus(() => {
        this.control.terminate?.();
        this.data.terminate?.();
      });
    } catch {
      this.control.terminate?.();
      this.data.terminate?.();
    }
  }

  /** One RECORD reply: category 1 holds client requests, 0 device events (32 bytes each). */
  private take(category: number, client: number, data: Buffer): void {
    if (category === 1) {
      let offset = 0;
      while (offset + 4 <= data.length) {
        const length = data.readUInt16LE(offset + 2) * 4;
        if (length === 0) break;
        const own = this.ownClients.has(client);
        if (data[offset] === WARP_POINTER) this.pending = { own, source: client, type: MOTION, detail: 0 };
        else {
          const type = data[offset + 4] ?? 0;
          const detail = data[offset + 5] ?? 0;
          this.pending = { own, source: client, type, detail };
          if (own && type === KEY_PRESS) this.ownKeysDown.add(detail);
          if (own && type === KEY_RELEASE) this.ownKeysDown.delete(detail);
        }
        offset += length;
      }
    } else if (category === 0) {
      for (let offset = 0; offset + 32 <= data.length; offset += 32) {
        const type = (data[offset] ?? 0) & 0x7f;
        const detail = data[offset + 1] ?? 0;
        this.event(type, detail);
      }
    }
  }

  private event(type: number, detail: number): void {
    const pending = this.pending;
    let source: 'device' | number | 'own' = 'device';
    if (pending && pending.type === type && (type === MOTION || pending.detail === detail)) {
      this.pending = undefined;
      source = pending.own ? 'own' : pending.source;
    } else if (type === KEY_PRESS && this.ownKeysDown.has(detail)) source = 'own';
    if (source === 'own') return;
    const kind =
      type === KEY_PRESS || type === KEY_RELEASE
        ? 'key'
        : type === BUTTON_PRESS || type === BUTTON_RELEASE
          ? 'button'
          : 'motion';
    for (const listener of [...this.listeners]) listener({ kind, source });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party display
function connect(displayName: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const client = x11.createClient({ display: displayName }, (error, display) =>
      error ? reject(unreachableDisplay(displayName, error)) : resolve(display),
    );
    client?.on?.('error', () => {});
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party extension
function extension(display: any, name: string, displayName: string): Promise<any> {
  return new Promise((resolve, reject) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped third-party extension
    display.client.require(name, (error: Error | null, ext: any) =>
      error
        ? reject(
            new Error(
              `X display ${displayName} has no ${name.toUpperCase()} extension: deskhand cannot tell a person's input from its own there (--on-takeover ignore runs without watching)`,
            ),
          )
        : resolve(ext),
    ),
  );
}
