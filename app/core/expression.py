"""Custom surfaces from a user's formula such as ``x**2 + 10*sin(y)``, parsed safely.

The text is read by `ast.parse` (parsing, never evaluation) and copied node by node into our own
small tree through a whitelist; user text never reaches eval, exec or compile. The tree is then
turned into closures: forward-mode dual numbers (value and exact gradient) over plain floats for the
optimizer's hot path, and NumPy for grids and for points where the float path hits a singularity.

`^` means power, as in maths: it is rewritten to `**` before parsing (Python's XOR has no use in a
formula, and at its own precedence `x^2 + 1` would mean `x ** 3`).
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from app.core.surfaces import Bounds, Point, Surface

__all__ = [
    "FUNCTION_NAMES", "MAX_DEPTH", "MAX_EXPONENT", "MAX_LENGTH", "MAX_LITERAL", "MAX_TREE_DEPTH",
    "Expression", "ExpressionError", "ExpressionSurface", "make_expression_surface",
    "parse_expression",
]

MAX_LENGTH = 500  # characters, checked before anything else
MAX_DEPTH = 30  # nested brackets, counted in the raw text: the parser recurses on them
MAX_TREE_DEPTH = 100  # levels of the tree (x+x+...+x is 1 per term): our code recurses on them
MAX_EXPONENT = 100.0  # |p| of a constant exponent, so 9**9**9**9 is refused, not computed
MAX_LITERAL = 1e300  # bigger numbers are typos or attacks, not surfaces
CUSTOM_ID = "custom"


class ExpressionError(ValueError):
    """A refused formula: what is wrong, the offending text and its 0-based column."""

    def __init__(self, message: str, token: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.token = token
        self.position = position


# ---- the function table: each function travels with its derivative -----------------------------

@dataclass(frozen=True)
class _Function:
    impl: str  # attribute on the backend, in NumPy's spelling (np.arctan, _MATH.arctan)
    deriv: Callable[[Any, Any, Any], Any]  # f'(u) from (backend m, argument u, value v = f(u))
    latex: str  # a command such as \sin, or a template in which # stands for the argument

    def render(self, arg: str) -> str:
        template = self.latex if "#" in self.latex else self.latex + r"\left(#\right)"
        return template.replace("#", arg)


_LN10 = math.log(10.0)
FUNCTIONS: dict[str, _Function] = {
    "sin": _Function("sin", lambda m, u, v: m.cos(u), r"\sin"),
    "cos": _Function("cos", lambda m, u, v: -m.sin(u), r"\cos"),
    "tan": _Function("tan", lambda m, u, v: 1.0 + v * v, r"\tan"),
    "exp": _Function("exp", lambda m, u, v: v, r"\exp"),
    "log": _Function("log", lambda m, u, v: 1.0 / u, r"\ln"),
    "log10": _Function("log10", lambda m, u, v: 1.0 / (u * _LN10), r"\log_{10}"),
    "sqrt": _Function("sqrt", lambda m, u, v: 0.5 / v, r"\sqrt{#}"),
    # Differentiable almost everywhere; 0 is the subgradient we pick at the kink.
    "abs": _Function("absolute", lambda m, u, v: (u > 0) * 1.0 - (u < 0) * 1.0, r"\left|#\right|"),
    "tanh": _Function("tanh", lambda m, u, v: 1.0 - v * v, r"\tanh"),
    "sinh": _Function("sinh", lambda m, u, v: m.cosh(u), r"\sinh"),
    "cosh": _Function("cosh", lambda m, u, v: m.sinh(u), r"\cosh"),
    "arctan": _Function("arctan", lambda m, u, v: 1.0 / (1.0 + u * u), r"\arctan"),
    "arcsin": _Function("arcsin", lambda m, u, v: 1.0 / m.sqrt(1.0 - u * u), r"\arcsin"),
    "arccos": _Function("arccos", lambda m, u, v: -1.0 / m.sqrt(1.0 - u * u), r"\arccos"),
}
ALIASES = {"ln": "log", "atan": "arctan", "asin": "arcsin", "acos": "arccos"}
FUNCTION_NAMES = tuple(sorted([*FUNCTIONS, *ALIASES]))
CONSTANTS = {"pi": (math.pi, r"\pi"), "e": (math.e, "e")}

# The float backend: NumPy's names over the math module, which raises on a singular point
# (log(0), 1/0, overflow) where NumPy returns inf/nan; such a point is redone with NumPy.
_MATH = SimpleNamespace(
    sin=math.sin, cos=math.cos, tan=math.tan, exp=math.exp, log=math.log, log10=math.log10,
    sqrt=math.sqrt, absolute=abs, tanh=math.tanh, sinh=math.sinh, cosh=math.cosh,
    arctan=math.atan, arcsin=math.asin, arccos=math.acos, power=math.pow,
)


# ---- our tree: five node types, nothing else can be represented --------------------------------

@dataclass(frozen=True)
class Num:
    value: float
    latex: str


@dataclass(frozen=True)
class Var:
    name: str  # "x" or "y"


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / ^
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    fn: str  # a key of FUNCTIONS (aliases resolved)
    arg: Node


Node = Num | Var | Neg | BinOp | Call


# ---- parsing: raw-text checks, ast.parse, then a whitelisted copy ------------------------------

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_PY_SYMBOLS = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Eq: "==", ast.NotEq: "!=",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is", ast.IsNot: "is",
    ast.In: "in", ast.NotIn: "not", ast.And: "and", ast.Or: "or",
}
_DESCRIPTIONS = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
    ast.IfExp: "conditional expression", ast.ListComp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension", ast.GeneratorExp: "generator",
    ast.List: "list", ast.Tuple: "tuple (a stray comma?)", ast.Dict: "dict", ast.Set: "set",
    ast.JoinedStr: "f-string", ast.NamedExpr: "assignment", ast.Starred: "starred expression",
}


def _quote(token: str) -> str:
    return "'" + (token if len(token) <= 40 else token[:37] + "...") + "'"


def _prepare(text: str) -> tuple[str, list[int]]:
    """The text Python will parse, and for each of its columns the column in `text`.

    Checks what must be checked before `ast.parse` sees anything: length, characters and bracket
    depth (the parser itself recurses on nesting).
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is {len(text)} characters long (limit {MAX_LENGTH})",
            text[MAX_LENGTH:], MAX_LENGTH,
        )
    src: list[str] = []
    origin: list[int] = []
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"bracket {_quote(ch)} nested deeper than {MAX_DEPTH}", ch, i)
        elif ch in ")]}":
            depth -= 1
        if ch == "^":
            src += "**"
            origin += (i, i)
            continue
        if ch in "\t\r\n":  # one line, so ast columns are columns of the whole text
            ch = " "
        elif ch == "\\":
            raise ExpressionError(r"unsupported character '\' (write sin(x), not \sin x)", ch, i)
        elif not " " <= ch <= "~":  # printable ASCII only: ast columns are byte offsets
            raise ExpressionError(f"unsupported character {_quote(ch)}", ch, i)
        src.append(ch)
        origin.append(i)
    lead = len(src) - len("".join(src).lstrip())  # eval mode refuses leading indentation
    origin.append(len(text))  # the end of the text, for end columns and end-of-input errors
    if lead == len(src):
        raise ExpressionError("expression is empty", "", 0)
    return "".join(src[lead:]), origin[lead:]


class _Builder:
    """Copies a whitelisted ast into our tree; every refusal names its token and column."""

    def __init__(self, text: str, src: str, origin: list[int]) -> None:
        self.text, self.src, self.origin = text, src, origin

    def fail(self, message: str, start: int, end: int) -> NoReturn:
        """Raise with `message` formatted with the quoted token at src columns [start, end)."""
        a, b = self.origin[start], self.origin[max(start, min(end, len(self.src)))]
        token = self.text[a:b]
        raise ExpressionError(message.format(_quote(token)), token, a)

    def fail_at(self, node: Any, message: str) -> NoReturn:
        self.fail(message, node.col_offset, node.end_col_offset)

    def fail_between(self, left: ast.expr, right: ast.expr, op: ast.AST, message: str) -> NoReturn:
        """Refuse an operator, found in the text between its operands (ast keeps no column)."""
        symbol, lo = _PY_SYMBOLS.get(type(op), ""), left.end_col_offset or 0
        i = self.src.find(symbol, lo, right.col_offset) if symbol else -1
        i = lo if i < 0 else i
        self.fail(message, i, i + len(symbol))

    def syntax(self, err: SyntaxError) -> NoReturn:
        col = (err.offset or 0) - 1
        if not 0 <= col < len(self.src):
            self.fail("expression ends too early", len(self.src), len(self.src))
        word = re.match(r"[\w.]+", self.src[col:])  # a whole name or number, else one character
        end = col + len(word.group()) if word else col + 1
        if err.msg.startswith("invalid syntax"):
            self.fail("unexpected {}", col, end)
        near = "" if f"'{self.src[col:end]}'" in err.msg else " near {}"  # "'(' was never closed"
        self.fail(err.msg.replace("{", "{{").replace("}", "}}") + near, col, end)

    def build(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_TREE_DEPTH:
            self.fail_at(node, f"{{}} is nested deeper than {MAX_TREE_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in ("x", "y"):
                return Var(node.id)
            if node.id in CONSTANTS:
                return Num(*CONSTANTS[node.id])
            if node.id in FUNCTIONS or node.id in ALIASES:
                self.fail_at(node, "function {} needs an argument, e.g. sin(x)")
            self.fail_at(node, "unknown name {} (the variables are x and y)")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Neg(self.build(node.operand, depth + 1))
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            self.fail(
                "operator {} is not allowed", node.col_offset,
                node.col_offset + (3 if isinstance(node.op, ast.Not) else 1),
            )
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Compare):
            first = node.comparators[0]
            self.fail_between(node.left, first, node.ops[0], "comparison {} is not allowed")
        if isinstance(node, ast.BoolOp):
            self.fail_between(node.values[0], node.values[1], node.op, "operator {} is not allowed")
        self.fail_at(node, f"{_DESCRIPTIONS.get(type(node), 'syntax')} {{}} is not allowed")

    def number(self, node: ast.Constant) -> Num:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            kind = {str: "string", bytes: "string", complex: "complex number"}.get(type(v), "value")
            self.fail_at(node, f"{kind} {{}} is not allowed: only real numbers")
        try:
            value = float(v)
        except OverflowError:
            value = math.inf
        if not value <= MAX_LITERAL:  # literals are unsigned; inf fails too
            self.fail_at(node, f"number {{}} is too large (limit {MAX_LITERAL:g})")
        return Num(value, _number_latex(value))

    def binop(self, node: ast.BinOp, depth: int) -> Node:
        op = _BINOPS.get(type(node.op))
        if op is None:
            self.fail_between(node.left, node.right, node.op, "operator {} is not supported")
        left, right = self.build(node.left, depth + 1), self.build(node.right, depth + 1)
        # A constant exponent is folded in floats (cheap) and bounded: x**1e9, 9**9**9**9.
        if op == "^" and _is_const(right) and not abs(_const_value(right)) <= MAX_EXPONENT:
            self.fail_at(node.right, f"exponent {{}} is not a number with |p| <= {MAX_EXPONENT:g}")
        return BinOp(op, left, right)

    def call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            self.fail_at(node.func, "only built-in functions like sin(x) can be called, not {}")
        name = ALIASES.get(node.func.id, node.func.id)
        if name not in FUNCTIONS:
            if name in ("x", "y", *CONSTANTS):
                self.fail_at(node.func, "{} is not a function (write * for products: 2*(x+1))")
            self.fail_at(node.func, "unknown function {}")
        if node.keywords:
            self.fail_at(node.keywords[0], "keyword argument {} is not allowed")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail_at(arg, "starred argument {} is not allowed")
        if len(node.args) != 1:
            self.fail_at(node.func, f"{{}} takes exactly 1 argument, got {len(node.args)}")
        return Call(name, self.build(node.args[0], depth + 1))


def _ast_parse(src: str) -> ast.Expression:
    # Tokenizer warnings ("invalid decimal literal" in 1if x) become SyntaxErrors we report
    # rather than noise in the server log.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ast.parse(src, mode="eval")


def parse_expression(text: str) -> Expression:
    """Parse a formula in x and y, or raise ExpressionError naming the offending token."""
    src, origin = _prepare(text)
    builder = _Builder(text, src, origin)
    try:
        try:
            tree = _ast_parse(src)
        except SystemError:
            # CPython 3.11's AST recursion-depth bookkeeping can trip after a deeply nested input
            # ("AST constructor recursion depth mismatch", seen once in a full test run). It is
            # kept per thread, so a fresh thread parses with fresh bookkeeping.
            with ThreadPoolExecutor(max_workers=1) as pool:
                tree = pool.submit(_ast_parse, src).result()
    except SyntaxError as err:
        builder.syntax(err)
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is too complex to parse", text, 0) from None
    return Expression(text, builder.build(tree.body, 1))


# ---- compiling the tree into closures -----------------------------------------------------------

Dual = tuple[Any, Any, Any]  # (f, df/dx, df/dy): floats on the fast path, arrays on NumPy's
_NP_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": np.power,
}


def _is_const(node: Node) -> bool:
    if isinstance(node, Var):
        return False
    if isinstance(node, Num):
        return True
    if isinstance(node, BinOp):
        return _is_const(node.left) and _is_const(node.right)
    return _is_const(node.arg)


def _const_value(node: Node) -> float:
    """A subtree without x or y, folded once with NumPy's inf/nan semantics (1/0 is inf)."""
    with np.errstate(all="ignore"):
        return float(_compile_values(node)(np.float64(0.0), np.float64(0.0)))


def _compile_values(node: Node) -> Callable[[Any, Any], Any]:
    """f over NumPy arrays (or np.float64 scalars), values only: the grid path."""
    if isinstance(node, Num):
        c = np.float64(node.value)  # np.float64, so 1/0 between constants is inf, not an error
        return lambda x, y: c
    if isinstance(node, Var):
        return (lambda x, y: x) if node.name == "x" else (lambda x, y: y)
    if isinstance(node, Neg):
        a = _compile_values(node.arg)
        return lambda x, y: -a(x, y)
    if isinstance(node, Call):
        f, a = getattr(np, FUNCTIONS[node.fn].impl), _compile_values(node.arg)
        return lambda x, y: f(a(x, y))
    op, a, b = _NP_BINOPS[node.op], _compile_values(node.left), _compile_values(node.right)
    return lambda x, y: op(a(x, y), b(x, y))


def _compile_dual(node: Node, m: Any) -> Callable[[Any, Any], Dual]:
    """(f, df/dx, df/dy) by forward-mode dual numbers; `m` is `_MATH` (floats) or `np`."""
    if _is_const(node):
        c = _const_value(node)
        return lambda x, y: (c, 0.0, 0.0)
    if isinstance(node, Var):
        return (lambda x, y: (x, 1.0, 0.0)) if node.name == "x" else (lambda x, y: (y, 0.0, 1.0))
    if isinstance(node, Neg):
        a = _compile_dual(node.arg, m)

        def neg(x: Any, y: Any) -> Dual:
            v, vx, vy = a(x, y)
            return -v, -vx, -vy
        return neg
    if isinstance(node, Call):
        spec, a = FUNCTIONS[node.fn], _compile_dual(node.arg, m)
        f, deriv = getattr(m, spec.impl), spec.deriv

        def call(x: Any, y: Any) -> Dual:
            u, ux, uy = a(x, y)
            v = f(u)
            d = deriv(m, u, v)  # chain rule: f'(u) * du
            return v, d * ux, d * uy
        return call
    assert isinstance(node, BinOp)
    a = _compile_dual(node.left, m)
    if node.op == "^" and _is_const(node.right):
        return _power_const(a, _const_value(node.right), m)
    b = _compile_dual(node.right, m)
    return _BINARY_RULES[node.op](a, b, m)


def _power_const(a: Callable[[Any, Any], Dual], p: float, m: Any) -> Callable[[Any, Any], Dual]:
    """u**p for constant p: p u**(p-1) du needs no log(u) (unlike u**v), so u < 0 is fine."""
    if p == 0.0:
        return lambda x, y: (1.0, 0.0, 0.0)
    if p == 1.0:
        return a
    pw = m.power

    def square(x: Any, y: Any) -> Dual:
        u, ux, uy = a(x, y)
        return u * u, 2.0 * u * ux, 2.0 * u * uy

    def power(x: Any, y: Any) -> Dual:
        u, ux, uy = a(x, y)
        d = p * pw(u, p - 1.0)
        return pw(u, p), d * ux, d * uy
    return square if p == 2.0 else power


def _add(a: Callable, b: Callable, m: Any) -> Callable[[Any, Any], Dual]:
    def add(x: Any, y: Any) -> Dual:
        (u, ux, uy), (v, vx, vy) = a(x, y), b(x, y)
        return u + v, ux + vx, uy + vy
    return add


def _sub(a: Callable, b: Callable, m: Any) -> Callable[[Any, Any], Dual]:
    def sub(x: Any, y: Any) -> Dual:
        (u, ux, uy), (v, vx, vy) = a(x, y), b(x, y)
        return u - v, ux - vx, uy - vy
    return sub


def _mul(a: Callable, b: Callable, m: Any) -> Callable[[Any, Any], Dual]:
    def mul(x: Any, y: Any) -> Dual:
        (u, ux, uy), (v, vx, vy) = a(x, y), b(x, y)
        return u * v, ux * v + u * vx, uy * v + u * vy
    return mul


def _div(a: Callable, b: Callable, m: Any) -> Callable[[Any, Any], Dual]:
    def div(x: Any, y: Any) -> Dual:
        (u, ux, uy), (v, vx, vy) = a(x, y), b(x, y)
        q = u / v
        return q, (ux - q * vx) / v, (uy - q * vy) / v
    return div


def _pow(a: Callable, b: Callable, m: Any) -> Callable[[Any, Any], Dual]:
    pw, log = m.power, m.log

    def power(x: Any, y: Any) -> Dual:
        (u, ux, uy), (v, vx, vy) = a(x, y), b(x, y)
        f = pw(u, v)
        du, dv = v * pw(u, v - 1.0), f * log(u)  # d(u**v) = v u**(v-1) du + u**v ln(u) dv
        return f, du * ux + dv * vx, du * uy + dv * vy
    return power


_BINARY_RULES = {"+": _add, "-": _sub, "*": _mul, "/": _div, "^": _pow}


# ---- LaTeX --------------------------------------------------------------------------------------

_ATOM = 5  # precedences: + - 1, * / 2, unary minus 3, ^ 4, numbers, names and calls 5
_NUMBER = r"-?[\d.]+|\\pi|e"  # a number or constant, which juxtaposes: 2 x, \pi x


def _number_latex(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    mantissa, _, exponent = repr(value).partition("e")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa in ("1", "1.0") else rf"{mantissa} \times {power}"


def _paren(s: str) -> str:
    return rf"\left({s}\right)"


def _latex(node: Node) -> tuple[str, int]:
    """LaTeX for a subtree and its precedence, so parents add only the brackets they need."""
    if isinstance(node, Num):
        return node.latex, _ATOM
    if isinstance(node, Var):
        return node.name, _ATOM
    if isinstance(node, Call):
        return FUNCTIONS[node.fn].render(_latex(node.arg)[0]), _ATOM
    if isinstance(node, Neg):
        s, p = _latex(node.arg)
        return "-" + (_paren(s) if p in (1, 3) else s), 3
    (ls, lp), (rs, rp) = _latex(node.left), _latex(node.right)
    op = node.op
    if op == "/":
        return rf"\frac{{{ls}}}{{{rs}}}", 2
    if op == "^":
        # sin(x)^2 reads ambiguously, so function calls get brackets as bases too.
        boxed = isinstance(node.left, Call) and node.left.fn not in ("sqrt", "abs")
        return f"{_paren(ls) if lp < _ATOM or boxed else ls}^{{{rs}}}", 4
    if op == "*":
        ls = _paren(ls) if lp < 2 else ls
        rs = _paren(rs) if rp < 2 or rp == 3 else rs
        # 10 \sin(y) and 2 x juxtapose; anything else gets a visible \cdot.
        tight = re.fullmatch(_NUMBER, ls) and re.match(r"[a-zA-Z]|\\(?!frac)", rs)
        return ls + (" " if tight else r" \cdot ") + rs, 2
    rs = _paren(rs) if rp == 3 or (op == "-" and rp == 1) else rs
    return f"{ls} {op} {rs}", 1


# ---- the public objects -------------------------------------------------------------------------

class Expression:
    """A parsed formula f(x, y): NumPy values for grids, exact (f, df/dx, df/dy) for runs."""

    __slots__ = ("text", "tree", "latex", "_values", "_fast", "_slow")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text  # as typed: error positions refer to it
        self.tree = tree
        self.latex = _latex(tree)[0]
        self._values = _compile_values(tree)
        self._fast = _compile_dual(tree, _MATH)
        self._slow = _compile_dual(tree, np)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and self.tree == other.tree

    def __hash__(self) -> int:
        return hash(self.tree)

    def evaluate(
        self, x: NDArray[np.float64] | float, y: NDArray[np.float64] | float
    ) -> NDArray[np.float64] | float:
        """f over broadcast arrays (a scalar for scalars); inf/nan where f is undefined."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        with np.errstate(all="ignore"):
            z = self._values(x, y)
        return np.broadcast_to(z, np.broadcast_shapes(x.shape, y.shape)).astype(np.float64)[()]

    def value_and_grad_array(
        self, x: NDArray[np.float64] | float, y: NDArray[np.float64] | float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(f, df/dx, df/dy) over broadcast arrays, e.g. for a field of gradient arrows."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        with np.errstate(all="ignore"):
            f, fx, fy = (np.broadcast_to(a, shape).astype(np.float64) for a in self._slow(x, y))
        return f, fx, fy

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        """(f, df/dx, df/dy) at one point as plain floats: the hot path of a run."""
        x, y = float(x), float(y)
        try:
            return self._fast(x, y)
        except (ArithmeticError, ValueError):
            # A singular point (log(0), 1/0, exp(1000)): redo it with NumPy's inf/nan.
            with np.errstate(all="ignore"):
                f, fx, fy = self._slow(np.float64(x), np.float64(y))
            return float(f), float(fx), float(fy)


_HESSIAN_STEP = 6e-6  # ~ cbrt(machine epsilon): balances truncation and rounding error


@dataclass(frozen=True)
class ExpressionSurface(Surface):
    """A surface typed by the user. `expr.text` is the formula; its minima are unknown."""

    expr: Expression = field(kw_only=True)

    def value(
        self, x: NDArray[np.float64] | float, y: NDArray[np.float64] | float
    ) -> NDArray[np.float64] | float:
        return self.expr.evaluate(x, y)

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        return self.expr.value_and_grad(x, y)

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        """Central differences of the exact gradient, symmetrised."""
        hx, hy = _HESSIAN_STEP * max(1.0, abs(x)), _HESSIAN_STEP * max(1.0, abs(y))
        g = self.expr.value_and_grad
        _, ax, ay = g(x + hx, y)
        _, bx, by = g(x - hx, y)
        _, cx, cy = g(x, y + hy)
        _, dx, dy = g(x, y - hy)
        fxx = (ax - bx) / (2 * hx)  # d/dx of f_x
        fyy = (cy - dy) / (2 * hy)  # d/dy of f_y
        fxy = 0.5 * ((ay - by) / (2 * hx) + (cx - dx) / (2 * hy))  # symmetrised
        return fxx, fxy, fyy


def make_expression_surface(
    text: str, bounds: Bounds = ((-5.0, 5.0), (-5.0, 5.0)), start: Point | None = None
) -> ExpressionSurface:
    """A Surface from the user's formula; raises ExpressionError for a bad one."""
    expr = parse_expression(text)
    (x0, x1), (y0, y1) = bounds
    if not all(map(math.isfinite, (x0, x1, y0, y1))) or not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must be finite with low < high, got {bounds}")
    if start is None:  # (-3.5, 3.0) on the default box: off-centre, so a run has a way to go
        start = (x0 + 0.15 * (x1 - x0), y0 + 0.8 * (y1 - y0))
    shown = " ".join(text.split())
    return ExpressionSurface(
        id=CUSTOM_ID,
        name=f"Custom: {shown}",
        description=(
            f"Your formula f(x, y) = {shown}. Its gradient is exact (automatic differentiation "
            "of the parsed formula); its minima are unknown."
        ),
        formula_latex=expr.latex,
        bounds=((float(x0), float(x1)), (float(y0), float(y1))),
        minima=(),
        default_start=(float(start[0]), float(start[1])),
        params={},
        expr=expr,
    )
