import { X11Input } from '../x11/x11-input.js';
import type { InputDriver } from './input-driver.js';
import { NutInput } from './nut-input.js';

export type InputDriverName = 'auto' | 'x11' | 'nut';

/** The input driver for this platform: XTEST over the x11 package on Linux, nut-js elsewhere. */
export async function openInput(
  display: string | undefined,
  driver: InputDriverName = 'auto',
): Promise<InputDriver> {
  const chosen = driver === 'auto' ? (process.platform === 'linux' ? 'x11' : 'nut') : driver;
  if (chosen === 'x11') {
    if (!display) throw new Error('the x11 input driver needs an X display (--display :N or DISPLAY)');
    return X11Input.open(display);
  }
  return NutInput.open();
}
