/** Choosing the X display a process works on, and the clear errors when there is none to use. */

export class DisplayError extends Error {
  override name = 'DisplayError';
}

/** No X server answers on the display: what to do about it, without the socket's internals. */
export function unreachableDisplay(displayName: string, error: Error): DisplayError {
  const code = (error as NodeJS.ErrnoException).code ?? error.message;
  return new DisplayError(
    `no X server answers on display ${displayName} (${code}). Start one there (e.g. Xvfb ${displayName}), ` +
      'or pass --display :N for a display that has one.',
  );
}

const DISPLAY_NAME = /^[\w.-]*:\d+(\.\d+)?$/;
/** X listens on TCP port 6000 + N, so N above this is no display any server can have. */
const MAX_DISPLAY_NUMBER = 65535 - 6000;

function displayNumberTooLarge(name: string): boolean {
  return Number(/:(\d+)/.exec(name)?.[1]) > MAX_DISPLAY_NUMBER;
}

/**
 * The X display to use: `--display` when given, else $DISPLAY. Returns undefined off Linux, where the
 * OS has one desktop and no display names. Refuses a Wayland session unless a display was named.
 */
export function resolveDisplay(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (flag !== undefined) {
    if (!DISPLAY_NAME.test(flag)) {
      throw new DisplayError(
        `--display ${JSON.stringify(flag)} is not an X display name: use the form :N, e.g. --display :1`,
      );
    }
    if (displayNumberTooLarge(flag))
      throw new DisplayError(
        `--display ${flag}: X display numbers go up to ${MAX_DISPLAY_NUMBER}; name the display of a running X server, e.g. --display :1`,
      );
    return flag;
  }
  const wayland = env.XDG_SESSION_TYPE === 'wayland' || Boolean(env.WAYLAND_DISPLAY);
  if (wayland) {
    throw new DisplayError(
      'this is a Wayland session: Wayland blocks simulated input (XTest) and screen capture for other programs, ' +
        'so deskhand would click and see nothing. Log in to an X11 (Xorg) session, run headless on a private ' +
        'display with --xvfb, or name an X server explicitly with --display :N.',
    );
  }
  const display = env.DISPLAY;
  if (!display) {
    throw new DisplayError(
      'no X display: DISPLAY is unset. Run deskhand inside a desktop session, pass --display :N for a running ' +
        'X server, or use --xvfb to start a private virtual display (needs Xvfb: ./scripts/setup).',
    );
  }
  if (!DISPLAY_NAME.test(display))
    throw new DisplayError(`DISPLAY=${JSON.stringify(display)} is not an X display name (expected :N)`);
  if (displayNumberTooLarge(display))
    throw new DisplayError(`DISPLAY=${display}: X display numbers go up to ${MAX_DISPLAY_NUMBER}`);
  return display;
}

/**
 * Points this process at one display. nut-js opens its X connection once, from $DISPLAY, on first use
 * and keeps it (DESIGN.md, Displays), so this must run before any input or capture: one process, one display.
 */
export function useDisplay(name: string | undefined): void {
  if (name) process.env.DISPLAY = name;
}
