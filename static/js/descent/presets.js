// @ts-check
// One-click lessons. Each is a state patch for the descent view, with parameters chosen (by
// running them and looking) so that its point shows within a few seconds on a projector.
// A preset naming a surface or optimizer the API does not list is hidden (descent/page.js).

import { PALETTE } from "./state.js";

const [ORANGE, BLUE, GREEN, PURPLE, RED] = PALETTE;

export const PRESETS = [
  {
    id: "overshoot",
    label: "Overshoot",
    title: "Overshoot across a valley",
    tip: "A valley 10 times steeper across than along: its largest curvature is λmax = 10, so plain gradient descent is stable only for lr < 2/λmax = 0.2. lr 0.19 zig-zags from wall to wall, less each time; lr 0.21 zig-zags outwards, leaves the plot (an arrow at the edge marks where it went) and diverges.",
    state: {
      // an elongated bowl, not the round one: there every path bounces on one line through
      // the minimum, and the two runs would lie on top of each other
      surface: "ravine", params: { condition: 10, angle: 0 }, start: null, steps: 80, speed: 5,
      runs: [
        { optimizer: "sgd", lr: 0.19, color: ORANGE },
        { optimizer: "sgd", lr: 0.21, color: BLUE },
      ],
    },
  },
  {
    id: "sgd-adam",
    label: "SGD vs Adam",
    title: "SGD vs Adam on Rosenbrock",
    tip: "A long curved valley: SGD's step is limited by the steep walls and it crawls along the floor; Adam scales each coordinate's step and follows the valley to (1, 1).",
    state: {
      surface: "rosenbrock", start: null, steps: 1500, speed: 100,
      runs: [
        { optimizer: "sgd", lr: 0.001, color: ORANGE },
        { optimizer: "adam", lr: 0.05, color: BLUE },
      ],
    },
  },
  {
    id: "ravine",
    label: "Ravine",
    title: "Momentum through a ravine",
    tip: "A narrow valley, 50 times steeper across than along. SGD at the largest stable learning rate zig-zags from wall to wall; momentum, with a smaller learning rate, averages the zig-zags away and glides down the floor.",
    state: {
      surface: "ravine", params: { condition: 50, angle: 30 }, start: null, steps: 150, speed: 20,
      runs: [
        { optimizer: "sgd", lr: 0.038, color: ORANGE },
        { optimizer: "momentum", lr: 0.01, hp: { momentum: 0.8 }, color: GREEN },
      ],
    },
  },
  {
    id: "saddle",
    label: "Saddle",
    title: "Saddle point",
    tip: "Starting almost on the ridge of f = x² − y²: the gradient nearly vanishes at the saddle, so SGD stalls there for dozens of steps before it slides off; Adam rescales the tiny y-gradient and escapes at once.",
    state: {
      surface: "saddle", start: [-1.5, 0.01], steps: 60, speed: 6,
      runs: [
        { optimizer: "sgd", lr: 0.05, color: ORANGE },
        { optimizer: "adam", lr: 0.05, color: BLUE },
      ],
    },
  },
  {
    id: "noise",
    label: "Noise",
    title: "Noisy gradients",
    tip: "The same SGD with exact and with noisy gradients (as with mini-batches): the noisy one never settles at the minimum but jitters around it; a decaying learning rate calms it down.",
    state: {
      surface: "bowl", start: null, steps: 300, speed: 30,
      runs: [
        { optimizer: "sgd", lr: 0.1, color: ORANGE },
        { optimizer: "sgd", lr: 0.1, noise: 1.5, seed: 1, color: BLUE },
        { optimizer: "sgd", lr: 0.1, noise: 1.5, seed: 1, schedule: { kind: "exponential", gamma: 0.985 }, color: GREEN },
      ],
    },
  },
  {
    id: "rastrigin",
    label: "Rastrigin",
    title: "Many local minima (Rastrigin)",
    tip: "An egg-box of dips: SGD stops in the nearest one. Momentum rolls over a bump and lands lower. Noisy gradients with a decaying learning rate (like annealing) shake the point out of small dips: with this seed it finds the global minimum; try other seeds.",
    state: {
      surface: "rastrigin", start: null, steps: 500, speed: 60,
      runs: [
        { optimizer: "sgd", lr: 0.002, color: ORANGE },
        { optimizer: "momentum", lr: 0.008, hp: { momentum: 0.85 }, color: PURPLE },
        { optimizer: "sgd", lr: 0.02, noise: 10, seed: 3, schedule: { kind: "exponential", gamma: 0.99 }, color: GREEN },
      ],
    },
  },
  {
    id: "race",
    label: "Fair race",
    title: "A fair race: tune every optimizer",
    tip: "Five optimizers on Rosenbrock at their default learning rates: the race says more about the defaults than the optimizers. Press 'Tune all': each gets the lr with the lowest loss after 300 steps, and the curves show how sharp that best is (lesson 11 of docs/teaching.md). L-BFGS's line-search trials are the small hollow dots; Lion steps along diagonals.",
    state: {
      surface: "rosenbrock", start: [-1.5, 2], steps: 300, speed: 60,
      runs: [
        { optimizer: "sgd", lr: 0.001, color: ORANGE },
        { optimizer: "momentum", lr: 0.001, color: BLUE },
        { optimizer: "adam", lr: 0.001, color: GREEN },
        { optimizer: "lion", lr: 0.0001, color: PURPLE },
        { optimizer: "lbfgs", lr: 1, hp: { line_search_fn: "strong_wolfe", max_eval: 25 }, color: RED },
      ],
    },
  },
];
