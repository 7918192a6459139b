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

/**
 * Give a canvas the pixels of a width x height CSS px box at canvasScale(), reallocated only when
 * that size changed (a new size clears the canvas and costs an allocation); with `style`, its CSS
 * size too (otherwise the page's CSS sizes it). Returns the scale, for the context's transform.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {number} height
 * @param {{ style?: boolean }} [options]
 */
export function fitCanvas(canvas, width, height, { style = false } = {}) {
  const dpr = canvasScale();
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  if (style) {
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  return dpr;
}
