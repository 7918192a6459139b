"""Messages told apart by their `type`: a pydantic union whose members are tagged, with the tag
read by a function (a discriminated union that names the right model in its errors, and refuses
an unknown type without trying every member)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import reduce
from operator import or_
from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Tag


def message_type(value: Any) -> str | None:
    """A message's tag: its `type` when that is a string, else None (refused as unknown)."""
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else None


def tagged_union(members: Mapping[str, type[BaseModel]],
                 tag: Callable[[Any], str | None] = message_type) -> Any:
    """Annotated[A | B | ..., Discriminator(tag)], each model tagged with its key, in order."""
    tagged = [Annotated[model, Tag(name)] for name, model in members.items()]
    return Annotated[reduce(or_, tagged), Discriminator(tag)]
