import { writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CapturerKind } from '../../native-adapters/capture/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { UsageError } from './exit-codes.js';
import { stdout } from './output.js';

type Format = 'png' | 'jpeg' | 'webp';

const EXTENSIONS: Record<string, Format> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

/**
 * The image format: --format, else the --out file's extension (as Playwright does), else PNG. A file
 * named for one format and asked in another is a usage error, not a .jpg holding PNG bytes.
 */
export function screenshotFormat(out: string | undefined, format: Format | undefined): Format {
  const extension = out && out !== '-' ? /\.([a-z]+)$/i.exec(out)?.[1]?.toLowerCase() : undefined;
  const implied = extension ? EXTENSIONS[extension] : undefined;
  if (format && implied && format !== implied)
    throw new UsageError(`--out ${out} names a ${implied} file but --format is ${format}: make them agree`);
  return format ?? implied ?? 'png';
}

interface ScreenshotArgs {
  display?: string;
  out?: string;
  maxEdge?: number;
  format?: Format;
  quality: number;
  capture: CapturerKind;
}

async function screenshot(args: ArgumentsCamelCase<ScreenshotArgs>): Promise<void> {
  const format = screenshotFormat(args.out, args.format);
  const display = resolveDisplay(args.display);
  useDisplay(display);
  // Loaded here, not at the top: capture loads sharp and x11, which take a while to load.
  const { createCapturer } = await import('../../native-adapters/capture/index.js');
  const capturer = await createCapturer(args.capture);
  try {
    const shot = await capturer.capture({
      maxEdge: args.maxEdge,
      format,
      quality: args.quality,
    });
    const out =
      args.out ??
      `screenshot-${new Date().toISOString().replace(/[:.]/g, '-')}.${format === 'jpeg' ? 'jpg' : format}`;
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
      .option('format', {
        choices: ['png', 'jpeg', 'webp'] as const,
        describe: 'image format (default: from the --out extension, else png)',
      })
      .option('quality', { type: 'number', default: 80, describe: 'JPEG/WebP quality, 1-100' })
      .option('capture', {
        choices: ['auto', 'x11-shm', 'nut', 'screenshot-desktop'] as const,
        default: 'auto' as const,
        describe:
          'capture path: MIT-SHM (fastest, local X), nut-js grab (fast) or screenshot-desktop (ImageMagick); auto: the first that works',
      }) as unknown as Argv<ScreenshotArgs>,
  handler: screenshot,
};
