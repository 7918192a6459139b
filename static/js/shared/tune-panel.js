// @ts-check
// The curves of a fair race (POST /api/tune): final loss against lr for each tuned run, on a log
// lr axis (and a log loss axis when every loss is positive), a cross on the top edge where an lr
// diverged and a ring at the best; under it, one line per run with its best lr and edge. Both
// pages' tuners (descent/tune.js, network/tune.js) show their answers here.

import { el } from "./controls.js";
import { fmt } from "./format.js";
import { runStyle } from "./run-style.js";
import { canvasScale } from "./canvas-scale.js";

/**
 * One run's answer from POST /api/tune (app/api/routes/tune.py, tuning_json).
 * @typedef {{ optimizer: string, lr_given: number, lr: number, loss: number | null,
 *   diverged_above: number | null, run_steps: number,
 *   curve: { lr: number[], loss: (number | null)[], status: string[] } }} Tuning
 */

/**
 * A tuned run as the panel shows it.
 * @typedef {{ run: number, name: string, color: string, steps: number, tuning: Tuning }} Tuned
 */

export class TunePanel {
  /** @param {string} what "from this start" or "from the same initial weights": the race's fairness */
  constructor(what) {
    this.element = el("section", { id: "tune-panel", class: "tune-panel", hidden: true, "aria-label": "Tuning" });
    this.canvas = el("canvas", { class: "tune-chart", role: "img" });
    this.list = el("ul", { class: "tune-list" });
    /** @type {Tuned[]} */
    this.curves = [];
    const close = el("button", { type: "button", class: "icon", text: "×", "aria-label": "Close the tuning curves", tip: "Hide the tuning curves." });
    this.closed = false; // closed by the user: stays so until a new tuning
    close.addEventListener("click", () => {
      this.closed = true;
      this.element.hidden = true;
    });
    this.element.append(
      el("header", { class: "tune-head" }, [
        el("h2", { class: "tune-title", text: "Final loss against lr", tip: `Each curve: the loss after the run's steps, ${what}, at each learning rate tried. A cross on the top edge: that lr diverged. The ring: the best lr, now set.` }),
        close,
      ]),
      el("div", { class: "tune-chart-wrap" }, [this.canvas]),
      this.list,
    );
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  /**
   * Show these runs' curves (none: the panel hides).
   * @param {Tuned[]} curves
   * @param {boolean} [fresh] a new tuning: open the panel again if the user closed it
   */
  render(curves, fresh = false) {
    this.curves = curves;
    if (fresh) this.closed = false;
    this.element.hidden = this.closed || curves.length === 0;
    this.list.replaceChildren(...curves.map((t) => {
      const { tuning } = t;
      const best = tuning.loss === null
        ? "every lr tried diverged"
        : `best lr ${fmt(tuning.lr, 3)} (was ${fmt(tuning.lr_given, 3)}): loss ${fmt(tuning.loss, 4)} after ${t.steps} steps`;
      const edge = tuning.diverged_above === null ? "" : `; diverges from lr ${fmt(tuning.diverged_above, 3)}`;
      return el("li", { dataset: { run: String(t.run) } }, [
        el("span", { class: "tune-swatch", style: `background:${t.color}` }),
        el("b", { text: `${t.run + 1}. ${t.name}` }), `: ${best}${edge}`,
      ]);
    }));
    this.canvas.setAttribute("aria-label", `Final loss against learning rate. ${this.list.textContent}`);
    this.draw();
  }

  /** The curves on a log-lr axis; the loss on a log axis when every loss is positive. */
  draw() {
    const wrap = this.canvas.parentElement;
    if (!wrap || this.element.hidden) return;
    const width = wrap.clientWidth;
    const height = wrap.clientHeight;
    if (width < 40 || height < 40) return;
    const dpr = canvasScale();
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const curves = this.curves;
    const losses = curves.flatMap((t) => t.tuning.curve.loss).filter((v) => v !== null && Number.isFinite(v));
    const lrs = curves.flatMap((t) => t.tuning.curve.lr);
    if (!losses.length || !lrs.length) return;
    const log = losses.every((v) => /** @type {number} */ (v) > 0);
    const ty = (/** @type {number} */ v) => (log ? Math.log10(v) : v);
    let [ylo, yhi] = [Math.min(...losses.map((v) => ty(/** @type {number} */ (v)))), Math.max(...losses.map((v) => ty(/** @type {number} */ (v))))];
    if (yhi - ylo < 1e-9) [ylo, yhi] = [ylo - 1, yhi + 1];
    const [xlo, xhi] = [Math.log10(Math.min(...lrs)), Math.log10(Math.max(...lrs))];
    const m = { l: 52, r: 10, t: 10, b: 28 };
    const X = (/** @type {number} */ lr) => m.l + ((Math.log10(lr) - xlo) / (xhi - xlo || 1)) * (width - m.l - m.r);
    const Y = (/** @type {number} */ v) => m.t + (1 - (ty(v) - ylo) / (yhi - ylo)) * (height - m.t - m.b);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#5b6470";
    ctx.strokeStyle = "#dee2e6";
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let k = Math.ceil(xlo); k <= Math.floor(xhi); k++) {
      const x = X(10 ** k);
      ctx.beginPath();
      ctx.moveTo(x, m.t);
      ctx.lineTo(x, height - m.b);
      ctx.stroke();
      ctx.fillText(k === 0 ? "1" : `1e${k}`, x, height - m.b + 3);
    }
    ctx.fillText("lr", width - m.r - 6, height - 12);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(fmt(log ? 10 ** yhi : yhi, 2), m.l - 4, m.t);
    ctx.fillText(fmt(log ? 10 ** ylo : ylo, 2), m.l - 4, height - m.b);
    curves.forEach((t) => {
      const style = runStyle(t.run);
      const { lr, loss } = t.tuning.curve;
      const order = lr.map((_, k) => k).sort((a, b) => lr[a] - lr[b]); // refinement points come last
      ctx.strokeStyle = t.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(style.lineDash);
      ctx.beginPath();
      let drawing = false;
      for (const k of order) {
        const v = loss[k];
        if (v === null || !Number.isFinite(v)) {
          drawing = false;
          continue;
        }
        if (drawing) ctx.lineTo(X(lr[k]), Y(v));
        else ctx.moveTo(X(lr[k]), Y(v));
        drawing = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1.5;
      for (const k of order) {
        const x = X(lr[k]);
        if (loss[k] === null) { // diverged: a cross on the top edge
          ctx.beginPath();
          ctx.moveTo(x - 3, m.t - 3);
          ctx.lineTo(x + 3, m.t + 3);
          ctx.moveTo(x + 3, m.t - 3);
          ctx.lineTo(x - 3, m.t + 3);
          ctx.stroke();
        }
      }
      if (t.tuning.loss !== null) {
        ctx.beginPath();
        ctx.arc(X(t.tuning.lr), Y(t.tuning.loss), 5, 0, 2 * Math.PI);
        ctx.lineWidth = 2.5;
        ctx.stroke();
      }
    });
  }
}
