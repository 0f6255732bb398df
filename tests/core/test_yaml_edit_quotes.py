"""A changed value keeps the old scalar's quote style when the new value can be written in it."""

from __future__ import annotations

import pytest

from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from dtr_tui.core.yaml_edit import render_in_style
from dtr_tui.core.yaml_nodes import compose, to_view


def render(text: str, path: tuple[str, ...], value: object) -> str:
    doc = ConfigDocument.parse(text, "c.yml")
    draft = doc.draft(V2_8).with_value(path, value)
    new = doc.render(draft)
    assert ConfigDocument.parse(new, "c.yml").storage_view == draft.as_view()
    return new


@pytest.mark.parametrize(
    ("old", "value", "new"),
    [
        ('"/x"', "/new", '"/new"'),
        ("'/x'", "/new", "'/new'"),
        ("'/x'", "it's", "'it''s'"),
        ('"/x"', 'say "hi"', '"say \\"hi\\""'),
        ('"/x"', "a\\b", '"a\\\\b"'),
        ('"/x"', "café", '"café"'),
        ("'/x'", "two\nlines", '"two\\nlines"'),  # single quotes cannot hold a newline
        ("/x", "/new", "/new"),  # plain stays plain
        ("/x", "true", "'true'"),  # plain that would read as a bool is quoted
    ],
)
def test_quote_style_is_kept(old: str, value: str, new: str) -> None:
    text = f'version: 0.1\n"storage":\n  \'filesystem\':\n    "rootdirectory": {old}  # c\n'
    assert render(text, ("filesystem", "rootdirectory"), value) == text.replace(
        f": {old}  #", f": {new}  #"
    )


def test_a_number_or_bool_is_not_put_in_quotes() -> None:
    text = "version: 0.1\nstorage:\n  filesystem:\n    maxthreads: '50'\n"
    assert render(text, ("filesystem", "maxthreads"), 60).endswith("maxthreads: 60\n")
    assert render_in_style(True, '"') is None and render_in_style("x", None) is None


@pytest.mark.parametrize("value", ["a'b", 'a"b', "é\u2028", "\x7f", "tab\there", "a\\nb", ""])
@pytest.mark.parametrize("style", ["'", '"'])
def test_quoted_renderings_read_back(value: str, style: str) -> None:
    rendered = render_in_style(value, style)
    assert rendered is not None or (style == "'" and not value.isprintable())
    if rendered is not None:
        assert to_view(compose(f"k: {rendered}\n", "t"), "t") == {"k": value}
