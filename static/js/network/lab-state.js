// @ts-check
// The generalisation lab's state on the network view (docs/protocol.md, "Train and test, noise
// and regularisation"): a test fraction, label noise, L1, L2 and dropout. Their ranges and
// defaults are GET /api/mlp/options' `generalization`; this module fits a link's values into
// them, puts the values in a `start` and turns a preset's `start` into state. Pure: the page's
// first `start` is built from it before the controls exist (network/early-start.js); the
// controls and the charts' series are generalisation.js's.

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../types/api").DatasetInfo} DatasetInfo */
/** @typedef {import("../types/api").LabSetting} LabSetting */

/** The lab's state keys, in the order the controls show them (the API's names). */
export const LAB_KEYS = ["test_fraction", "label_noise", "l1", "l2", "dropout"];
/** Those that go in `network` rather than at the top of a `start`. */
const NETWORK_KEYS = ["l1", "l2", "dropout"];
/** The side panel's views (state `side`): the loss landscape, the unit maps, the sweep. */
export const SIDE_IDS = ["landscape", "units", "sweep"];

/**
 * What the lab's side panel shows for a `side`: the unit maps, or the sweep. While the landscape
 * has the shared place (a wide screen) the panel is hidden; on a phone, whose tabs put the panel
 * in the Lab tab and the landscape in its own, it shows the unit maps.
 * @param {string} side @returns {"units" | "sweep"}
 */
export function labShows(side) {
  return side === "sweep" ? "sweep" : "units";
}

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** A `start`'s top-level lab fields: only those in use, so a plain start stays plain. @param {State} state */
export function labFields(state) {
  /** @type {Record<string, number>} */
  const out = {};
  if (state.test_fraction > 0) out.test_fraction = state.test_fraction;
  if (state.label_noise > 0) out.label_noise = state.label_noise;
  return out;
}

/** The lab's fields of a `start`'s `network`. @param {State} state */
export function labNetwork(state) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const k of NETWORK_KEYS) if (state[k] > 0) out[k] = state[k];
  return out;
}

/**
 * A link's lab values fitted to the API's ranges (label noise: classification only).
 * @param {State} state @param {MlpOptions} options @param {DatasetInfo} ds
 */
export function sanitizeLab(state, options, ds) {
  const specs = options.generalization || {};
  /** @type {Record<string, unknown>} */
  const out = { side: SIDE_IDS.includes(state.side) ? state.side : SIDE_IDS[0] };
  for (const k of LAB_KEYS) {
    const spec = specs[k];
    const v = Number(state[k]);
    out[k] = spec && Number.isFinite(v) ? clamp(v, spec.min, spec.max) : spec ? spec.default : 0;
  }
  if (ds.task === "regression") out.label_noise = 0;
  return out;
}

/**
 * The unit maps' grid for a start: as fine as `neurons.max_values` allows for these hidden units
 * (at most 15 a side: a map is small), none for one-hot inputs (no input plane to draw over).
 * @param {State} state @param {MlpOptions} options
 */
export function neuronGrid(state, options) {
  const ds = options.datasets.find((d) => d.id === state.dataset);
  const units = state.hidden.reduce((/** @type {number} */ a, /** @type {number} */ w) => a + w, 0);
  if (!ds || ds.one_hot || !options.neurons || !units) return 0;
  const side = ds.inputs === 1 ? Math.min(options.neurons.max_grid, Math.floor(options.neurons.max_values / units))
    : Math.floor(Math.sqrt(options.neurons.max_values / units));
  const n = Math.min(15, options.neurons.max_grid, side);
  return n >= 3 ? n : 0;
}

/**
 * What a `start` needs beside the state: the unit maps' grid, and for wide one-hot networks
 * weights less often (modular addition's 2p x width matrices every step would swamp the socket).
 * @param {State} state @param {MlpOptions} options
 */
export function labStart(state, options) {
  /** @type {Record<string, number>} */
  const extra = {};
  const n = neuronGrid(state, options);
  if (n) extra.neurons = n;
  const ds = options.datasets.find((d) => d.id === state.dataset);
  if (ds && ds.one_hot) extra.weights_every = Math.max(1, Math.round(state.steps / 50));
  return extra;
}

/**
 * The state a preset's `start` message (GET /api/mlp/presets) describes.
 * @param {Record<string, any>} m the message
 * @returns {Record<string, unknown>} a patch for store.set (to sanitize)
 */
export function presetPatch(m) {
  const ds = m.dataset || {};
  const net = m.network || {};
  return {
    dataset: ds.id, n: ds.n ?? 200, noise: ds.noise ?? null, dseed: ds.seed ?? 0, classes: ds.n_classes ?? null,
    points: null, pts: null, kept: null, wts: null, sel: 0, layer: 1,
    hidden: net.hidden || [], activation: net.activation,
    test_fraction: m.test_fraction || 0, label_noise: m.label_noise || 0,
    l1: net.l1 || 0, l2: net.l2 || 0, dropout: net.dropout || 0,
    seed: m.seed || 0, steps: m.steps, speed: m.speed ?? 0,
    runs: (m.runs || []).map((/** @type {Record<string, any>} */ r) => {
      const { optimizer, lr, batch_size: batch, ...rest } = r;
      /** @type {import("./state.js").NetRunSpec} */
      const run = { optimizer, lr };
      if (batch) run.batch = batch;
      const hp = Object.entries(rest).filter(([, v]) => typeof v === "number");
      if (hp.length) run.hp = Object.fromEntries(hp);
      return run;
    }),
  };
}

