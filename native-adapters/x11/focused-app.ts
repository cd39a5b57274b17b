/* eslint-disable @typescript-eslint/no-explicit-any -- the x11 package ships no types */
import x11 from 'x11';

const XA_STRING = 31;
const XA_WM_CLASS = 67;

/**
 * The application in front: the WM_CLASS class name ("Firefox", "Tk", "XTerm") of the window holding
 * the keyboard focus, or of its nearest ancestor that has one; else of the topmost mapped top-level
 * window that has one. undefined when no window says (an empty display).
 */
export function focusedApplication(displayName: string, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let client: any;
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(value: string | undefined) {
      clearTimeout(timer);
      try {
        client?.terminate?.();
      } catch {
        // already closed
      }
      resolve(value);
    }
    const created = x11.createClient({ display: displayName }, (error: Error | null, display: any) => {
      if (error) return finish(undefined);
      client = display.client;
      client.on('error', () => finish(undefined));
      const root: number = display.screen[0].root;
      find(client, root).then(finish, () => finish(undefined));
    });
    created?.on?.('error', () => finish(undefined));
  });
}

async function find(client: any, root: number): Promise<string | undefined> {
  const focus = await call<any>((done) => client.GetInputFocus(done));
  // 0 = None, 1 = PointerRoot: no window holds the focus.
  for (let window: number = focus?.focus ?? 0; window > 1 && window !== root;) {
    const name = await wmClass(client, window);
    if (name) return name;
    const tree = await call<any>((done) => client.QueryTree(window, done));
    window = tree?.parent ?? 0;
  }
  const tree = await call<any>((done) => client.QueryTree(root, done));
  const children: number[] = [...(tree?.children ?? [])].reverse(); // topmost first
  for (const child of children) {
    const attributes = await call<any>((done) => client.GetWindowAttributes(child, done));
    if (attributes?.mapState !== 2) continue; // IsViewable
    const name = (await wmClass(client, child)) ?? (await firstClassBelow(client, child));
    if (name) return name;
  }
  return undefined;
}

/** A reparenting window manager's frame has no WM_CLASS: its client window, one level down, does. */
async function firstClassBelow(client: any, window: number): Promise<string | undefined> {
  const tree = await call<any>((done) => client.QueryTree(window, done));
  for (const child of tree?.children ?? []) {
    const name = await wmClass(client, child);
    if (name) return name;
  }
  return undefined;
}

/** WM_CLASS is "instance\0Class\0": the class. */
async function wmClass(client: any, window: number): Promise<string | undefined> {
  const property = await call<any>((done) =>
    client.GetProperty(0, window, XA_WM_CLASS, XA_STRING, 0, 256, done),
  );
  const data: Buffer | undefined = property?.data;
  if (!data || data.length === 0) return undefined;
  const parts = data.toString('latin1').split('\0').filter(Boolean);
  return parts[1] ?? parts[0];
}

function call<T>(send: (done: (error: Error | null, reply: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve) => {
    send((error, reply) => {
      resolve(error ? undefined : reply);
      return true;
    });
  });
}
