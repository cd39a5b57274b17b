import { describe, expect, it } from 'vitest';
import { mapPoints } from '../../src/protocol/actions.js';
import { ActionError, parseLightconeAction } from '../../src/protocol/lightcone-actions.js';

function fieldOf(input: unknown): string {
  try {
    parseLightconeAction(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return (error as ActionError).field;
  }
  throw new Error('expected an ActionError');
}

describe('parseLightconeAction', () => {
  it('converts the click family', () => {
    expect(parseLightconeAction({ type: 'click', x: 950, y: 530 })).toEqual({
      type: 'click',
      x: 950,
      y: 530,
      button: 'left',
      count: 1,
      keys: undefined,
    });
    expect(parseLightconeAction({ type: 'triple_click', x: '1', y: '2' })).toMatchObject({
      count: 3,
      x: 1,
      y: 2,
    });
    expect(parseLightconeAction({ type: 'right_click', x: 1, y: 2 })).toMatchObject({ button: 'right' });
    expect(parseLightconeAction({ type: 'click', x: 1, y: 2, button: 'wheel' })).toMatchObject({
      button: 'middle',
    });
    expect(parseLightconeAction({ type: 'click', x: 1, y: 2, keys: ['shift'] })).toMatchObject({
      keys: ['shift'],
    });
  });

  it('converts drags given as end points or as a path', () => {
    expect(parseLightconeAction({ type: 'drag', x: 700, y: 60, end_x: 1100, end_y: 300 })).toMatchObject({
      path: [
        { x: 700, y: 60 },
        { x: 1100, y: 300 },
      ],
    });
    expect(
      parseLightconeAction({
        type: 'drag',
        path: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
          { x: 5, y: 6 },
        ],
      }),
    ).toMatchObject({
      path: [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
        { x: 5, y: 6 },
      ],
    });
    expect(
      fieldOf({
        type: 'drag',
        path: [
          { x: 1, y: 2 },
          { x: 'q', y: 4 },
        ],
      }),
    ).toBe('path[1].x');
  });

  it('converts scroll and hscroll with positive meaning right and down', () => {
    expect(parseLightconeAction({ type: 'hscroll', x: 300, y: 600, scroll_x: 300 })).toEqual({
      type: 'scroll',
      x: 300,
      y: 600,
      scrollX: 300,
      scrollY: 0,
    });
    expect(parseLightconeAction({ type: 'scroll', x: 1, y: 2, scroll_y: -5 })).toMatchObject({
      scrollX: 0,
      scrollY: -5,
    });
  });

  it('normalizes keys and reports unknown names against the keys field', () => {
    expect(parseLightconeAction({ type: 'key', keys: 'ctrl+c' })).toEqual({
      type: 'keypress',
      keys: ['ctrl', 'c'],
    });
    expect(parseLightconeAction({ type: 'key_down', keys: ['Shift'] })).toEqual({
      type: 'key_down',
      keys: ['shift'],
    });
    expect(fieldOf({ type: 'key', keys: ['warp'] })).toBe('keys');
  });

  it('converts the endings', () => {
    expect(parseLightconeAction({ type: 'terminate', status: 'failure', result: 'no' })).toEqual({
      type: 'end',
      outcome: 'failure',
      result: 'no',
    });
    expect(parseLightconeAction({ type: 'answer', result: '42' })).toMatchObject({
      outcome: 'success',
      result: '42',
    });
    expect(parseLightconeAction({ type: 'done', text: 'ok' })).toMatchObject({
      outcome: 'success',
      result: 'ok',
    });
  });

  it('names the field of every malformed action', () => {
    expect(fieldOf({ type: 'click', y: 1 })).toBe('x');
    expect(fieldOf({ type: 'click', x: 'abc', y: 1 })).toBe('x');
    expect(fieldOf({ type: 'click', x: 1, y: Number.NaN })).toBe('y');
    expect(fieldOf({ type: 'type' })).toBe('text');
    expect(fieldOf({ type: 'teleport' })).toBe('type');
    expect(fieldOf('click')).toBe('type');
    expect(fieldOf({ type: 'click', x: 1, y: 1, button: 'thumb' })).toBe('button');
    expect(fieldOf({ type: 'terminate', status: 'maybe' })).toBe('status');
    expect(fieldOf({ type: 'hscroll', x: 1, y: 1 })).toBe('scroll_x');
  });

  it('maps every point of an action', () => {
    const drag = parseLightconeAction({ type: 'drag', x: 1, y: 2, end_x: 3, end_y: 4 });
    expect(mapPoints(drag, (p) => ({ x: p.x * 10, y: p.y * 10 }))).toMatchObject({
      path: [
        { x: 10, y: 20 },
        { x: 30, y: 40 },
      ],
    });
  });
});
