// @ts-check
// The steps of one backprop walk-through, from a trace of POST /api/mlp/backprop: the forward
// pass layer by layer, the loss, the backward pass from the output down to layer 1 (for each
// hidden layer: ∂L/∂a, then the activation's derivative, then ∂L/∂W and ∂L/∂b), and the update.
// For a 3-layer network the steps line up with the 11 steps of the hand-worked walk-through.
// Pure: no DOM.

/** @typedef {import("../types/api").BackpropTrace} Trace */
/**
 * The names of GET /api/mlp/options, by id.
 * @typedef {{ act: Record<string, {name: string, derivative?: string, formula?: string, words?: string}>,
 *             loss: Record<string, {name: string, formula?: string}>, lossId: string }} Names
 */
/**
 * One step; kind is one of forward, loss, delta, grads, da, act, update; walk is the number of
 * the hand-worked walk-through's step it matches (3-layer networks), else null.
 * @typedef {{ kind: string, layer: number | null, phase: string, title: string, walk: number | null }} Step
 */
/** What has been computed by a step: the layers of each quantity.
 * @typedef {{ a: Set<number>, loss: boolean, dz: Set<number>, da: Set<number>, dW: Set<number>, update: boolean }} Known */

/**
 * The steps of a trace, in order.
 * @param {Trace} trace @param {Names} names @returns {Step[]}
 */
export function buildSteps(trace, names) {
  const L = trace.forward.length;
  const actName = (/** @type {number} */ l) => {
    const id = trace.layers[l - 1].activation;
    return names.act[id]?.name || id;
  };
  const lossName = names.loss[names.lossId]?.name || names.lossId;
  /** @type {Step[]} */
  const steps = [];
  for (let l = 1; l <= L; l++) {
    steps.push({ kind: "forward", layer: l, phase: "forward", title: `Forward — layer ${l}: ${actName(l)}`, walk: null });
  }
  steps.push({ kind: "loss", layer: L, phase: "loss", title: "The loss: how wrong is the prediction?", walk: null });
  steps.push({ kind: "delta", layer: L, phase: "backward", title: `Layer ${L} — ${lossName}`, walk: null });
  steps.push({ kind: "grads", layer: L, phase: "backward", title: `Layer ${L} — weights and biases`, walk: null });
  for (let l = L - 1; l >= 1; l--) {
    steps.push({ kind: "da", layer: l, phase: "backward", title: `Layer ${l} — activations`, walk: null });
    steps.push({ kind: "act", layer: l, phase: "backward", title: `Layer ${l} — ${actName(l)}`, walk: null });
    steps.push({ kind: "grads", layer: l, phase: "backward", title: `Layer ${l} — weights and biases`, walk: null });
  }
  steps.push({ kind: "update", layer: null, phase: "update", title: "Gradient descent: update every weight", walk: null });

  // The walk-through numbers its steps 1 (forward) and 2 (compare with the target) then one per
  // backward step, then 11 (the update): the same shape as ours when there are 3 layers.
  const lossAt = L;
  for (const [i, st] of steps.entries()) {
    st.walk = L === 3 ? (i < lossAt ? 1 : 2 + (i - lossAt)) : null;
  }
  return steps;
}

/**
 * What has been computed once the step at `index` is shown (for the drawing).
 * @param {Step[]} steps @param {number} index @returns {Known}
 */
export function knownAt(steps, index) {
  /** @type {Known} */
  const known = { a: new Set([0]), loss: false, dz: new Set(), da: new Set(), dW: new Set(), update: false };
  for (const st of steps.slice(0, index + 1)) {
    if (st.kind === "update") known.update = true;
    if (st.layer === null) continue; // only the update has no layer
    if (st.kind === "forward") known.a.add(st.layer);
    if (st.kind === "loss") known.loss = true;
    if (st.kind === "delta" || st.kind === "act") known.dz.add(st.layer);
    if (st.kind === "da") known.da.add(st.layer);
    if (st.kind === "grads") known.dW.add(st.layer);
  }
  return known;
}

/** The index of the step that computes ∂L/∂W (and ∂L/∂b) of a layer. @param {Step[]} steps @param {number} layer */
export const gradsStepIndex = (steps, layer) => steps.findIndex((st) => st.kind === "grads" && st.layer === layer);

/**
 * Is a ReLU unit off (a = 0)? Where z ≤ 0; where z overflowed (null in the JSON: ±∞, NaN),
 * where its a is 0 (z was −∞). In JavaScript null <= 0 is true: an overflowed z on its own would
 * say "off" of a unit whose z was +∞.
 * @param {number | null} z @param {number | null} a
 */
export const isOff = (z, a) => (z === null ? a === 0 : z <= 0);

/**
 * f′(z) of a hidden layer, entry by entry. Where ∂L/∂a is nonzero it is the server's own ratio
 * ∂L/∂z / ∂L/∂a; where ∂L/∂a is 0 the ratio says nothing and the slope is evaluated here (only
 * for display: the product is 0 either way). Unknown activations, or overflowed values, give
 * null there.
 * @param {Trace} trace @param {number} layer @returns {(number | null)[]}
 */
export function slopes(trace, layer) {
  const fwd = trace.forward[layer - 1];
  const bwd = trace.backward.find((b) => b.layer === layer);
  const id = trace.layers[layer - 1].activation;
  return fwd.z.map((z, i) => {
    const da = bwd?.da?.[i];
    const dz = bwd?.dz[i];
    if (typeof da === "number" && da !== 0 && typeof dz === "number") return dz / da;
    return localSlope(id, z, fwd.a[i]);
  });
}

/** @param {string} id @param {number | null} z @param {number | null} a */
function localSlope(id, z, a) {
  if (z === null || a === null) return null;
  switch (id) {
    case "relu": return z > 0 ? 1 : 0;
    case "leaky_relu": return z > 0 ? 1 : 0.01;
    case "tanh": return 1 - a * a;
    case "sigmoid": return a * (1 - a);
    case "linear": return 1;
    default: return null;
  }
}
