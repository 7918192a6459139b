// The shapes of the JSON the pages read from the API (app/api/routes). Types only.

/** A tunable number (app/core/parameters.py Hyperparameter). */
export interface Hyperparameter {
  default: number;
  min: number;
  max: number;
  help: string;
  log: boolean;
  kind: "float" | "int" | "bool";
  label: string;
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
  hyperparameters: Record<string, Hyperparameter>;
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
