import { describe, expect, it } from 'vitest';
import { Keymap } from '../../native-adapters/x11/keymap.js';

// A tiny layout: keycode 10 = a/A, 11 = 1/!, 12..14 spare (empty), 15 = Shift_L.
function layout() {
  return new Keymap({
    minKeycode: 10,
    maxKeycode: 15,
    keysymsPerKeycode: 4,
    rows: [
      [0x61, 0x41, 0x61, 0x41],
      [0x31, 0x21, 0x31, 0x21],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0xffe1, 0, 0xffe1, 0],
    ],
  });
}

describe('Keymap', () => {
  it('types layout characters with their own key, shifted ones with Shift', () => {
    const keymap = layout();
    expect(keymap.strokeFor(0x61)).toEqual({ keycode: 10, shift: false });
    expect(keymap.strokeFor(0x21)).toEqual({ keycode: 11, shift: true });
    expect(keymap.spareKeycodes).toBe(3);
  });

  it('lends spare keycodes, two characters each, to characters the layout lacks, all in one plan', () => {
    const keymap = layout();
    const keysyms = [0xe9, 0x61, 0x10065e5, 0xe9, 0x1002713];
    const plan = keymap.planRun(keysyms, 0, 1000);
    expect(plan.end).toBe(5);
    expect(plan.waitMs).toBe(0);
    const change = keymap.assign(plan.assign);
    // One request covering keycodes 12-13 (the two lent ones).
    expect(change?.firstKeycode).toBe(12);
    expect(change?.rows).toEqual([
      [0xe9, 0x10065e5, 0xe9, 0x10065e5],
      [0x1002713, 0x1002713, 0x1002713, 0x1002713],
    ]);
    expect(keymap.strokeFor(0x10065e5)).toEqual({ keycode: 12, shift: true });
  });

  it('ends a run when the slots are full, and waits before reassigning a recently used slot', () => {
    const keymap = layout();
    const many = Array.from({ length: 8 }, (_, i) => 0x1004e00 + i);
    const first = keymap.planRun(many, 0, 1000);
    expect(first.end).toBe(6); // 3 spare keycodes x 2 levels
    keymap.assign(first.assign);
    for (const [i, keysym] of many.slice(0, 6).entries()) keymap.markUsed(keysym, 1040 + i);
    const second = keymap.planRun(many, 6, 1020);
    expect(second.end).toBe(8);
    expect(second.reassigns).toBe(true);
    // The two slots safe soonest (1040, 1041) are reused: wait until 1041.
    expect(second.waitMs).toBe(21);
  });

  it('never evicts a character the same run still needs', () => {
    const keymap = layout();
    const a = 0x1004e00;
    const run1 = keymap.planRun([a], 0, 0);
    keymap.assign(run1.assign);
    const text = [0x1004e01, 0x1004e02, 0x1004e03, 0x1004e04, 0x1004e05, a];
    const plan = keymap.planRun(text, 0, 10);
    keymap.assign(plan.assign);
    for (const keysym of text.slice(0, plan.end)) expect(keymap.strokeFor(keysym)).toBeDefined();
  });

  it('changes keycodes far apart in one request, rewriting the rows between as they are', () => {
    const keymap = new Keymap({
      minKeycode: 10,
      maxKeycode: 13,
      keysymsPerKeycode: 2,
      rows: [
        [0, 0],
        [0x61, 0x41],
        [0x62, 0x42],
        [0, 0],
      ],
    });
    const plan = keymap.planRun([0xe9, 0xe8, 0xe7], 0, 0);
    expect(keymap.assign(plan.assign)).toEqual({
      firstKeycode: 10,
      rows: [
        [0xe9, 0xe8],
        [0x61, 0x41],
        [0x62, 0x42],
        [0xe7, 0xe7],
      ],
    });
  });

  it('lends only spare keycodes whose rows between survive being sent back (F1 would gain a second group)', () => {
    // Keycode 11 is like F1 on Xvfb: F1 F1 F1 F1 F1 F1 XF86Switch_VT_1.
    const f1 = [0xffbe, 0xffbe, 0xffbe, 0xffbe, 0xffbe, 0xffbe, 0x1008fe01];
    const keymap = new Keymap({
      minKeycode: 10,
      maxKeycode: 14,
      keysymsPerKeycode: 7,
      rows: [Array(7).fill(0), f1, Array(7).fill(0), [0x61, 0x41, 0x61, 0x41, 0, 0, 0], Array(7).fill(0)],
    });
    // Spare keycodes 12 and 14 (joined by a plain row) are lent; 10, beyond F1, never is.
    expect(keymap.spareKeycodes).toBe(2);
    const plan = keymap.planRun([0xe9, 0xe8, 0xe7, 0xe6, 0xe5], 0, 0);
    expect(plan.end).toBe(4);
    const change = keymap.assign(plan.assign);
    expect(change?.firstKeycode).toBe(12);
    expect(change?.rows).toHaveLength(3);
  });

  it('restores the original rows of every lent keycode', () => {
    const keymap = layout();
    keymap.assign(keymap.planRun([0xe9], 0, 0).assign);
    keymap.markUsed(0xe9, 150);
    const restore = keymap.restore(120);
    expect(restore.waitMs).toBe(30);
    expect(restore.change).toEqual({ firstKeycode: 12, rows: [[0, 0, 0, 0]] });
    expect(keymap.strokeFor(0xe9)).toBeUndefined();
  });
});
