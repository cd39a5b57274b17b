import x11 from 'x11';
import { unreachableDisplay } from '../display.js';

/** One monitor as RandR 1.5 reports it (what `xrandr --listmonitors` prints), in root-window pixels. */
export interface Monitor {
  /** Position in the server's list, as `xrandr --listmonitors` numbers them. */
  index: number;
  name: string;
  primary: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The X screen (root window) and the monitors laid out on it. */
export interface ScreenLayout {
  width: number;
  height: number;
  /** Empty when the server has no RandR 1.5 (then the screen is the one display). */
  monitors: Monitor[];
}

export class ScreenLayoutError extends Error {
  override name = 'ScreenLayoutError';
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the `x11` package is untyped */
type Client = any;
type Reply<T> = (error: Error | null, reply: T) => unknown;

/** RandR's GetMonitors (1.5) request; the `x11` package stops at GetScreenResources / GetCrtcInfo. */
const GET_MONITORS = 42;

/**
 * Reads the screen size and the RandR monitors over one short-lived connection of the `x11` package.
 * Monitors, not CRTCs: only GetMonitors sees the virtual monitors `xrandr --setmonitor` defines.
 */
export function readScreenLayout(displayName: string, timeoutMs = 5000): Promise<ScreenLayout> {
  return new Promise((resolve, reject) => {
    let client: Client;
    const timer = setTimeout(() => {
      finish(new ScreenLayoutError(`X display ${displayName} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    function finish(error: Error | null, layout?: ScreenLayout) {
      clearTimeout(timer);
      try {
        client?.terminate?.();
      } catch {
        // already closed
      }
      if (error) reject(error);
      else resolve(layout as ScreenLayout);
    }
    const created = x11.createClient({ display: displayName }, (error: Error | null, display: any) => {
      if (error) {
        finish(unreachableDisplay(displayName, error));
        return;
      }
      client = display.client;
      client.on('error', (clientError: Error) => finish(clientError));
      const screen = display.screen[0];
      const size = { width: screen.pixel_width as number, height: screen.pixel_height as number };
      readMonitors(client, screen.root).then(
        (monitors) => finish(null, { ...size, monitors }),
        (readError: Error) => finish(readError),
      );
    });
    created?.on?.('error', (error) =>
      finish(new ScreenLayoutError(`cannot open X display ${displayName}: ${String(error)}`)),
    );
  });
}

async function readMonitors(client: Client, root: number): Promise<Monitor[]> {
  const randr = await new Promise<any>((resolve) => {
    // No RandR at all: the screen is the one display.
    client.require('randr', (error: Error | null, ext: any) => resolve(error ? undefined : ext));
  });
  if (!randr) return [];
  // The server answers with the version it speaks; GetMonitors needs 1.5.
  const [major, minor] = await call<[number, number]>((done) => randr.QueryVersion(1, 5, done));
  if (major < 1 || (major === 1 && minor < 5)) return [];
  const raw = await call<RawMonitor[]>((done) => getMonitors(client, randr.majorOpcode, root, done));
  const names = await Promise.all(
    raw.map((monitor) =>
      monitor.nameAtom === 0
        ? Promise.resolve('')
        : call<string>((done) => client.GetAtomName(monitor.nameAtom, done)),
    ),
  );
  return raw.map(({ primary, x, y, width, height }, index) => ({
    index,
    name: names[index] ?? '',
    primary,
    x,
    y,
    width,
    height,
  }));
}

interface RawMonitor {
  nameAtom: number;
  primary: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Packs RRGetMonitors (get_active = true) by hand, the way lib/ext/randr.js packs its requests. */
function getMonitors(client: Client, majorOpcode: number, root: number, done: Reply<RawMonitor[]>) {
  client.seq_num++;
  const request = Buffer.alloc(12);
  request.writeUInt8(majorOpcode, 0);
  request.writeUInt8(GET_MONITORS, 1);
  request.writeUInt16LE(3, 2);
  request.writeUInt32LE(root >>> 0, 4);
  request.writeUInt8(1, 8);
  client.pack_stream.put(request);
  client.replies[client.seq_num] = [
    // `body` starts after the 8-byte reply header: timestamp, nmonitors, noutputs, 12 unused.
    (body: Buffer): RawMonitor[] => {
      const count = body.readUInt32LE(4);
      const monitors: RawMonitor[] = [];
      let at = 24;
      for (let i = 0; i < count; i++) {
        const outputs = body.readUInt16LE(at + 6);
        monitors.push({
          nameAtom: body.readUInt32LE(at),
          primary: body.readUInt8(at + 4) !== 0,
          x: body.readInt16LE(at + 8),
          y: body.readInt16LE(at + 10),
          width: body.readUInt16LE(at + 12),
          height: body.readUInt16LE(at + 14),
        });
        at += 24 + outputs * 4;
      }
      return monitors;
    },
    done,
  ];
  client.pack_stream.submit(true);
}

function call<T>(send: (done: Reply<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    send((error, reply) => {
      if (error) reject(new ScreenLayoutError(`RandR request failed: ${error.message}`));
      else resolve(reply);
      // Tells the x11 package the error was handled, so it does not also emit it on the client.
      return true;
    });
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
