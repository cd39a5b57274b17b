import type { McpContext } from './context.js';

/** The display as the client should know it: screen, viewport, scale, monitors, coordinate mode. */
export function displayInfo(context: McpContext): Record<string, unknown> {
  const { desktop } = context;
  const { display, viewport, coordMode, maxEdge } = desktop.profile;
  return {
    display: desktop.displayName,
    screen: {
      width: display.width,
      height: display.height,
      originX: display.originX,
      originY: display.originY,
    },
    physical: { width: display.physicalWidth, height: display.physicalHeight },
    scaleFactor: display.scaleFactor,
    viewport,
    maxEdge,
    coordinates:
      coordMode === 'normalized'
        ? { mode: 'normalized', range: { x: [0, 999], y: [0, 999] }, over: 'the screenshot' }
        : {
            mode: 'pixels',
            range: { x: [0, viewport.width - 1], y: [0, viewport.height - 1] },
            over: 'the screenshot',
          },
    monitors: desktop.monitors,
    ...(desktop.monitor ? { monitor: desktop.monitor.name } : {}),
    record: context.record.dir,
  };
}
