import { type CoordMode, createProfile } from '../../calibration/index.js';

/** The display profile of a plain (scale 1) display, at the origin unless told otherwise. */
export function plainProfile(width: number, height: number, coordMode: CoordMode, originX = 0, originY = 0) {
  return createProfile({
    display: { width, height, originX, originY, physicalWidth: width, physicalHeight: height },
    coordMode,
  });
}
