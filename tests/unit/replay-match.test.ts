import { describe, expect, it } from 'vitest';
import type { GreyImage } from '../../src/replay/grey-image.js';
import { fillParams, parseParams, toPlaceholders } from '../../src/replay/params.js';
import { matchScreen } from '../../src/replay/screen-match.js';
import { findTarget } from '../../src/replay/target-match.js';

const W = 640;
const H = 400;

/** A flat screen with textured "widgets" (seeded noise blocks) at the given places. */
function screen(
  widgets: { x: number; y: number; w: number; h: number; seed: number }[],
  bg = 235,
): GreyImage {
  const data = new Uint8Array(W * H).fill(bg);
  for (const widget of widgets) {
    let state = widget.seed;
    for (let y = 0; y < widget.h; y++)
      for (let x = 0; x < widget.w; x++) {
        state = (state * 1103515245 + 12345) >>> 0;
        const px = widget.x + x;
        const py = widget.y + y;
        if (px >= 0 && py >= 0 && px < W && py < H) data[py * W + px] = 40 + ((state >>> 16) % 160);
      }
  }
  return { data, width: W, height: H };
}

const form = (dx = 0, dy = 0) =>
  screen([
    { x: 60 + dx, y: 40 + dy, w: 200, h: 30, seed: 1 },
    { x: 60 + dx, y: 120 + dy, w: 120, h: 30, seed: 2 },
    { x: 300 + dx, y: 200 + dy, w: 80, h: 40, seed: 3 },
  ]);

describe('replay matching', () => {
  it('finds an unchanged target where it was', () => {
    const match = findTarget(form(), form(), { x: 340, y: 220 });
    expect(match).toMatchObject({ found: true, shift: { x: 0, y: 0 } });
    expect(matchScreen(form(), form()).matches).toBe(true);
  });

  it('finds a target moved by tens of pixels, and still calls it the same screen', () => {
    const moved = form(40, 30);
    expect(matchScreen(form(), moved).matches).toBe(true);
    const match = findTarget(form(), moved, { x: 340, y: 220 });
    expect(match).toMatchObject({ found: true, shift: { x: 40, y: 30 }, point: { x: 380, y: 250 } });
  });

  it('finds neither on another screen', () => {
    const other = screen([{ x: 0, y: 0, w: W, h: H, seed: 99 }], 20);
    expect(matchScreen(form(), other).matches).toBe(false);
    expect(findTarget(form(), other, { x: 340, y: 220 }).found).toBe(false);
  });

  it('does not find a covered target', () => {
    const covered = screen([
      { x: 60, y: 40, w: 200, h: 30, seed: 1 },
      { x: 60, y: 120, w: 120, h: 30, seed: 2 },
      { x: 250, y: 160, w: 200, h: 140, seed: 7 },
    ]);
    expect(findTarget(form(), covered, { x: 340, y: 220 }).found).toBe(false);
  });
});

describe('replay parameters', () => {
  it('fills placeholders when acting and puts them back when storing', () => {
    expect(parseParams(['CUSTOMER=Acme = Co'])).toEqual({ CUSTOMER: 'Acme = Co' });
    expect(() => parseParams(['no-equals'])).toThrow(/expected NAME=value/);
    expect(fillParams({ type: 'type', text: 'for {{CUSTOMER}}' }, { CUSTOMER: 'Acme' })).toEqual({
      type: 'type',
      text: 'for Acme',
    });
    expect(toPlaceholders({ type: 'type', text: 'Acme Corp' }, { CUSTOMER: 'Acme Corp' })).toEqual({
      type: 'type',
      text: '{{CUSTOMER}}',
    });
  });
});
