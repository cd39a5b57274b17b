import { correlation, type GreyImage, type Rect, shrink, statsOf } from './grey-image.js';

/**
 * Is this the screen the recording saw? Both pictures are shrunk 4 times and cut into tiles (64x64
 * screen pixels each); a tile counts as found when the same picture is on the current screen at its
 * place or moved by up to MAX_SHIFT_PX (a window that opened lower, a list that grew). The score is the
 * fraction of tiles found; SCREEN_MATCH_THRESHOLD of them means "the same screen". Moved widgets keep
 * most tiles; another application, or another page of the same one, keeps few.
 *
 * This is the coarse check a replay waits on. The one that decides where to act is the target's own
 * patch (target-match.ts).
 */
export const SCREEN_MATCH_THRESHOLD = 0.75;
/** Screen pixels a tile may have moved and still count as found. */
export const MAX_SHIFT_PX = 64;
/** Correlation at which a textured tile counts as found. */
const TILE_CORRELATION = 0.8;
/** A tile whose grey levels vary less than this is flat (background): compared by brightness. */
const FLAT_STD = 4;
/** Two flat tiles are alike when their mean grey levels differ by at most this (of 255). */
const FLAT_MEAN_TOLERANCE = 8;
const SHRINK = 4;
const TILE = 16;

export interface ScreenMatch {
  /** Fraction of tiles found, 0-1. */
  score: number;
  matches: boolean;
  tiles: number;
  ms: number;
}

export function matchScreen(expected: GreyImage, found: GreyImage): ScreenMatch {
  const started = performance.now();
  if (expected.width !== found.width || expected.height !== found.height)
    return { score: 0, matches: false, tiles: 0, ms: performance.now() - started };
  const a = shrink(expected, SHRINK);
  const b = shrink(found, SHRINK);
  const radius = Math.round(MAX_SHIFT_PX / SHRINK);
  const columns = Math.floor(a.width / TILE);
  const rows = Math.floor(a.height / TILE);
  const tiles = columns * rows;
  // Enough tiles lost: the answer is no, and searching the rest would only cost time.
  const allowedMisses = Math.floor(tiles * (1 - SCREEN_MATCH_THRESHOLD));
  let hits = 0;
  let misses = 0;
  for (let row = 0; row < rows && misses <= allowedMisses; row++) {
    for (let column = 0; column < columns && misses <= allowedMisses; column++) {
      const tile = { x: column * TILE, y: row * TILE, width: TILE, height: TILE };
      if (tileFound(a, tile, b, radius)) hits++;
      else misses++;
    }
  }
  const score = tiles === 0 ? 0 : misses > allowedMisses ? hits / tiles : (tiles - misses) / tiles;
  return {
    score,
    matches: tiles > 0 && misses <= allowedMisses,
    tiles,
    ms: performance.now() - started,
  };
}

function tileFound(a: GreyImage, tile: Rect, b: GreyImage, radius: number): boolean {
  const stats = statsOf(a, tile);
  const flat = stats.std < FLAT_STD;
  const alike = (x: number, y: number): boolean => {
    if (flat) {
      const other = statsOf(b, { x, y, width: tile.width, height: tile.height });
      return other.std < FLAT_STD * 2 && Math.abs(other.mean - stats.mean) <= FLAT_MEAN_TOLERANCE;
    }
    return correlation(a, tile, b, x, y) >= TILE_CORRELATION;
  };
  if (alike(tile.x, tile.y)) return true;
  // Nearest shifts first: ring by ring outwards.
  for (let r = 1; r <= radius; r++) {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const x = tile.x + dx;
        const y = tile.y + dy;
        if (x < 0 || y < 0 || x + tile.width > b.width || y + tile.height > b.height) continue;
        if (alike(x, y)) return true;
      }
    }
  }
  return false;
}
