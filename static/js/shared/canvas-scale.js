// @ts-check
// Canvas pixels per CSS pixel, for every canvas the pages paint: the screen's own, but at most
// MAX_SCALE. A phone's third device pixel per CSS pixel makes a canvas 2.25 times the pixels of
// two, for lines and text no student tells apart at arm's length; on a phone's CPU the descent
// map's first paint spent ~35 ms allocating its canvases and ~30 ms filling them at three.

const MAX_SCALE = 2;

/** Canvas pixels per CSS pixel now (a window moved to another screen changes it). */
export function canvasScale() {
  return Math.min(MAX_SCALE, window.devicePixelRatio || 1);
}
