/**
 * The picture a person checks: an SVG the size of the screenshot that marks every tested point
 * (a circle and crosshair where toScreen sent the pointer, a dot where the pointer was), the display's
 * outline when it is a part of the screen, and the verdict. Composited over the capture by the CLI.
 */
import type { PointResult } from './self-test.js';
import type { DisplayProfile, Point, Size } from './spaces.js';

export interface OverlayInput {
  /** The screenshot's size in physical pixels. */
  image: Size;
  /** The global logical position of the screenshot's top-left pixel (0,0 for a whole X screen). */
  imageOrigin?: Point;
  /** Physical pixels per logical pixel in the screenshot. */
  scaleFactor: number;
  profile: DisplayProfile;
  points: readonly PointResult[];
  /** One line written at the top, e.g. the verdict. */
  title: string;
}

const PASS = '#00d000';
const FAIL = '#ff2020';
const POINTER = '#ff00ff';
const OUTLINE = '#00c8ff';

export function calibrationOverlaySvg(input: OverlayInput): string {
  const { image, scaleFactor, profile, points, title } = input;
  const origin = input.imageOrigin ?? { x: 0, y: 0 };
  // The centre of a logical pixel, in image pixels.
  const toImage = (p: Point): Point => ({
    x: (p.x - origin.x + 0.5) * scaleFactor,
    y: (p.y - origin.y + 0.5) * scaleFactor,
  });
  const size = Math.max(8, Math.round(Math.min(image.width, image.height) / 60));
  const font = Math.max(10, Math.round(size * 0.9));
  const parts: string[] = [];

  const { display } = profile;
  const wholeImage =
    display.originX === origin.x &&
    display.originY === origin.y &&
    Math.round(display.width * scaleFactor) === image.width &&
    Math.round(display.height * scaleFactor) === image.height;
  if (!wholeImage) {
    const x = (display.originX - origin.x) * scaleFactor;
    const y = (display.originY - origin.y) * scaleFactor;
    parts.push(
      `<rect x="${n(x + 1)}" y="${n(y + 1)}" width="${n(display.width * scaleFactor - 2)}" ` +
        `height="${n(display.height * scaleFactor - 2)}" fill="none" stroke="${OUTLINE}" stroke-width="2" stroke-dasharray="8 6"/>`,
    );
  }

  for (const point of points) {
    const colour = point.ok ? PASS : FAIL;
    const at = toImage(point.expected);
    const seen = toImage(point.actual);
    parts.push(
      `<circle cx="${n(at.x)}" cy="${n(at.y)}" r="${size}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      `<line x1="${n(at.x - 2 * size)}" y1="${n(at.y)}" x2="${n(at.x + 2 * size)}" y2="${n(at.y)}" stroke="${colour}" stroke-width="1"/>`,
      `<line x1="${n(at.x)}" y1="${n(at.y - 2 * size)}" x2="${n(at.x)}" y2="${n(at.y + 2 * size)}" stroke="${colour}" stroke-width="1"/>`,
      `<circle cx="${n(seen.x)}" cy="${n(seen.y)}" r="3" fill="${POINTER}"/>`,
    );
    // Labels go toward the image's inside, so the corner points keep theirs on the picture.
    const right = at.x > image.width / 2;
    const below = at.y < image.height / 2;
    const label =
      `${point.name} (${point.model.x}, ${point.model.y}) -> ${point.actual.x},${point.actual.y}` +
      (point.ok ? '' : ` expected ${point.expected.x},${point.expected.y}`);
    parts.push(
      text(
        label,
        at.x + (right ? -1.4 : 1.4) * size,
        at.y + (below ? 1.4 * size + font : -1.4 * size),
        right ? 'end' : 'start',
        font,
        colour,
      ),
    );
  }
  parts.push(text(title, image.width / 2, 2.5 * font, 'middle', Math.round(font * 1.2), '#ffffff'));

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}" ` +
    `viewBox="0 0 ${image.width} ${image.height}">${parts.join('')}</svg>`
  );
}

/** Text with a dark outline, readable on any background. */
function text(value: string, x: number, y: number, anchor: string, size: number, colour: string): string {
  return (
    `<text x="${n(x)}" y="${n(y)}" text-anchor="${anchor}" font-family="DejaVu Sans, sans-serif" font-size="${size}" ` +
    `fill="${colour}" stroke="#000000" stroke-width="3" paint-order="stroke">${escapeXml(value)}</text>`
  );
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
