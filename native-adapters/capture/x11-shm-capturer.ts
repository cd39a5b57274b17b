import x11 from 'x11';
import {
  CaptureError,
  type CaptureOptions,
  type Capturer,
  type RawFrame,
  type Screenshot,
} from './capturer.js';
import { DamageWatcher } from './damage-watcher.js';
import { checkCaptureOptions, encodeFrame } from './encode.js';
import { bgrxToRgbInPlace, paddedToRgb } from './padded-pixels.js';

const ZPIXMAP = 2;
const ALL_PLANES = 0xffffffff;

/* eslint-disable @typescript-eslint/no-explicit-any -- the x11 package is untyped */
interface Segment {
  buffer: Buffer;
  getImage(
    drawable: number,
    x: number,
    y: number,
    width: number,
    height: number,
    planeMask: number,
    format: number,
    offset: number,
    cb: (error: Error | null, reply: { depth: number; size: number }) => void,
  ): void;
  detach(cb?: () => void): void;
}

/**
 * Screen capture through the MIT-SHM extension (the `x11` package's GetImage into a shared /dev/shm
 * segment): 1-3 ms for 1920x1080, against 8-10 ms for libnut's XGetImage over the socket. Local X
 * servers only (Xvfb, Xorg): `open` fails when the server cannot attach a segment (a remote display, a
 * container without /dev/shm, an unusual pixel format), and createCapturer('auto') falls back to nut-js.
 *
 * capture() converts the pixels to RGB inside the segment and has sharp read them from there: no
 * 6-8 MB buffer per screenshot (each cost ~20 ms of page faults on this project's VM, and pushed the
 * peak memory up). The same connection watches the screen for changes (X DAMAGE, `changes`), so a
 * change made before a capture read the pixels is always counted before that capture returns.
 */
export class X11ShmCapturer implements Capturer {
  readonly name = 'x11-shm' as const;
  /** One GetImage at a time: they share the segment. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: any,
    private readonly segment: Segment,
    private readonly root: number,
    readonly width: number,
    readonly height: number,
    /** Undefined when the server has no DAMAGE extension: settle then compares captures. */
    readonly changes: DamageWatcher | undefined,
  ) {}

  static open(displayName: string, timeoutMs = 5000): Promise<X11ShmCapturer> {
    return new Promise((resolve, reject) => {
      const connection: { client?: any } = {};
      let failed = false;
      const fail = (why: string) => {
        if (failed) return;
        failed = true;
        clearTimeout(timer);
        try {
          connection.client?.terminate?.();
        } catch {
          // never connected: nothing to close
        }
        reject(new CaptureError(`MIT-SHM capture on ${displayName}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      connection.client = x11.createClient({ display: displayName }, (error: Error | null, display: any) => {
        if (error) return fail(error.message);
        const screen = display.screen[0];
        const visual = screen.depths?.[screen.root_depth]?.[screen.root_visual];
        // 24-bit TrueColor, red in the high byte: pixels arrive as B,G,R,padding (the usual X layout).
        if (
          ![24, 32].includes(screen.root_depth) ||
          visual?.red_mask !== 0xff0000 ||
          visual?.blue_mask !== 0xff
        ) {
          return fail(`unsupported pixel format (depth ${screen.root_depth})`);
        }
        display.client.require('shm', (extError: Error | null, shm: any) => {
          if (extError) return fail('the server has no MIT-SHM extension');
          shm.usable((_: Error | null, usable: boolean) => {
            if (!usable) return fail('the server cannot attach a shared segment');
            const { pixel_width: width, pixel_height: height } = screen;
            shm.createSegment(width * height * 4, (segmentError: Error | null, segment: Segment) => {
              if (segmentError) return fail(segmentError.message);
              DamageWatcher.attach(display.client, screen.root).then((changes) => {
                if (failed) return changes?.close();
                clearTimeout(timer);
                resolve(new X11ShmCapturer(display.client, segment, screen.root, width, height, changes));
              });
            });
          });
        });
      });
      connection.client?.on?.('error', (error: Error) => fail(error.message));
    });
  }

  /** Reads the screen, converts it in the segment and encodes it from there, all in one turn of the queue. */
  async capture(options: CaptureOptions = {}): Promise<Screenshot> {
    checkCaptureOptions(options);
    return this.exclusive(async () => {
      const startedAt = performance.now();
      await this.getImage();
      const changeCount = this.changes?.count;
      const rgb = bgrxToRgbInPlace(this.segment.buffer, this.width * this.height);
      const { width, height } = this;
      const shot = await encodeFrame(
        { rgb, width, height, pixelDensity: { scaleX: 1, scaleY: 1 }, startedAt },
        options,
      );
      return changeCount === undefined ? shot : { ...shot, changeCount };
    });
  }

  /** The screen's pixels as tight RGB, in a buffer of their own (for comparing frames). */
  grab(): Promise<RawFrame> {
    return this.exclusive(async () => {
      const startedAt = performance.now();
      await this.getImage();
      const { width, height } = this;
      const rgb = paddedToRgb(this.segment.buffer, width, height, width * 4, 4, { bgr: true });
      return { rgb, width, height, pixelDensity: { scaleX: 1, scaleY: 1 }, startedAt };
    });
  }

  /** Runs `task` once every earlier one has finished: they share the segment. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => {});
    return next;
  }

  /** GetImage of the whole root window into the segment. */
  private getImage(): Promise<void> {
    const { width, height } = this;
    return new Promise((resolve, reject) => {
      this.segment.getImage(this.root, 0, 0, width, height, ALL_PLANES, ZPIXMAP, 0, (error, reply) => {
        if (error) reject(new CaptureError(`MIT-SHM GetImage failed: ${error.message}`, { cause: error }));
        else if (reply.size < width * height * 4)
          reject(new CaptureError(`MIT-SHM GetImage returned ${reply.size} bytes for ${width}x${height}`));
        else resolve();
      });
    });
  }

  encode(frame: RawFrame, options: CaptureOptions = {}): Promise<Screenshot> {
    return encodeFrame(frame, options);
  }

  close(): void {
    this.changes?.close();
    this.segment.detach(() => this.client.terminate?.());
  }
}
