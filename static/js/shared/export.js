// @ts-check
// Downloads and the clipboard: files from Blobs, CSV text, a plot plus its overlay canvases as one
// PNG, and "copy link" with a fallback for browsers without the async clipboard. Page-agnostic.

/** @param {Blob} blob @param {string} filename */
function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @param {string} text @param {string} filename @param {string} [type] a MIME type */
export function downloadText(text, filename, type = "text/plain") {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

/** @param {unknown} v */
const csvCell = (v) => {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * CSV text from a header and rows of values (missing numbers become empty cells).
 * @param {string[]} header
 * @param {Iterable<unknown[]>} rows
 */
export function toCSV(header, rows) {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return `${lines.join("\n")}\n`;
}

/** A timestamped file name: gradscape-descent-2025-01-31T10-20-30.csv */
/** @param {string} stem @param {string} ext */
export function fileName(stem, ext) {
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "-");
  return `${stem}-${stamp}.${ext}`;
}

/** @param {string} src @returns {Promise<HTMLImageElement>} */
function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("could not render the plot image"));
    img.src = src;
  });
}

/**
 * The Plotly figure in `gd` with `canvases` (overlays of the same size, e.g. drawn paths)
 * composited on top, downloaded as PNG. Plotly.toImage only knows its own traces. Without `gd`
 * (a map painted on canvas, Plotly not loaded), the canvases alone.
 * @param {HTMLElement | null} gd
 * @param {(HTMLCanvasElement | null)[]} canvases
 * @param {string} filename
 * @param {number} [scale] pixels per CSS pixel
 */
export async function downloadPlotPNG(gd, canvases, filename, scale = 2) {
  const size = gd || canvases.find((c) => c && !c.hidden && c.width);
  if (!size) throw new Error("nothing to export");
  const width = size.clientWidth;
  const height = size.clientHeight;
  const base = gd ? await loadImage(await Plotly.toImage(gd, { format: "png", width, height, scale })) : null;
  const out = document.createElement("canvas");
  out.width = width * scale;
  out.height = height * scale;
  const ctx = out.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas to compose the image on");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, out.width, out.height);
  if (base) ctx.drawImage(base, 0, 0, out.width, out.height);
  for (const c of canvases) if (c && !c.hidden && c.width) ctx.drawImage(c, 0, 0, out.width, out.height);
  /** @type {Blob | null} */
  const blob = await new Promise((resolve) => out.toBlob(resolve, "image/png"));
  if (!blob) throw new Error("could not encode the image");
  downloadBlob(blob, filename);
}

/**
 * Copy text; without the async clipboard (plain http on a LAN address), select it in `field`.
 * @param {string} text
 * @param {HTMLInputElement | null} field
 * @returns {Promise<"copied" | "selected-copied" | "selected" | "failed">}
 */
export async function copyText(text, field) {
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
    await navigator.clipboard.writeText(text);
    return "copied";
  } catch {
    if (!field) return "failed";
    field.hidden = false;
    field.value = text;
    field.focus();
    field.select();
    try {
      if (document.execCommand && document.execCommand("copy")) return "selected-copied";
    } catch {
      /* the selection is there for Ctrl+C */
    }
    return "selected";
  }
}
