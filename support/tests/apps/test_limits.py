"""sessionlab.apps._limits: the helpers that turn hostile input into a clear 4xx."""

from __future__ import annotations

import pytest

from sessionlab.apps._limits import MAX_DIGITS, BadInput, header_safe, int_arg, json_depth, text_field


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ('{"a": [1, {"b": []}]}', 4), ('"[[[[["', 0), ('{"k": "]]]\\"[[["}', 1), ("[" * 5000, 5000)],
)
def test_json_depth_counts_brackets_outside_strings_without_recursing(text, depth):
    assert json_depth(text) == depth


@pytest.mark.parametrize("raw", ["abc", "²", "١٢", "1" * (MAX_DIGITS + 1), "1.5", "0x10", "-"])
def test_int_arg_refuses_what_int_would_crash_on_or_accept_by_surprise(raw):
    with pytest.raises(BadInput) as caught:
        int_arg(raw, "page", default=1)
    assert caught.value.status == 400 and "page" in caught.value.detail


def test_int_arg_reads_digits_applies_the_default_and_the_range():
    assert int_arg(" 42 ", "page", default=1) == 42 and int_arg(None, "page", default=7) == 7
    with pytest.raises(BadInput, match="1 이상"):
        int_arg("0", "page", default=1, lo=1)


@pytest.mark.parametrize(
    ("value", "hint"), [(["a"], "문자열"), ("x" * 2000, "너무 깁니다"), ("a\ud800", "서로게이트")]
)
def test_text_field_refuses_non_text(value, hint):
    with pytest.raises(BadInput, match=hint):
        text_field(value, "password")


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: x=1", "a\nb", "tab\there", "nul\x00"])
def test_header_safe_refuses_control_characters(value):
    with pytest.raises(BadInput, match="제어 문자") as caught:
        header_safe(value, "username")
    assert caught.value.status == 422


def test_header_safe_keeps_ordinary_names():
    assert header_safe("김철수_01", "username") == "김철수_01"
