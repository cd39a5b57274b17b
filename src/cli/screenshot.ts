import { writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type CapturerKind, createCapturer } from '../../native-adapters/capture/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { UsageError } from './exit-codes.js';
import { stdout } from './output.js';

interface ScreenshotArgs {
  display?: string;
  out?: string;
  maxEdge?: number;
  format: 'png' | 'jpeg' | 'webp';
  quality: number;
  capture: CapturerKind;
}

async function screenshot(args: ArgumentsCamelCase<ScreenshotArgs>): Promise<void> {
  if (args.maxEdge !== undefined && !(Number.isInteger(args.maxEdge) && args.maxEdge > 0)) {
    throw new UsageError(`--max-edge must be a positive whole number of pixels, got ${args.maxEdge}`);
  }
  const display = resolveDisplay(args.display);
  useDisplay(display);
  const capturer = await createCapturer(args.capture);
  try {
    const shot = await capturer.capture({
      maxEdge: args.maxEdge,
      format: args.format,
      quality: args.quality,
    });
    const out =
      args.out ??
      `screenshot-${new Date().toISOString().replace(/[:.]/g, '-')}.${args.format === 'jpeg' ? 'jpg' : args.format}`;
    if (out === '-') {
      stdout.write(shot.data);
      return;
    }
    writeFileSync(out, shot.data);
    stdout.write(
      `${JSON.stringify({
        path: out,
        format: shot.format,
        width: shot.width,
        height: shot.height,
        bytes: shot.data.length,
        screen: { width: shot.screenWidth, height: shot.screenHeight },
        ms: Math.round(shot.durationMs * 10) / 10,
      })}\n`,
    );
  } finally {
    capturer.close?.();
  }
}

export const screenshotCommand: CommandModule<object, ScreenshotArgs> = {
  command: 'screenshot',
  describe: 'Capture the screen to an image file',
  builder: (yargs: Argv) =>
    yargs
      .option('display', { type: 'string', describe: 'X display to capture, e.g. :1 (default: $DISPLAY)' })
      .option('out', {
        type: 'string',
        describe: 'file to write; - for stdout (default: screenshot-<time>.<ext>)',
      })
      .option('max-edge', {
        type: 'number',
        describe: 'scale down so the longest edge is at most this many pixels',
      })
      .option('format', { choices: ['png', 'jpeg', 'webp'] as const, default: 'png' as const })
      .option('quality', { type: 'number', default: 80, describe: 'JPEG/WebP quality, 1-100' })
      .option('capture', {
        choices: ['auto', 'x11-shm', 'nut', 'screenshot-desktop'] as const,
        default: 'auto' as const,
        describe:
          'capture path: MIT-SHM (fastest, local X), nut-js grab (fast) or screenshot-desktop (ImageMagick); auto: the first that works',
      }) as unknown as Argv<ScreenshotArgs>,
  handler: screenshot,
};
