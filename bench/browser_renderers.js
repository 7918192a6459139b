// The renderer comparison of bench/browser.py, evaluated in the descent page (Plotly loaded):
// four ways to draw 6 growing paths over a 151x151 contour map, each update timed from the call
// to the next animation frame (so layout and paint count), at several path lengths.
// Returns {approach: {length: median ms per update}}.
async ({ lengths, updates, batch }) => {
  const { Trajectory } = await import('/static/js/descent/trajectory.js');
  const { PathOverlay } = await import('/static/js/descent/overlay.js');
  const { linearMapping } = await import('/static/js/shared/plots.js');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:300px;top:84px;width:680px;height:636px;z-index:999;background:#fff';
  document.body.append(host);
  const grid = await (await fetch('/api/surfaces/rosenbrock/grid?n=151')).json();
  const z = grid.z.map((row) => row.map((v) => Math.log10(v + 1e-3)));
  const contour = { type: 'contour', x: grid.x, y: grid.y, z, ncontours: 22, showscale: false, hoverinfo: 'skip' };
  const layout = { width: 680, height: 636, margin: { l: 50, r: 10, t: 10, b: 40 }, showlegend: false,
    xaxis: { range: [-2, 2] }, yaxis: { range: [-1, 3] }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };
  const config = { displayModeBar: false, staticPlot: true };
  const RUNS = 6;
  const pathPoint = (r, i) => [-1.5 + 2.5 * Math.sin(i / 700 + r), 2 - 2.5 * (i / 5000) + 0.2 * Math.cos(i / 50 + r)];
  const colors = ['#e8590c', '#1864ab', '#2f9e44', '#ae3ec9', '#c2255c', '#0b7285'];
  const series = (n) => colors.map((c, r) => {
    const x = new Array(n); const y = new Array(n);
    for (let i = 0; i < n; i++) [x[i], y[i]] = pathPoint(r, i);
    return { type: 'scatter', mode: 'lines', x, y, line: { color: c, width: 2.5 }, hoverinfo: 'skip' };
  });
  async function time(fn) {
    await frame();
    const t0 = performance.now();
    await fn();
    await frame();
    return performance.now() - t0;
  }
  const out = {};
  const approaches = {
    'one figure, extendTraces': async (L) => {
      const gd = document.createElement('div'); host.append(gd);
      await Plotly.newPlot(gd, [contour, ...series(L)], layout, config);
      let n = L; const ms = [];
      for (let u = 0; u < updates; u++) {
        ms.push(await time(() => {
          const xs = [], ys = [];
          for (let r = 0; r < RUNS; r++) { const x = [], y = []; for (let i = n; i < n + batch; i++) { const p = pathPoint(r, i); x.push(p[0]); y.push(p[1]); } xs.push(x); ys.push(y); }
          n += batch;
          return Plotly.extendTraces(gd, { x: xs, y: ys }, [1, 2, 3, 4, 5, 6]);
        }));
      }
      Plotly.purge(gd); gd.remove(); return ms;
    },
    'one figure, react': async (L) => {
      const gd = document.createElement('div'); host.append(gd);
      await Plotly.newPlot(gd, [contour, ...series(L)], layout, config);
      let n = L; const ms = [];
      for (let u = 0; u < updates; u++) { n += batch; const s = series(n); ms.push(await time(() => Plotly.react(gd, [contour, ...s], layout, config))); }
      Plotly.purge(gd); gd.remove(); return ms;
    },
    'static contour + Plotly overlay div, react': async (L) => {
      const under = document.createElement('div'); under.style.cssText = 'position:absolute;inset:0'; host.append(under);
      const over = document.createElement('div'); over.style.cssText = 'position:absolute;inset:0'; host.append(over);
      await Plotly.newPlot(under, [contour], layout, config);
      await Plotly.newPlot(over, series(L), layout, config);
      let n = L; const ms = [];
      for (let u = 0; u < updates; u++) { n += batch; const s = series(n); ms.push(await time(() => Plotly.react(over, s, layout, config))); }
      Plotly.purge(under); Plotly.purge(over); under.remove(); over.remove(); return ms;
    },
    'static contour + canvas layers (chosen)': async (L) => {
      const under = document.createElement('div'); under.style.cssText = 'position:absolute;inset:0'; host.append(under);
      await Plotly.newPlot(under, [contour], layout, config);
      const paths = document.createElement("canvas"); const heads = document.createElement("canvas");
      for (const c of [paths, heads]) { c.style.cssText = 'position:absolute;left:0;top:0'; host.append(c); }
      const overlay = new PathOverlay(paths, heads);
      const xa = under._fullLayout.xaxis, ya = under._fullLayout.yaxis;
      overlay.resize(680, 636, linearMapping(xa._offset, ya._offset, xa._length, ya._length, [[-2, 2], [-1, 3]]));
      const trajs = colors.map(() => new Trajectory());
      const add = (from, to) => trajs.forEach((t, r) => {
        const steps = []; for (let i = from; i < to; i++) { const p = pathPoint(r, i); steps.push({ step: i, params: p, grad: [1, 1], loss: 1, lr: 0.1 }); }
        t.append(steps);
      });
      const scene = () => ({ runs: trajs.map((traj, r) => ({ traj, color: colors[r], selected: r === 0 })), ghosts: [], start: [-1.5, 2], arrows: {} });
      add(0, L); overlay.draw(scene());
      let n = L; const ms = [];
      for (let u = 0; u < updates; u++) { ms.push(await time(() => { add(n, n + batch); n += batch; overlay.draw(scene()); })); }
      Plotly.purge(under); host.replaceChildren(); return ms;
    },
  };
  for (const [name, run] of Object.entries(approaches)) {
    out[name] = {};
    for (const L of lengths) {
      const ms = (await run(L)).sort((a, b) => a - b);
      out[name][L] = Math.round(ms[Math.floor(ms.length / 2)] * 10) / 10;
    }
  }
  host.remove();
  return out;
}
