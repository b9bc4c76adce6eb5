from html.parser import HTMLParser

import pytest

from portal.markdown import html_to_text, render_markdown


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "[x](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
    ],
)
def test_hostile_markdown_comes_out_inert(hostile):
    tags = _tags(render_markdown(hostile))
    assert "script" not in [name for name, _ in tags]
    for _name, attrs in tags:
        assert not any(key.startswith("on") for key in attrs)
        for key in ("href", "src"):
            assert not (attrs.get(key) or "").lower().startswith("javascript")


def _tags(html: str) -> list[tuple[str, dict]]:
    """Every real element in `html` (escaped text is not an element) with its attributes."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def test_links_get_safe_rel_and_tables_strikethrough_code_work():
    html = render_markdown(
        "[site](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n"
        "```python\nx = 1\n```"
    )
    assert 'rel="nofollow ugc noopener"' in html
    assert "<table>" in html and "<s>2</s>" in html
    assert '<span class="hl-n">x</span>' in html


def test_html_to_text_keeps_words_apart():
    assert html_to_text("<p>one</p><p>two &amp; three</p>") == "one two & three"
