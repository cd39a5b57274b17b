import type { Point } from '../protocol/actions.js';
import { correlation, type GreyImage, type Rect, shrink, statsOf } from './grey-image.js';

/**
 * Where is the recorded target now? The patch around the action's point in the recorded screenshot
 * (PATCH_SIZES: 64x64 screenshot pixels, larger when that is flat, so that an empty text field takes
 * its border and label along) is searched for by normalized cross-correlation in a window of
 * SEARCH_RADIUS_PX around the recorded point: first on pictures shrunk so the patch is ~16 px a side, then at full size
 * around the best few places. Found at FOUND_CORRELATION or better: act there (moved = healed).
 * Patches equally good at several places (rows of a list) resolve to the one nearest the recorded point.
 */
export const FOUND_CORRELATION = 0.9;
export const SEARCH_RADIUS_PX = 160;
export const PATCH_SIZES = [64, 128, 192];
/** A patch whose grey levels vary less than this has nothing to recognise it by. */
const FEATURELESS_STD = 6;
/** The coarse search works on the patch shrunk to about this many pixels a side. */
const COARSE_PATCH = 16;
const COARSE_CANDIDATES = 4;
/** The largest patch at least this alike at the recorded place: the screen did not change there. */
const UNCHANGED_CORRELATION = 0.97;
/** Scores within this of the best are ties: the patch does not tell the places apart. */
const TIE = 0.02;

export type TargetMatch =
  | { found: true; point: Point; shift: Point; score: number; patch: number; ms: number }
  | { found: false; score: number; patch: number; ms: number; featureless?: boolean };

/**
 * Finds the recorded patch around `point` (screenshot pixels) of `expected` on `found`. A patch that
 * fits equally well at several places (an empty text field among others like it) is grown, taking more
 * of its surroundings along, until one place wins; at the largest size the nearest good place wins.
 */
export function findTarget(expected: GreyImage, found: GreyImage, point: Point): TargetMatch {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const px = Math.round(point.x);
  const py = Math.round(point.y);
  const sizes = PATCH_SIZES.filter(
    (size) => statsOf(expected, patchAround(expected, px, py, size)).std >= FEATURELESS_STD,
  );
  if (sizes.length === 0) return { found: false, score: 0, patch: 0, ms: elapsed(), featureless: true };
  // An unchanged screen: the largest patch, with all its surroundings, is right where it was.
  const whole = patchAround(expected, px, py, sizes.at(-1)!);
  if (correlation(expected, whole, found, whole.x, whole.y) >= UNCHANGED_CORRELATION)
    return { found: true, point, shift: { x: 0, y: 0 }, score: 1, patch: sizes.at(-1)!, ms: elapsed() };
  const shrunk = new Map<number, [GreyImage, GreyImage]>();
  const pictures = (factor: number): [GreyImage, GreyImage] => {
    let pair = shrunk.get(factor);
    if (!pair) {
      pair = [shrink(expected, factor), shrink(found, factor)];
      shrunk.set(factor, pair);
    }
    return pair;
  };
  let last: TargetMatch | undefined;
  for (const size of sizes) {
    const search = searchPatch(expected, found, pictures, patchAround(expected, px, py, size));
    if (!search) {
      last ??= { found: false, score: 0, patch: size, ms: elapsed() };
      continue;
    }
    const { best, ambiguous } = search;
    if (best.score < FOUND_CORRELATION) {
      // A larger patch may still be found (its surroundings moved along), or not: keep the best answer.
      if (!last || !last.found)
        last = { found: false, score: Math.max(best.score, last?.score ?? 0), patch: size, ms: elapsed() };
      continue;
    }
    last = {
      found: true,
      point: { x: point.x + best.x, y: point.y + best.y },
      shift: { x: best.x, y: best.y },
      score: best.score,
      patch: size,
      ms: elapsed(),
    };
    if (!ambiguous) return last;
  }
  return { ...last!, ms: elapsed() };
}

interface Place {
  x: number;
  y: number;
  score: number;
}

/**
 * The best shift of `patch` from `expected` on `found`: at the recorded place when it is unchanged, else
 * coarse (shrunk pictures, the whole window) then fine (full size, around the best few places).
 * `ambiguous` when another distinct place scores within TIE of it.
 */
function searchPatch(
  expected: GreyImage,
  found: GreyImage,
  pictures: (factor: number) => [GreyImage, GreyImage],
  patch: Rect,
): { best: Place; ambiguous: boolean } | undefined {
  const inside = (x: number, y: number) =>
    x >= 0 && y >= 0 && x + patch.width <= found.width && y + patch.height <= found.height;
  // Coarse: the patch shrunk to about 16x16 pixels, at every place of the window.
  const factor = Math.max(4, Math.round(Math.max(patch.width, patch.height) / COARSE_PATCH));
  const [smallA, smallB] = pictures(factor);
  const smallPatch = {
    x: Math.floor(patch.x / factor),
    y: Math.floor(patch.y / factor),
    width: Math.max(2, Math.floor(patch.width / factor)),
    height: Math.max(2, Math.floor(patch.height / factor)),
  };
  const radius = Math.round(SEARCH_RADIUS_PX / factor);
  const coarse: Place[] = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const x = smallPatch.x + dx;
      const y = smallPatch.y + dy;
      if (x < 0 || y < 0 || x + smallPatch.width > smallB.width || y + smallPatch.height > smallB.height)
        continue;
      const score = correlation(smallA, smallPatch, smallB, x, y);
      if (score > 0.5) coarse.push({ x: dx * factor, y: dy * factor, score });
    }
  }
  coarse.sort((a, b) => b.score - a.score);
  const picked: Place[] = [];
  for (const place of coarse) {
    if (picked.length >= COARSE_CANDIDATES) break;
    if (picked.every((p) => Math.abs(p.x - place.x) > factor * 2 || Math.abs(p.y - place.y) > factor * 2))
      picked.push(place);
  }
  // Fine: full size around each place, first over the coarse cell looking at every few pixels only,
  // then each place nearby at every 2nd pixel, then at every pixel.
  const area = patch.width * patch.height;
  const refine = (place: Place, reach: number, stride: number, step: number): Place => {
    let best: Place = { x: place.x, y: place.y, score: -2 };
    for (let dy = -reach; dy <= reach; dy += stride) {
      for (let dx = -reach; dx <= reach; dx += stride) {
        const sx = place.x + dx;
        const sy = place.y + dy;
        if (!inside(patch.x + sx, patch.y + sy)) continue;
        const score = correlation(expected, patch, found, patch.x + sx, patch.y + sy, step);
        // Equal scores (a plain field slides along itself): the smaller move wins.
        const better =
          score > best.score + 1e-6 ||
          (score > best.score - 1e-6 && Math.hypot(sx, sy) < Math.hypot(best.x, best.y));
        if (better) best = { x: sx, y: sy, score };
      }
    }
    return best;
  };
  const refined: Place[] = [];
  for (const place of picked) {
    let best = factor > 4 ? refine(place, factor, 2, Math.max(1, Math.floor(factor / 4))) : place;
    best = area > 64 * 64 ? refine(best, 2, 1, 2) : refine(best, factor, 1, 1);
    best = refine(best, 1, 1, 1);
    if (best.score >= -1) refined.push(best);
  }
  if (refined.length === 0) return undefined;
  const top = Math.max(...refined.map((r) => r.score));
  const ties = refined.filter((r) => r.score >= top - TIE);
  ties.sort((a, b) => Math.hypot(a.x, a.y) - Math.hypot(b.x, b.y));
  const best = ties[0]!;
  const distinct = ties.filter((r) => Math.abs(r.x - best.x) > 4 || Math.abs(r.y - best.y) > 4);
  return { best, ambiguous: distinct.length > 0 };
}

/** A square of `size` centred on (x, y), cut to the picture. */
function patchAround(image: GreyImage, x: number, y: number, size: number): Rect {
  const half = Math.floor(size / 2);
  const left = Math.max(0, x - half);
  const top = Math.max(0, y - half);
  const right = Math.min(image.width, x + half);
  const bottom = Math.min(image.height, y + half);
  return { x: left, y: top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}
