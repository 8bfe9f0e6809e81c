"""Which command a text selects, the way people actually type it."""

from __future__ import annotations

import pytest

from bot.router import Router
from bot.wiring import build_router


@pytest.fixture(scope="module")
def router() -> Router:
    return build_router()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("查工资", "查工资"),
        ("查工资？", "查工资"),
        ("查工资。", "查工资"),
        ("我的工资？", "查工资"),
        ("工资发了吗?", "查工资"),
        ("查 工资", "查工资"),
        ("  帮助！ ", "帮助"),
    ],
)
def test_bare_command_with_punctuation_or_spaces(router: Router, text: str, command: str) -> None:
    found = router.match(text)
    assert found is not None, text
    assert (found[0].name, found[1]) == (command, "")


def test_arguments_still_follow_the_command(router: Router) -> None:
    found = router.match("帮助 记工")
    assert found is not None and (found[0].name, found[1]) == ("帮助", "记工")


@pytest.mark.parametrize("text", ["查工资的流程是什么", "工资多久发一次", "查 工资的 流程"])
def test_questions_are_not_commands(router: Router, text: str) -> None:
    assert router.match(text) is None


def test_a_second_fallback_or_file_handler_is_refused_not_ignored(router: Router) -> None:
    other = Router("other")

    @other.fallback()
    def _answer_everything(msg, ctx):  # type: ignore[no-untyped-def]
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="fallback"):
        router.include(other)  # the policy router already answers every other text
    files = Router("files2")
    files.file()(_answer_everything)
    with pytest.raises(ValueError, match="file handler"):
        build_router().include(files)
    with pytest.raises(ValueError, match="fallback"):
        other.fallback()(lambda msg, ctx: None)  # type: ignore[arg-type,return-value]
