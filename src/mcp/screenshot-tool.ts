import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpContext } from './context.js';

type Content = CallToolResult['content'];

/** What the client's coordinates mean, in one sentence, for tool descriptions and results. */
export function coordinatesMeaning(context: McpContext): string {
  const { viewport, coordMode } = context.desktop.profile;
  return coordMode === 'normalized'
    ? 'act coordinates are on a 0-999 grid over the screenshot (500,500 is its centre)'
    : `act coordinates are pixels of the ${viewport.width}x${viewport.height} screenshot`;
}

/**
 * A screenshot at the profile's viewport size, once the screen has settled (as a run's), saved in the
 * session's record; as MCP content: the image and a line with its size.
 */
export async function screenshotContent(context: McpContext, signal: AbortSignal): Promise<Content> {
  const shot = await context.desktop.screen.capture(signal);
  const path = await context.record.screenshot(shot);
  const { display } = context.desktop.profile;
  const screen = `${display.width}x${display.height}`;
  const size = `${shot.width}x${shot.height}`;
  return [
    {
      type: 'text',
      text:
        `screenshot ${size} of display ${context.desktop.displayName ?? ''} (screen ${screen}` +
        `${size === screen ? '' : ', scaled'}); ${coordinatesMeaning(context)}` +
        (path ? `; saved as ${path}` : ''),
    },
    { type: 'image', data: shot.data.toString('base64'), mimeType: shot.mimeType },
  ];
}
