import { join } from 'node:path';
import sharp from 'sharp';
import { captionOf, drawMark, escape } from './render.js';
import { readReportView, type StepView } from './view.js';

/** The marks' look in a standalone SVG (the page's CSS is not there). */
const SVG_STYLE = `
.ring{fill:rgba(224,36,94,.18);stroke:#e0245e}.dot,.head{fill:#e0245e}polyline,line{stroke:#e0245e}
text{fill:#fff;stroke:#e0245e;stroke-width:.5px;paint-order:stroke;font-weight:700;font-family:sans-serif;text-anchor:middle;dominant-baseline:central}
.mark-scroll text{text-anchor:start}
.label{fill:#fff;stroke:none;font-weight:600;text-anchor:start;dominant-baseline:auto}
`;

export interface AnimationOptions {
  format?: 'gif' | 'webp';
  /** Frames are scaled down to this width (default 800; never up). */
  width?: number;
  /** Time each step stays on screen (default 1200 ms). */
  frameMs?: number;
  /** Where to write (default: run.gif / run.webp in the record folder). */
  out?: string;
}

/**
 * The run as an animated GIF (or WebP), one frame per step: the screenshot the model saw with the
 * action drawn where it landed, and a caption (step, action, typed text as recorded: secrets stay
 * placeholders). For a pull request or a bug report. Returns the file written.
 */
export async function writeAnimation(dir: string, options: AnimationOptions = {}): Promise<string> {
  const view = await readReportView(dir);
  const format = options.format ?? 'gif';
  const out = options.out ?? join(dir, `run.${format}`);
  const steps = view.steps.filter((step) => step.screenshot);
  if (steps.length === 0) throw new Error(`${dir}: the record has no step with a screenshot to animate`);
  const viewport = view.profile?.viewport;
  const frames: Buffer[] = [];
  let size: { width: number; height: number } | undefined;
  for (const step of steps) {
    const image = sharp(join(dir, step.screenshot!));
    const meta = await image.metadata();
    const source = { width: meta.width ?? 1, height: meta.height ?? 1 };
    const target = size ?? fit(source, options.width ?? 800);
    size = target;
    const overlay = Buffer.from(frameSvg(step, viewport ?? source, source, steps.length));
    frames.push(
      await image
        .composite([{ input: overlay, top: 0, left: 0 }])
        .png()
        .toBuffer()
        .then((composited) =>
          sharp(composited)
            .resize(target.width, target.height, { fit: 'fill' })
            .removeAlpha()
            .png()
            .toBuffer(),
        ),
    );
  }
  const animated = sharp(frames, { join: { animated: true } });
  const delay = options.frameMs ?? 1200;
  if (format === 'webp') await animated.webp({ delay, loop: 0, quality: 80 }).toFile(out);
  else await animated.gif({ delay, loop: 0, keepDuplicateFrames: true }).toFile(out);
  return out;
}

function fit(size: { width: number; height: number }, width: number) {
  if (size.width <= width) return size;
  return { width, height: Math.round((size.height * width) / size.width) };
}

/** The marks over the screenshot (in its pixels, as the page draws them) and a caption band. */
function frameSvg(
  step: StepView,
  viewport: { width: number; height: number },
  image: { width: number; height: number },
  count: number,
): string {
  const edge = Math.max(viewport.width, viewport.height);
  const said = captionOf(step);
  const what =
    step.kind === 'rejected'
      ? `rejected: ${step.notes[0]?.message ?? ''}`
      : `${said ?? step.actionType ?? ''}${step.held.length ? ` (holding ${step.held.join(' + ')})` : ''}`;
  const text = `Step ${step.index}/${count}, turn ${step.turn}: ${what}`;
  const band = Math.round(edge / 28);
  const cut = text.length > 110 ? `${text.slice(0, 109)}…` : text;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}" viewBox="0 0 ${viewport.width} ${viewport.height}" preserveAspectRatio="none"><style>${SVG_STYLE}</style>${step.marks.map((mark) => drawMark(mark, edge)).join('')}<rect x="0" y="${viewport.height - band}" width="${viewport.width}" height="${band}" fill="rgba(29,35,48,0.85)"/><text class="label" x="${band / 3}" y="${viewport.height - band / 3}" font-size="${band * 0.55}">${escape(cut)}</text></svg>`;
}
