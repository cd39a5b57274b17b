/** Display calibration: coordinate spaces, their maps, and the display profile. Pure logic. */

export type { ModelPointCheck, ModelRange, ScreenPoint } from './coordinates.js';
export {
  CoordinateError,
  checkModelPoint,
  fromScreen,
  modelRange,
  parseCoordinate,
  toScreen,
} from './coordinates.js';
export type { OverlayInput } from './overlay.js';
export { calibrationOverlaySvg } from './overlay.js';
export type { DisplayInput, ProfileInput } from './profile.js';
export {
  chooseViewport,
  createProfile,
  DEFAULT_MAX_EDGE,
  detectScaleFactor,
  ProfileError,
  resolveCoordMode,
} from './profile.js';
export type { CalibrationVerdict, CaptureSizeResult, PointResult, TestPoint } from './self-test.js';
export {
  CAPTURE_TOLERANCE_PX,
  calibrationPoints,
  judgeCalibration,
  judgeCaptureSize,
  judgePoint,
  POINT_TOLERANCE_PX,
} from './self-test.js';
export type { CoordMode, CoordSetting, DisplayInfo, DisplayProfile, Point, Size } from './spaces.js';
export {
  logicalToPhysical,
  logicalToScreenshot,
  modelToScreenshot,
  physicalToLogical,
  screenshotToLogical,
  screenshotToModel,
} from './spaces.js';
