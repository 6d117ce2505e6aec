"""HTML string → visible text with paragraph breaks (script, style, nav and the like dropped).

Built on the standard library's streaming HTMLParser: it never recurses, so deeply nested or
broken markup cannot blow the stack, and it needs no extra dependency.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Not the page's own text: code, menus, forms, and footers/asides (copyright lines, related stories).
SKIP = {"script", "style", "nav", "noscript", "template", "svg", "head", "iframe", "form", "button", "select",
        "footer", "aside"}
BLOCK = {
    "p", "div", "section", "article", "main", "aside", "header", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "li", "ul", "ol", "table", "tr", "blockquote", "pre", "figure", "figcaption", "dl", "dt", "dd",
    "hr", "address", "center",
}
VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "param", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0          # depth inside elements whose text is not shown
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in SKIP and tag not in VOID:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in SKIP and tag not in VOID:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if not self.skip:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BREAKS = re.compile(r"\n{3,}")


def clean_lines(raw: str) -> str:
    """Collapse runs of spaces in each line, drop blank runs to one empty line."""
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> tuple[str, str]:
    """Return (visible text, <title> text).

    >>> html_to_text("<p>a&amp;b</p><script>x()</script><p>c</p>")
    ('a&b\\n\\nc', '')
    """
    parser = _Text()
    parser.feed(html)
    parser.close()
    return clean_lines("".join(parser.parts)), clean_lines("".join(parser.title))


_TAG_HINT = re.compile(r"<(?:!doctype\s+html|html|body|p|div|br|span|h[1-6]|article|section|table|ul|a)\b", re.I)


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return bool(_TAG_HINT.search(head)) and head.count("<") >= 2
