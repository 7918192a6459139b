"""app/api/schemas/tagged.py: the tagged union both message schemas (ws.py, classroom.py) use."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Discriminator, Tag, TypeAdapter, ValidationError

from app.api.schemas.tagged import message_type, tagged_union


class Ping(BaseModel):
    type: Literal["ping"]


class Say(BaseModel):
    type: Literal["say"]
    text: str


def test_it_is_the_union_written_out_by_hand() -> None:
    by_hand = Annotated[Annotated[Ping, Tag("ping")] | Annotated[Say, Tag("say")],
                        Discriminator(message_type)]
    built = tagged_union({"ping": Ping, "say": Say})
    assert TypeAdapter(built).json_schema() == TypeAdapter(by_hand).json_schema()


def test_the_type_picks_the_model() -> None:
    messages = TypeAdapter(tagged_union({"ping": Ping, "say": Say}))
    assert messages.validate_python({"type": "say", "text": "hi"}) == Say(type="say", text="hi")
    assert isinstance(messages.validate_python({"type": "ping"}), Ping)


@pytest.mark.parametrize(("raw", "error"), [
    ({"type": "shout"}, "union_tag_invalid"),  # a type no member has
    ({"type": 5}, "union_tag_not_found"),  # not a string: no tag at all
    ({"text": "hi"}, "union_tag_not_found"),
    (["say"], "union_tag_not_found"),
])
def test_a_message_without_a_known_type_is_refused_as_such(raw: object, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(tagged_union({"ping": Ping, "say": Say})).validate_python(raw)
    assert [e["type"] for e in caught.value.errors()] == [error]


def test_a_custom_tag_function_tells_apart_messages_of_one_type() -> None:
    def tag(value: object) -> str | None:
        kind = message_type(value)
        return "say" if kind == "ping" and isinstance(value, dict) and "text" in value else kind

    messages = TypeAdapter(tagged_union({"ping": Ping, "say": Say}, tag))
    with pytest.raises(ValidationError):  # told apart as a Say, whose type must be "say"
        messages.validate_python({"type": "ping", "text": "hi"})
    assert isinstance(messages.validate_python({"type": "ping"}), Ping)
