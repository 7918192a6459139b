// @ts-check
// A small LaTeX-subset typesetter for the API's equations (optimizers, schedules, surfaces), as
// plain HTML: plotly.min.js carries no MathJax and the app is offline. It covers what the
// registries use: Greek letters, sub/superscripts, \frac, \sqrt, \hat, \left( \right), \\ for
// line breaks, spacing commands and a few operators. Unknown commands show their name.
// Builds DOM nodes (never innerHTML), so no formula can inject markup.

/** @type {Record<string, string>} */
const SYMBOLS = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
  eta: "η", theta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π",
  rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
  Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
  nabla: "∇", partial: "∂", infty: "∞", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠",
  approx: "≈", cdot: "·", times: "×", pm: "±", leftarrow: "←", rightarrow: "→", to: "→",
  gets: "←", circ: "°", prod: "∏", sum: "∑", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉",
  odot: "⊙", in: "∈", ell: "ℓ", top: "⊤", ldots: "…", cdots: "⋯", lVert: "‖", rVert: "‖", Vert: "‖",
  lvert: "|", rvert: "|", vert: "|", langle: "⟨", rangle: "⟩",
};
const FUNCTIONS = new Set(["cos", "sin", "tan", "tanh", "exp", "log", "ln", "max", "min", "arg", "sign"]);
/** @type {Record<string, string>} */
const SPACES = { quad: "\u2003", qquad: "\u2003\u2003", ",": "\u2009", ":": "\u2005", ";": "\u2005", " ": " ", "!": "" };
/** @type {Record<string, string>} */
const ACCENTS = { hat: "\u0302", bar: "\u0304", tilde: "\u0303", vec: "\u20d7", dot: "\u0307" };
const DELIMITER_SIZES = new Set(["left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "middle"]);
const TEXT = new Set(["text", "textrm"]); // their argument is words: spaces count
const UPRIGHT = new Set(["mathrm", "text", "operatorname", "textrm", "mathbf", "boldsymbol", "mathit"]);

/**
 * A token: a command (\name), a line break (\\), a brace, a script mark, or a character.
 * @typedef {{ t: "cmd", name: string, raw?: string } | { t: "newline" } | { t: string, c: string }} Token
 */

/** @param {string} src @returns {Token[]} */
function tokenize(src) {
  /** @type {Token[]} */
  const tokens = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === "\\") {
      const next = src[i + 1] ?? "";
      if (next === "\\") {
        tokens.push({ t: "newline" });
        i += 2;
      } else if (/[A-Za-z]/.test(next)) {
        let j = i + 1;
        while (j < src.length && /[A-Za-z]/.test(src[j])) j++;
        const name = src.slice(i + 1, j);
        const close = src.indexOf("}", j);
        if (TEXT.has(name) && src[j] === "{" && close > j) {
          tokens.push({ t: "cmd", name, raw: src.slice(j + 1, close) }); // words, with their spaces
          i = close + 1;
          continue;
        }
        tokens.push({ t: "cmd", name });
        i = j;
      } else {
        tokens.push({ t: "cmd", name: next });
        i += 2;
      }
    } else if (/\s/.test(c)) {
      i++; // spaces do not count in maths
    } else {
      tokens.push({ t: c === "{" || c === "}" || c === "^" || c === "_" ? c : "char", c });
      i++;
    }
  }
  return tokens;
}

/**
 * @param {string} tag
 * @param {string | null} cls
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElement}
 */
const el = (tag, cls, children = []) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  for (const child of children) node.append(child);
  return node;
};

class Parser {
  /** @param {Token[]} tokens */
  constructor(tokens) {
    this.tokens = tokens;
    this.i = 0;
  }

  /** @returns {Token | undefined} */
  peek() {
    return this.tokens[this.i];
  }

  /**
   * Nodes until `}` (inside a group) or the end; a top-level `\\` ends a line.
   * @param {boolean} inGroup
   * @returns {Node[]}
   */
  sequence(inGroup) {
    /** @type {Node[]} */
    const nodes = [];
    for (;;) {
      const tok = this.peek();
      if (!tok) break;
      if (tok.t === "}") {
        this.i++; // closes this group; at the top level, a stray brace is skipped
        if (inGroup) break;
        continue;
      }
      if (tok.t === "newline") {
        if (inGroup) {
          this.i++;
          continue;
        }
        break;
      }
      nodes.push(this.scripted());
    }
    return nodes;
  }

  /** One atom with its scripts, in either order: x_t^2. @returns {Node} */
  scripted() {
    /** @type {Node} */
    let atom = this.atom();
    for (let t = this.peek(); t && (t.t === "^" || t.t === "_"); t = this.peek()) {
      this.i++;
      const script = el(t.t === "^" ? "sup" : "sub", null, [this.argument()]);
      atom = el("span", "tex-scripted", [atom, script]);
    }
    return atom;
  }

  /**
   * \begin{cases} rows of "value & condition" separated by \\, up to \end{...}: a brace and
   * a two-column grid. Any other environment is laid out the same way.
   * @returns {Node}
   */
  environment() {
    this.argument(); // the environment's name
    /** @type {Node[][][]} rows of cells of nodes */
    const rows = [];
    /** @type {Node[][]} */
    let row = [[]];
    for (let tok = this.peek(); tok; tok = this.peek()) {
      if ("name" in tok && tok.name === "end") {
        this.i++;
        this.argument();
        break;
      }
      if (tok.t === "newline") {
        this.i++;
        rows.push(row);
        row = [[]];
      } else if ("c" in tok && tok.c === "&") {
        this.i++;
        row.push([]);
      } else if (tok.t === "}") {
        this.i++; // a stray brace
      } else {
        row[row.length - 1].push(this.scripted());
      }
    }
    rows.push(row);
    const cells = rows.flatMap((r) => r.map((c) => el("span", "tex-cell", c)));
    return el("span", "tex-cases", [el("span", "tex-brace", ["{"]), el("span", "tex-rows", cells)]);
  }

  /** One argument of a command: a {group} or a single token. @returns {Node} */
  argument() {
    const tok = this.peek();
    if (!tok) return document.createTextNode("");
    if (tok.t === "{") {
      this.i++;
      return el("span", null, this.sequence(true));
    }
    return this.atom();
  }

  /** @returns {Node} */
  atom() {
    const tok = this.tokens[this.i++];
    if ("name" in tok) return "raw" in tok && tok.raw !== undefined ? el("span", "tex-op", [tok.raw]) : this.command(tok.name);
    if (tok.t === "{") return el("span", null, this.sequence(true));
    if (tok.t === "^" || tok.t === "_" || !("c" in tok)) return document.createTextNode("");
    return this.char(tok.c);
  }

  /** @param {string} c @returns {Node} */
  char(c) {
    if (/[A-Za-z]/.test(c)) return el("i", "tex-var", [c]);
    if (c === "-") return el("span", "tex-op", ["\u2009−\u2009"]);
    if (c === "+" || c === "=") return el("span", "tex-op", [`\u2009${c}\u2009`]);
    if (c === ",") return document.createTextNode(",\u2009");
    if (c === "/") return document.createTextNode("\u2009/\u2009");
    if (c === "*") return document.createTextNode("\u2009·\u2009");
    if (c === "'") return document.createTextNode("′");
    return document.createTextNode(c);
  }

  /** @param {string} name @returns {Node} */
  command(name) {
    if (name === "begin") return this.environment();
    if (name === "frac" || name === "tfrac" || name === "dfrac") {
      const num = el("span", "tex-num", [this.argument()]);
      const den = el("span", "tex-den", [this.argument()]);
      return el("span", "tex-frac", [num, den]);
    }
    if (name === "sqrt") {
      return el("span", "tex-sqrt", ["√", el("span", "tex-radicand", [this.argument()])]);
    }
    if (name in ACCENTS) {
      const arg = this.argument();
      const text = arg.textContent || "";
      if (text.length === 1) return el("i", "tex-var", [text + ACCENTS[name]]);
      return el("span", null, [arg, ACCENTS[name]]);
    }
    if (DELIMITER_SIZES.has(name)) {
      const tok = this.tokens[this.i++];
      if (!tok) return document.createTextNode("");
      if ("name" in tok) return document.createTextNode(SYMBOLS[tok.name] ?? (tok.name === "|" ? "‖" : tok.name === "{" || tok.name === "}" ? tok.name : ""));
      if (!("c" in tok)) return document.createTextNode("");
      return document.createTextNode(tok.c === "." ? "" : tok.c);
    }
    if (UPRIGHT.has(name)) return el("span", "tex-op", [this.argument().textContent || ""]);
    if (FUNCTIONS.has(name)) return el("span", "tex-op", [`${name}\u2009`]);
    if (name in SPACES) return document.createTextNode(SPACES[name]);
    if (name in SYMBOLS) {
      const s = SYMBOLS[name];
      const op = "≤≥≠≈·×±←→".includes(s);
      return el(op ? "span" : "i", op ? "tex-op" : "tex-var", [op ? `\u2009${s}\u2009` : s]);
    }
    if (name === "{" || name === "}" || name === "%" || name === "_" || name === "|") {
      return document.createTextNode(name === "|" ? "‖" : name);
    }
    return el("span", "tex-op", [name]);
  }
}

/**
 * A typeset formula: a <div class="tex"> with one <div class="tex-line"> per `\\` line.
 * @param {string | null | undefined} source
 */
export function renderTex(source) {
  const parser = new Parser(tokenize(String(source ?? "")));
  const root = el("div", "tex");
  while (parser.peek()) {
    const line = el("div", "tex-line", parser.sequence(false));
    if (line.childNodes.length) root.append(line);
    if (parser.peek()?.t === "newline") parser.i++;
  }
  return root;
}
