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
# An element with a class or id token like these is page furniture (related stories, share buttons,
# comments, menus): its figures are not the article's. Whole tokens only, with an optional common
# prefix ("post-tags", "related-news"), so "elementor-widget" or "has-sidebar" content stays.
BOILERPLATE = re.compile(r"^(?:(?:post|entry|article|news|single|td|jeg|wp|c)[-_])?(?:related|recommended|popular|"
                         r"most[-_]read|read[-_]also|see[-_]also|share|sharing|social|comments?|breadcrumbs?|"
                         r"menu|navbar|sidebar|advert|ads|adsbygoogle|cookies?|subscribe|newsletter|tags)"
                         r"(?:[-_]\S*)?$", re.I)
# Only elements that pages always close can be furniture ("<p class=tags>" may be left open).
CONTAINERS = {"div", "section", "ul", "ol", "aside", "table", "figure", "dl"}
# Where pages state their publication time (meta name/property/itemprop, first found wins).
DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
             "publish-date", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date")
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0          # depth inside elements whose text is not shown
        self.title: list[str] = []
        self.in_title = False
        self.furniture: tuple[str, int] | None = None   # (tag, open count) of a boilerplate element
        self.meta: dict[str, str] = {}

    def _note_meta(self, tag, attrs):
        a = {k: v for k, v in attrs if v}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in DATE_META and a.get("content"):
                self.meta.setdefault("published", a["content"])
        elif tag == "time" and a.get("datetime") and not self.skip and not self.furniture:   # the article's own
            self.meta.setdefault("time", a["datetime"])
        elif tag == "link" and (a.get("rel") or "").lower() == "canonical" and a.get("href"):
            self.meta.setdefault("url", a["href"])
        return a

    def handle_starttag(self, tag, attrs):
        a = self._note_meta(tag, attrs)
        if tag == "title":
            self.in_title = True
        if self.furniture:
            if tag == self.furniture[0]:
                self.furniture = (tag, self.furniture[1] + 1)
            return
        if tag in CONTAINERS and any(
                BOILERPLATE.match(t) for t in (a.get("class", "") + " " + a.get("id", "")).split()):
            self.furniture = (tag, 1)
            return
        if tag in SKIP and tag not in VOID:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        self._note_meta(tag, attrs)
        if self.furniture:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.furniture:
            if tag == self.furniture[0]:
                n = self.furniture[1] - 1
                self.furniture = (tag, n) if n else None
            return
        if tag in SKIP and tag not in VOID:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if not self.skip and not self.furniture:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BREAKS = re.compile(r"\n{3,}")


def clean_lines(raw: str) -> str:
    """Collapse runs of spaces in each line, drop blank runs to one empty line."""
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, meta: dict | None = None) -> tuple[str, str]:
    """Return (visible text, <title> text); `meta`, if given, receives the page's own `published`
    (meta tags, JSON-LD datePublished, else the first <time datetime>) and canonical `url`.

    >>> html_to_text("<p>a&amp;b</p><script>x()</script><p>c</p>")
    ('a&b\\n\\nc', '')
    """
    parser = _Text()
    parser.feed(html)
    parser.close()
    if meta is not None:
        ld = _LD_DATE.search(html)
        published = parser.meta.get("published") or (ld.group(1) if ld else None) or parser.meta.get("time")
        meta.update({k: v for k, v in (("published", published), ("url", parser.meta.get("url"))) if v})
    return clean_lines("".join(parser.parts)), clean_lines("".join(parser.title))


_TAG_HINT = re.compile(r"<(?:!doctype\s+html|html|body|p|div|br|span|h[1-6]|article|section|table|ul|a)\b", re.I)


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return bool(_TAG_HINT.search(head)) and head.count("<") >= 2
