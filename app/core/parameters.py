"""Tunable numbers with their defaults, ranges and meaning: optimizers' hyperparameters,
schedules' parameters, a surface's shape parameters. One spec serves validation, the API (which
the UI builds its controls from) and the hover texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np


class HyperparameterError(ValueError):
    """A hyperparameter name or value was rejected; `field` names the offending field(s)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Hyperparameter:
    """A tunable number: its default, the inclusive range a user may pick from, and what it does.

    A `nullable` one also accepts None (JSON null), meaning "let the algorithm choose", as torch
    does for Adafactor's eps1; its default may then be None.

    A `choice` takes one of the strings in `choices` (torch's string keywords, such as L-BFGS's
    line_search_fn); min and max are unused (0).
    """

    default: float | None
    min: float
    max: float
    help: str
    log: bool = False  # show on a log-scale slider (then min > 0)
    kind: Literal["float", "int", "bool", "choice"] = "float"
    label: str = ""  # a short symbol for a control (e.g. "κ"); the name when empty
    nullable: bool = False  # None (JSON null) is a valid value
    choices: tuple[str, ...] = ()  # kind "choice": the valid strings

    def validate(self, name: str, value: object) -> float | str | None:
        """The value coerced to this kind (float, int, bool or one of the choices), None if
        nullable, or HyperparameterError."""
        if value is None and self.nullable:
            return None
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            valid = ", ".join([*map(repr, self.choices), *(["null"] if self.nullable else [])])
            raise HyperparameterError(name, f"{name} must be one of {valid}, got {value!r}")
        if self.kind == "bool":
            if isinstance(value, bool | np.bool_) or value in (0, 1):
                return bool(value)
            raise HyperparameterError(name, f"{name} must be a boolean, got {value!r}")
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise HyperparameterError(name, f"{name} must be a number, got {value!r}")
        if self.kind == "int":
            if not float(value).is_integer():
                raise HyperparameterError(name, f"{name} must be an integer, got {value!r}")
            number: float = int(value)
        else:
            number = float(value)
        if not self.min <= number <= self.max:  # also rejects NaN
            raise HyperparameterError(
                name, f"{name} must be between {self.min:g} and {self.max:g}, got {value!r}"
            )
        return number


class Configurable:
    """Hyperparameters as validated instance attributes, declared in `hyperparameters`.

    Assigning `obj.lr = 0.1` (or `obj.set("lr", 0.1)`) validates and takes effect on the next use;
    assigning any other public name (a typo, or a constant such as Nesterov's dampening) fails.
    """

    hyperparameters: ClassVar[dict[str, Hyperparameter]] = {}

    def __init__(self, **hyper: float) -> None:
        unknown = sorted(set(hyper) - set(self.hyperparameters))
        if unknown:
            raise self._unknown(unknown)
        for name, spec in self.hyperparameters.items():
            setattr(self, name, hyper.get(name, spec.default))

    def __setattr__(self, name: str, value: object) -> None:
        spec = self.hyperparameters.get(name)
        if spec is not None:
            value = spec.validate(name, value)
        elif not name.startswith("_"):  # private state is free; public names are the config
            raise self._unknown([name])
        object.__setattr__(self, name, value)

    def set(self, name: str, value: float) -> None:
        """Validate and assign one hyperparameter by name."""
        if name not in self.hyperparameters:
            raise self._unknown([name])
        setattr(self, name, value)

    def _unknown(self, names: list[str]) -> HyperparameterError:
        return HyperparameterError(
            ", ".join(names),
            f"{type(self).__name__} has no hyperparameter {' or '.join(names)}; "
            f"valid: {', '.join(self.hyperparameters) or 'none'}",
        )

    def config(self) -> dict[str, float | None]:
        """The current hyperparameter values, by name."""
        return {name: getattr(self, name) for name in self.hyperparameters}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"
