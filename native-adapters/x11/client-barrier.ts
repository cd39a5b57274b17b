import type { XConnection } from './x11-connection.js';

export type BarrierResult = 'handled' | 'unsupported' | 'timeout' | 'aborted';

/**
 * Proof that the application with the keyboard focus has handled every event sent to it so far.
 *
 * X clients turn keycodes into characters on their side, when they handle each event, with the keymap
 * they fetched last; the server cannot tell when that happened. _NET_WM_PING can: a client that lists
 * it in WM_PROTOCOLS answers the ping (sent to its window, queued behind the key events already sent)
 * by sending it back to the root window when it reaches it, in order with its other events. So the
 * answer means every earlier key event has been translated, however slow the client is. GTK, Qt,
 * Chromium, Firefox and Electron answer pings; Tk and Xt applications (xterm) do not ('unsupported').
 */
export class ClientBarrier {
  private stamp = 1;
  private readonly waiting = new Map<number, () => void>();

  private constructor(
    private readonly connection: XConnection,
    private readonly atoms: { protocols: number; ping: number },
  ) {
    connection.watchRoot();
    connection.onClientMessage(({ type, data }) => {
      if (type !== this.atoms.protocols || data[0] !== this.atoms.ping) return;
      this.waiting.get(data[1] ?? 0)?.();
    });
  }

  static async open(connection: XConnection): Promise<ClientBarrier> {
    const [protocols, ping] = await Promise.all([
      connection.internAtom('WM_PROTOCOLS'),
      connection.internAtom('_NET_WM_PING'),
    ]);
    return new ClientBarrier(connection, { protocols, ping });
  }

  /** Waits until the focused client has handled every event sent before this call. */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<BarrierResult> {
    const window = await this.pingableFocus();
    if (window === undefined) return 'unsupported';
    const stamp = this.stamp++;
    return new Promise<BarrierResult>((resolve) => {
      const finish = (result: BarrierResult) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(stamp);
        resolve(result);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      this.waiting.set(stamp, () => finish('handled'));
      if (signal?.aborted) return finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.connection.sendClientMessage(window, window, this.atoms.protocols, [
        this.atoms.ping,
        stamp,
        window,
        0,
        0,
      ]);
    });
  }

  /** The focused window or its nearest ancestor that takes _NET_WM_PING; undefined when none does. */
  private async pingableFocus(): Promise<number | undefined> {
    let window = await this.connection.inputFocus();
    // PointerRoot, or the root itself: the keyboard goes to the top-level window under the pointer,
    // which under a window manager is its frame, with the application's window inside.
    if (window === 1 || window === this.connection.root) {
      const top = (await this.connection.queryPointer()).child;
      if (top === 0) return undefined;
      return (await this.takesPing(top)) ? top : this.pingableChild(top);
    }
    while (window > 1 && window !== this.connection.root) {
      if (await this.takesPing(window)) return window;
      window = await this.connection.parentOf(window);
    }
    return undefined;
  }

  private async pingableChild(frame: number): Promise<number | undefined> {
    for (const child of await this.connection.childrenOf(frame)) {
      if (await this.takesPing(child)) return child;
    }
    return undefined;
  }

  private async takesPing(window: number): Promise<boolean> {
    return (await this.connection.property32(window, this.atoms.protocols)).includes(this.atoms.ping);
  }
}
