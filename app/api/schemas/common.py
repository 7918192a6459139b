"""Number types that refuse NaN and Infinity (pydantic accepts "NaN" and "inf" unless told)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Finite = Annotated[float, Field(allow_inf_nan=False)]
Point = Annotated[list[Finite], Field(min_length=2, max_length=2)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
