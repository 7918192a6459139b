// The steps of one backprop walk-through, from a trace of POST /api/mlp/backprop: the forward
// pass layer by layer, the loss, the backward pass from the output down to layer 1 (for each
// hidden layer: ∂L/∂a, then the activation's derivative, then ∂L/∂W and ∂L/∂b), and the update.
// For a 3-layer network the steps line up with the 11 steps of the hand-worked walk-through.
// Pure: no DOM.

/**
 * names: { act: {id: {name, derivative, formula, words}}, loss: {id: {name, formula}},
 *          lossId } from GET /api/mlp/options.
 * Returns [{kind, layer, title, phase, walk}] with kind one of forward, loss, delta, grads, da,
 * act, update.
 */
export function buildSteps(trace, names) {
  const L = trace.forward.length;
  const actName = (l) => {
    const id = trace.layers[l - 1].activation;
    return names.act[id]?.name || id;
  };
  const lossName = names.loss[names.lossId]?.name || names.lossId;
  const steps = [];
  for (let l = 1; l <= L; l++) {
    steps.push({ kind: "forward", layer: l, phase: "forward", title: `Forward — layer ${l}: ${actName(l)}` });
  }
  steps.push({ kind: "loss", layer: L, phase: "loss", title: "The loss: how wrong is the prediction?" });
  steps.push({ kind: "delta", layer: L, phase: "backward", title: `Layer ${L} — ${lossName}` });
  steps.push({ kind: "grads", layer: L, phase: "backward", title: `Layer ${L} — weights and biases` });
  for (let l = L - 1; l >= 1; l--) {
    steps.push({ kind: "da", layer: l, phase: "backward", title: `Layer ${l} — activations` });
    steps.push({ kind: "act", layer: l, phase: "backward", title: `Layer ${l} — ${actName(l)}` });
    steps.push({ kind: "grads", layer: l, phase: "backward", title: `Layer ${l} — weights and biases` });
  }
  steps.push({ kind: "update", layer: null, phase: "update", title: "Gradient descent: update every weight" });

  // The walk-through numbers its steps 1 (forward) and 2 (compare with the target) then one per
  // backward step, then 11 (the update): the same shape as ours when there are 3 layers.
  const lossAt = L;
  for (const [i, st] of steps.entries()) {
    st.walk = L === 3 ? (i < lossAt ? 1 : 2 + (i - lossAt)) : null;
  }
  return steps;
}

/** What has been computed once the step at `index` is shown (for the drawing). */
export function knownAt(steps, index) {
  const known = { a: new Set([0]), loss: false, dz: new Set(), da: new Set(), dW: new Set(), update: false };
  for (const st of steps.slice(0, index + 1)) {
    if (st.kind === "forward") known.a.add(st.layer);
    if (st.kind === "loss") known.loss = true;
    if (st.kind === "delta" || st.kind === "act") known.dz.add(st.layer);
    if (st.kind === "da") known.da.add(st.layer);
    if (st.kind === "grads") known.dW.add(st.layer);
    if (st.kind === "update") known.update = true;
  }
  return known;
}

/** The index of the step that computes ∂L/∂W (and ∂L/∂b) of a layer. */
export const gradsStepIndex = (steps, layer) => steps.findIndex((st) => st.kind === "grads" && st.layer === layer);

/**
 * f′(z) of a hidden layer, entry by entry. Where ∂L/∂a is nonzero it is the server's own ratio
 * ∂L/∂z / ∂L/∂a; where ∂L/∂a is 0 the ratio says nothing and the slope is evaluated here (only
 * for display: the product is 0 either way). Unknown activations give null there.
 */
export function slopes(trace, layer) {
  const fwd = trace.forward[layer - 1];
  const bwd = trace.backward.find((b) => b.layer === layer);
  const id = trace.layers[layer - 1].activation;
  return fwd.z.map((z, i) => {
    const da = bwd.da[i];
    if (typeof da === "number" && da !== 0 && typeof bwd.dz[i] === "number") return bwd.dz[i] / da;
    return localSlope(id, z, fwd.a[i]);
  });
}

function localSlope(id, z, a) {
  switch (id) {
    case "relu": return z > 0 ? 1 : 0;
    case "leaky_relu": return z > 0 ? 1 : 0.01;
    case "tanh": return 1 - a * a;
    case "sigmoid": return a * (1 - a);
    case "linear": return 1;
    default: return null;
  }
}
