// @ts-check
// Plain words for the landscape: the direction modes' names and tips, and the caption saying what
// the plane is and what "projected" means. Mode ids come from GET /api/mlp/options; an id this
// file does not know is shown as itself.

/** @type {Record<string, string>} */
const LABELS = { weights: "two weights", random: "random", pca: "PCA" };
/** @type {Record<string, string>} */
const TIPS = {
  weights: "Vary two single weights (the first two of layer 1) and keep every other weight at its starting value. The easiest plane to explain, and the least typical.",
  random: "Two random directions through the starting weights, each scaled to the size of the weights it changes (filter normalisation, Li et al. 2018).",
  pca: "The plane the paths lie closest to: the two main directions the weights moved in (principal components). Needs the finished runs: drawn when training ends.",
};

/** @param {string} mode */
export const planeModeLabel = (mode) => LABELS[mode] || mode;
/** @param {string} mode */
export const planeModeTip = (mode) => TIPS[mode] || `Slice the landscape along '${mode}' directions.`;

/** @param {number} v */
const pct = (v) => `${Math.round(v * 100)}%`;

/**
 * What the map shows, in two or three short sentences.
 * @param {object} c
 * @param {string} c.mode the plane drawn
 * @param {string} c.wanted the plane asked for (PCA is drawn on a random plane until the end)
 * @param {number} c.params the network's weight count
 * @param {string[] | null} [c.labels] the two weights' names, for the "weights" plane
 * @param {number[] | null} [c.explained] PCA's explained variance of each direction
 * @param {boolean} [c.live] the runs are still training
 * @param {boolean} [c.edited] the learning rate was changed during training
 * @param {number | null} [c.upTo] a re-projected slice of runs still training: the step it reaches
 */
export function caption({ mode, wanted, params, labels, explained, live, edited, upTo = null }) {
  const parts = [`The network has ${params} weights, so its loss lives in ${params} dimensions: this map is a flat slice through them`];
  if (mode === "weights" && labels) {
    parts[0] += `, moving only ${labels[0]} and ${labels[1]} (the axes are their values; every other weight stays at its start).`;
  } else if (mode === "pca") {
    const ev = explained ? ` (they catch ${pct(explained[0])} and ${pct(explained[1])} of the movement)` : "";
    parts[0] += `, through the start (○) along the two directions the weights moved most${ev}.`;
  } else {
    parts[0] += ", through the start (○) along two random directions.";
  }
  parts.push("Each path is projected: every step is drawn at the nearest point of the plane, like a shadow, so off the plane the colour under a path is not its loss. Colours: log scale.");
  if (wanted === "pca" && mode !== "pca" && live) parts.push("PCA needs the whole paths: a random plane until the runs finish.");
  if (upTo !== null) parts.push(`The runs go on: these paths are re-projected up to step ${upTo}, and catch up when you pause or when the runs finish.`);
  if (edited) parts.push("These paths are re-trained with each run's starting learning rate: your live changes are not in them.");
  return parts.join(" ");
}
