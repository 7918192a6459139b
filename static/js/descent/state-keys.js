// @ts-check
// What an optimizer's state keys mean (GET /api/optimizers/state-keys, app/core/optimizers/
// catalog.py: a label, a hover text, and how a page draws it) and the state's points drawn as
// markers at a run's head: ASGD's averaged point, schedule-free's x and z, SAM's ascent point.
// A marker is a hollow diamond in the run's colour with its label beside it (colour is never the
// only cue), joined to the head by a dotted line.

/** @typedef {import("../types/api").StateKeyInfo} StateKeyInfo */
/** @typedef {Record<string, StateKeyInfo>} StateKeys */

/**
 * The meaning of one key of an optimizer's state: "<optimizer>.<key>" first, then the key's
 * common meaning; null for a key the API does not describe.
 * @param {StateKeys} keys
 * @param {string} optimizer
 * @param {string} key
 * @returns {StateKeyInfo | null}
 */
export function stateKeyInfo(keys, optimizer, key) {
  return keys[`${optimizer}.${key}`] || keys[key] || null;
}

/**
 * The state's points to draw at the head: [{key, label, help, x, y}].
 * @param {StateKeys} keys
 * @param {string} optimizer
 * @param {Record<string, unknown> | null} state
 */
export function stateMarkers(keys, optimizer, state) {
  /** @type {{ key: string, label: string, help: string, x: number, y: number }[]} */
  const out = [];
  for (const [key, value] of Object.entries(state || {})) {
    const info = stateKeyInfo(keys, optimizer, key);
    if (!info || info.draw !== "marker" || !Array.isArray(value) || value.length !== 2) continue;
    const [x, y] = value;
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) {
      out.push({ key, label: info.label, help: info.help, x, y });
    }
  }
  return out;
}

/**
 * Draw a run's state markers (stateMarkers) on the heads canvas.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ label: string, x: number, y: number }[]} markers
 * @param {[number, number]} head the head in pixels
 * @param {{ px: (x: number) => number, py: (y: number) => number }} map
 * @param {string} color
 */
export function drawStateMarkers(ctx, markers, head, map, color) {
  if (!markers.length) return;
  ctx.save();
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  for (const m of markers) {
    const px = map.px(m.x);
    const py = map.py(m.y);
    if (!Number.isFinite(px) || !Number.isFinite(py) || Math.abs(px) > 1e5 || Math.abs(py) > 1e5) continue;
    ctx.setLineDash([2, 3]);
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = color;
    ctx.beginPath();
    ctx.moveTo(head[0], head[1]);
    ctx.lineTo(px, py);
    ctx.stroke();
    ctx.setLineDash([]);
    const r = 6;
    ctx.beginPath();
    ctx.moveTo(px, py - r);
    ctx.lineTo(px + r, py);
    ctx.lineTo(px, py + r);
    ctx.lineTo(px - r, py);
    ctx.closePath();
    ctx.fillStyle = "#fff";
    ctx.fill();
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    ctx.strokeText(m.label, px + r + 3, py);
    ctx.fillStyle = "#212529";
    ctx.fillText(m.label, px + r + 3, py);
  }
  ctx.restore();
}
