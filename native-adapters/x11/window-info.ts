import { XConnection } from './x11-connection.js';

/** The application window an action would reach, as a policy names it. */
export interface WindowInfo {
  id: number;
  /** WM_CLASS: instance and class names (e.g. ["xterm", "XTerm"]); empty when unset. */
  wmClass: string[];
  /** _NET_WM_NAME, else WM_NAME; empty when unset. */
  title: string;
}

/**
 * Finds the application window under a point or with the keyboard focus. The window a client made is
 * the one with WM_STATE (ICCCM: the window manager sets it on client windows, as xprop and xdotool
 * look for it); without a window manager nothing has WM_STATE, and the nearest window with a WM_CLASS
 * is the application's.
 */
export class WindowInspector {
  private constructor(
    private readonly connection: XConnection,
    private readonly atoms: Record<'wmState' | 'wmClass' | 'wmName' | 'netWmName', number>,
  ) {}

  static async open(displayName: string): Promise<WindowInspector> {
    const connection = await XConnection.open(displayName);
    const [wmState, wmClass, wmName, netWmName] = await Promise.all(
      ['WM_STATE', 'WM_CLASS', 'WM_NAME', '_NET_WM_NAME'].map((name) => connection.internAtom(name)),
    );
    return new WindowInspector(connection, {
      wmState: wmState as number,
      wmClass: wmClass as number,
      wmName: wmName as number,
      netWmName: netWmName as number,
    });
  }

  /** The application window at the screen point (x, y); undefined over the bare root window. */
  async at(x: number, y: number): Promise<WindowInfo | undefined> {
    const path: number[] = [];
    let window = this.connection.root;
    for (let depth = 0; depth < 32; depth++) {
      const child = await this.connection.childAt(window, Math.round(x), Math.round(y));
      if (child === 0) break;
      path.push(child);
      window = child;
    }
    return this.applicationWindow(path);
  }

  /** The application window with the keyboard focus (under the pointer when focus follows it). */
  async focused(): Promise<WindowInfo | undefined> {
    let window = await this.connection.inputFocus();
    if (window <= 1 || window === this.connection.root) {
      const pointer = await this.connection.queryPointer();
      return this.at(pointer.x, pointer.y);
    }
    const path: number[] = [];
    while (window > 1 && window !== this.connection.root && path.length < 64) {
      path.unshift(window);
      window = await this.connection.parentOf(window);
    }
    return this.applicationWindow(path);
  }

  close(): void {
    this.connection.close();
  }

  /** `path` runs from a top-level window down: the window with WM_STATE, else the deepest with WM_CLASS. */
  private async applicationWindow(path: number[]): Promise<WindowInfo | undefined> {
    for (const window of path)
      if ((await this.connection.property32(window, this.atoms.wmState)).length > 0)
        return this.describe(window);
    // WM_STATE is 32-bit data: property32 reads it; a window manager-less display has none.
    for (const window of [...path].reverse()) {
      const info = await this.describe(window);
      if (info.wmClass.length > 0) return info;
    }
    return path[0] === undefined ? undefined : this.describe(path[0]);
  }

  private async describe(window: number): Promise<WindowInfo> {
    const wmClass = (await this.connection.property8(window, this.atoms.wmClass))
      .toString('latin1')
      .split('\0')
      .filter(Boolean);
    const net = await this.connection.property8(window, this.atoms.netWmName);
    const title =
      net.length > 0
        ? net.toString('utf8')
        : (await this.connection.property8(window, this.atoms.wmName)).toString('latin1');
    return { id: window, wmClass, title };
  }
}
