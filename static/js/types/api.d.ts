// The shapes of the JSON the pages read from the API (app/api/routes). Types only.

/** A tunable number (app/core/parameters.py Hyperparameter). A `choice` takes one of `choices`
 * (min and max unused); a `nullable` one also takes null ("let the algorithm choose"), and its
 * default may then be null. */
export interface Hyperparameter {
  default: number;
  min: number;
  max: number;
  help: string;
  log: boolean;
  kind: "float" | "int" | "bool" | "choice";
  label: string;
  nullable?: boolean;
  choices?: string[];
}

/** An optimizer's hyperparameter: as Hyperparameter, with a default that may be null. */
export interface OptimizerParameter extends Omit<Hyperparameter, "default"> {
  default: number | null;
}

/** GET /api/optimizers/state-keys, one value: what a key of an optimizer's `state` means. */
export interface StateKeyInfo {
  label: string;
  help: string;
  draw: "" | "marker" | "chart" | "hide";
}

/** GET /api/surfaces, one item. */
export interface SurfaceInfo {
  id: string;
  name: string;
  description: string;
  formula_latex: string;
  bounds: [[number, number], [number, number]];
  minima: number[][];
  min_value: number | null;
  default_start: [number, number];
  params: Record<string, number>;
  parameters: Record<string, Hyperparameter>;
}

/** GET /api/optimizers, one item. */
export interface OptimizerInfo {
  id: string;
  name: string;
  description: string;
  equation: string;
  family: string;
  /** the kinds of run that can serve it: "surface", "network" */
  run_kinds: string[];
  /** whether its surface steps carry trial points (L-BFGS, SAM, Newton) */
  trials: boolean;
  /** lr is always there, with a number as its default */
  hyperparameters: { lr: Hyperparameter; [name: string]: OptimizerParameter };
}

/** GET /api/schedules, one item. */
export interface ScheduleInfo {
  id: string;
  name: string;
  description: string;
  parameters: Record<string, Hyperparameter>;
}

/** What the descent page loads before it starts. */
export interface DescentRegistries {
  surfaces: SurfaceInfo[];
  optimizers: OptimizerInfo[];
  schedules: ScheduleInfo[];
  /** GET /api/optimizers/state-keys, by key or "<optimizer id>.<key>" */
  stateKeys: Record<string, StateKeyInfo>;
}

export interface DatasetInfo {
  id: string;
  name: string;
  task: "classification" | "regression";
  description: string;
  default_noise: number;
  classes: number;
  variable_classes: boolean;
  inputs: number;
  class_range?: [number, number];
  one_hot?: boolean; // modular addition: 2p one-hot inputs, no decision boundary
}

/** One setting of the generalisation lab (GET /api/mlp/options, `generalization`). */
export interface LabSetting {
  default: number;
  min: number;
  max: number;
  help: string;
  label: string;
  log?: boolean;
  kind?: string;
}

export interface ActivationInfo {
  id: string;
  name: string;
  formula: string;
  derivative: string;
  words: string;
}

export interface LossInfo {
  id: string;
  name: string;
  task: string;
  output: string;
  formula: string;
}

/** GET /api/mlp/options. */
export interface MlpOptions {
  datasets: DatasetInfo[];
  activations: ActivationInfo[];
  losses: LossInfo[];
  directions: string[];
  optimizers: string[];
  generalization?: Record<string, LabSetting>;
  sweeps?: { settings: Record<string, string>; fits: string[]; limits: Record<string, number> };
  neurons?: { max_grid: number; max_values: number };
  limits: {
    steps: number;
    grid: [number, number];
    points: number;
    hidden_layers: number;
    width: number;
    runs: number;
    speed?: number; // the server's max_speed, steps per second
    [name: string]: unknown;
  };
}

// POST /api/mlp/landscape (app/api/schemas/mlp_responses.py LandscapeResponse).
export interface LandscapeAxis {
  label: string;
  values: number[];
}

export interface LandscapeRun {
  optimizer: string;
  lr: number;
  batch_size: number | null;
  status: string; // "done" or "diverged"
  diverged_at: number | null;
  steps: number[];
  path: { x: Num[]; y: Num[] }; // in axis values
  loss: Num[];
  slice_loss: Num[];
  distance: Num[];
  final_loss: Num;
  lrs: number[];
  sharpness?: Num[] | null;
  sharpness_threshold?: Num[] | null;
  preconditioned_sharpness?: Num[] | null;
  preconditioned_threshold?: Num[] | null;
  test_loss: Num[];
  test_accuracy: Num[];
  penalty: Num[];
  best_test: { step: number; loss: number; accuracy: Num } | null;
}

export interface LandscapeResponse {
  directions: string;
  x: LandscapeAxis;
  y: LandscapeAxis;
  z: Num[][]; // z[j][i]: the loss at (x[i], y[j])
  centre: { x: number; y: number; loss: Num; grid_loss: Num };
  explained_variance: number[] | null;
  plane: { mode: string; centre: number[]; d1: number[]; d2: number[]; origin: number[]; seed: number | null };
  dtype: string;
  sizes: number[];
  n_params: number;
  initial_loss: number;
  runs: LandscapeRun[];
  sharpness_every?: number | null;
}

// POST /api/mlp/backprop (app/api/schemas/mlp_responses.py). A number that overflowed is null.
export type Num = number | null;

export interface BackpropForward {
  layer: number;
  z: Num[];
  a: Num[];
  formula: Record<string, string>;
  mask?: Num[] | null;
}

export interface BackpropBackward {
  layer: number;
  da: Num[] | null; // null at the output
  dz: Num[];
  dW: Num[][];
  db: Num[];
  da_prev: Num[];
  dW_penalty?: Num[][] | null;
  formula: Record<string, string>;
  words: Record<string, string>;
}

export interface ChainLink {
  quantity: string;
  value: Num;
  formula: string;
  terms?: { k: number; W: Num; dz: Num }[] | null;
}

export interface Chain {
  layer: number;
  row: number;
  col: number | null; // null: the bias
  value: Num;
  links: ChainLink[];
}

export interface BackpropTrace {
  loss: Num;
  loss_after: Num;
  penalty: Num;
  penalty_formula: string;
  lr: number;
  x: number[];
  y: number[];
  y_pred: Num[];
  forward: BackpropForward[]; // layer 1 first
  backward: BackpropBackward[]; // last layer first
  updated: { layer: number; W: Num[][]; b: Num[]; formula: string }[];
  layers: { W: number[][]; b: number[]; activation: string }[];
  chain: Chain | null;
  example: string | null;
  description: string;
}
