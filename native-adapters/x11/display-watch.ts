import { XConnection } from './x11-connection.js';

/**
 * Tells when an X display goes away (its server crashed or was killed): a connection of its own that
 * does nothing but notice the socket close. Without it, requests to a dead server wait for replies
 * that never come, and Node ends the process with exit 13 and no word.
 */
export async function watchDisplay(display: string, onLost: (why: string) => void): Promise<() => void> {
  const connection = await XConnection.open(display);
  connection.onLost((error) => onLost(error.message));
  return () => connection.close();
}
