import type { Action, Point } from '../protocol/actions.js';

const at = (p: Point | undefined) => (p ? `(${Math.round(p.x)}, ${Math.round(p.y)})` : '');

/** An action in words, with its screen coordinates, for people reading progress lines and logs. */
export function describeAction(action: Action, screen: Point[]): string {
  const where = at(screen[0]);
  switch (action.type) {
    case 'click': {
      const kind = ['click', 'double-click', 'triple-click'][action.count - 1] ?? 'click';
      const button = action.button === 'left' ? '' : `${action.button} `;
      const held = action.keys?.length ? ` holding ${action.keys.join('+')}` : '';
      return `${button}${kind} at ${where}${held}`;
    }
    case 'move':
      return `move to ${where}`;
    case 'mouse_down':
    case 'mouse_up':
      return `${action.button} button ${action.type === 'mouse_down' ? 'down' : 'up'}${where ? ` at ${where}` : ''}`;
    case 'drag':
      return `drag from ${at(screen[0])} to ${at(screen.at(-1))}`;
    case 'scroll': {
      const parts = [];
      if (action.scrollY) parts.push(`${action.scrollY > 0 ? 'down' : 'up'} ${Math.abs(action.scrollY)}`);
      if (action.scrollX) parts.push(`${action.scrollX > 0 ? 'right' : 'left'} ${Math.abs(action.scrollX)}`);
      return `scroll ${parts.join(', ') || '0'}${where ? ` at ${where}` : ''}`;
    }
    case 'type': {
      const chars = Array.from(action.text).length;
      const shown = Array.from(action.text).slice(0, 40).join('');
      return `type ${JSON.stringify(shown)}${chars > 40 ? `… (${chars} characters)` : ''}`;
    }
    case 'keypress':
      return `key ${action.keys.join('+')}`;
    case 'key_down':
      return `hold ${action.keys.join('+')}`;
    case 'key_up':
      return `release ${action.keys.join('+')}`;
    case 'wait':
      return `wait ${(action.ms / 1000).toFixed(1)} s`;
    case 'navigate':
      return `go to ${action.url}`;
    case 'point_and_type':
      return `click at ${where} and type ${JSON.stringify(Array.from(action.text).slice(0, 40).join(''))}`;
    case 'screenshot':
      return 'take a screenshot';
    case 'end':
      return `end: ${action.outcome}${action.result ? ` (${action.result})` : ''}`;
  }
}

/** "1 action", "2 actions". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
