"""Sentence text × rules → mentions (span, kind, rule id, normalized fields).

Every rule's regex runs over the sentence; matches of `exclude` rules veto the matches of their
kind that lie inside them ("2019" in "2019 schools", not "March 2023" in "March 2023 ..."); the
rest are normalized, then overlaps are settled longest-first (a project may hold a date, e.g.
"Program ... for 2021-2024", so projects are settled on their own). Bare money amounts take the
currency the sentence names, or are dropped.
"""
from __future__ import annotations

import bisect
import datetime as dt
import time
from dataclasses import dataclass, field

import regex

from .normalize.dates import parse_with_dateparser, resolve_date
from .normalize.measures import normalize_measure
from .normalize.money import amounts, normalize_money
from .normalize.percent import normalize_percent
from .normalize.projects import minor_words, normalize_project
from .branches import GLOBAL_FLAGS, finditer as branches_finditer, finditer_peeled, layout
from .lazy_regex import compile_cached, compile_rule_pattern, save as save_compiled
from .prefilter import Prefilter
from .variants import forms

FIELDS = ("value_min", "value_max", "unit", "qualifier", "date_start", "date_end", "granularity", "name")


def figure_id(doc_id: str, kind: str, start: int, end: int) -> str:
    """A figure's id: its document, kind and span (links and facts refer to figures by it)."""
    return f"{doc_id}:{kind}:{start}-{end}"

SEPARATE = {"project"}   # kinds whose spans may hold mentions of other kinds
# SPEC's kinds win an overlap with the extra kinds (count, quantity, ...) whatever the lengths:
# "US$1.2bn was" must not become the count "1.2bn was". A bare amount (no currency yet) is not
# sure to be money, so it competes by length like the extra kinds.
CORE = {"money", "percent", "date"}
REGEX_TIMEOUT = 5.0      # seconds one rule may spend on one sentence
# The `regex` module's timeout reads the clock as it matches: 30-100% more time per rule. Below
# this length every shipped or user rule has passed the load-time adversarial probes (which are
# longer: rules.PROBE_CHARS), so none can run long there; the limit guards the longer texts.
TIMED_ABOVE = 1000


@dataclass
class Mention:
    kind: str
    start: int
    end: int
    text: str
    rule: str
    priority: int = 0
    fields: dict = field(default_factory=dict)
    note: str | None = None

    def get(self, key):
        return self.fields.get(key)


def _normalize(rule, m, text: str, rs, published) -> dict | None:
    kind = rule.normalize or rule.kind
    if kind == "money":
        groups = m.groupdict()
        return normalize_money(text, rs, borrow=groups.get("borrow"), low=groups.get("low"))
    if kind == "percent":
        out = normalize_percent(text, rs)
        if out and rule.unit:
            out["unit"] = rule.unit
        return out
    if kind == "date":
        return _LaterDate(m, text, rs, published)      # read only if it can win its place (_settle)
    if kind == "dateparser":
        day = parse_with_dateparser(text, published)
        if day is None:
            raise ValueError("dateparser could not read it")
        return {"date_start": day, "date_end": day, "granularity": "day"}
    if kind == "project":
        return normalize_project(text, rs)
    if kind == "measure":
        return normalize_measure(text, rs, rule.kind, m.groupdict())
    return {}


class _LaterDate:
    """A date match's fields, worked out when asked: most date candidates lose their place to a
    longer one (a year inside a full date, "в 2023 году" inside "в 2023 году и 2024 году"), and
    their reading does not change which one wins (a date ranks by its span alone). `span` is the
    matched text as the rule saw it (line breaks as spaces)."""
    __slots__ = ("m", "span", "rs", "published")

    def __init__(self, m, span: str, rs, published):
        self.m, self.span, self.rs, self.published = m, span, rs, published

    def fields(self) -> dict | None:
        start, end, gran = resolve_date(self.m.groupdict(), self.rs, self.published)   # a group not taken part reads None
        if start and end and end < start:      # "2021 to 15 percent": not a span of years
            return None
        return {"date_start": start, "date_end": end, "granularity": gran}


def _read_later(c: Mention) -> bool:
    """Fill in a candidate's fields if they were left for later (as _run_rule would have: an
    error is a note); False if the normalizer says it is no date."""
    if isinstance(c.fields, _LaterDate):
        try:
            fields = c.fields.fields()
        except (ValueError, KeyError, TypeError, OverflowError) as err:
            fields, c.note = {}, f"not normalized: {err}"
        if fields is None:
            return False
        c.fields = fields
    return True


def _read_all_later(cands: list[Mention], trace: list) -> list[Mention]:
    """Every candidate read now (for a trace, which lists what the normalizer turned down, in
    _run_rule's words and order)."""
    out = []
    for c in cands:
        later = c.fields if isinstance(c.fields, _LaterDate) else None
        if _read_later(c):
            out.append(c)
        else:
            trace.append((Mention(c.kind, c.start, c.end, later.span, c.rule), "normalizer says it is not one"))
    return out


def _qualifier(rs) -> dict:
    """Patterns that read a qualifier off the text around an amount, built once per rule set:
    `before` ("more than 5", "более чем на 5%"), `after` ("500 млн теңгеден астам", "5 million or more"), `suffix`
    ("теңгедей"), `void` (what makes a "до" before the amount a change's target), `minus`; their parse
    cached on disk (pipeline/lazy_regex.py): the lists make them slow to compile at every start."""
    if "qualifier" not in rs.cache:
        mac = rs.expanded
        rs.cache["qualifier"] = {
            "before": compile_cached(r"(?<![\p{L}])(" + mac["QUALIFIER"] + r")\s*(?:(?:" + mac["QUALIFIER_GAP"]
                                    + r")\s+)?$", regex.I),
            "after": compile_cached(r"-?(?P<endings>(?:" + mac["KAZAKH_SUFFIX"] + r"){0,3})\s+(" + mac["QUALIFIER_AFTER"]
                                   + r")(?:" + mac["KAZAKH_SUFFIX"] + r"){0,2}(?![\p{L}])", regex.I),
            "suffix": compile_cached(r"-?(?:" + mac["KAZAKH_SUFFIX"] + r"){0,2}?(" + mac["QUALIFIER_SUFFIX"]
                                    + r")(?![\p{L}])", regex.I),
            "void": compile_cached(mac["QUALIFIER_VOID"], regex.I),
            "change": compile_cached(r"\s+(?:" + mac["CHANGE_VERB"] + r")", regex.I),
            "minus": compile_cached(mac["MINUS_BEFORE"]),
        }
    return rs.cache["qualifier"]


def _read_qualifier(m: Mention, text: str, rs) -> str | None:
    pats = _qualifier(rs)
    q = pats["before"].search(text, max(0, m.start - 40), m.start)
    if q:
        value = rs.lookup("qualifier", q.group(1))
        if (rs.lookup("range_word", q.group(1)) == "to"     # "до" is both "up to" and a change's "to"
                and pats["void"].search(text, max(0, q.start() - 60), q.start())):
            return None                      # "выросла до 471 300 тенге": the change's target
        return value
    q = pats["suffix"].match(text, m.end, min(len(text), m.end + 30))
    if q:
        return rs.lookup("qualifier_suffix", q.group(1))
    q = pats["after"].match(text, m.end, min(len(text), m.end + 40))
    if q:
        need = rs.lookup("qualifier_after_case", q.group(2))   # "теңгеден астам", not "пайызға көп"
        endings = q.group("endings").lower()
        value = rs.lookup("qualifier_after", q.group(2))
        if value == "up_to" and pats["change"].match(text, q.end()):
            return None                      # "350 мың теңгеге дейін өсті": the change's target
        if need is None or any(endings.endswith(e) for e, case in rs.lexicon["kazakh_suffix"].items() if case == need):
            return value
    return None


_WORD = regex.compile(r"\p{L}[\p{L}'’-]{3,}")


def title_cased(text: str, minor=frozenset()) -> bool:
    """A headline in Title Case or capitals ("Kazakhstan Launches New Wind Power Plant in Zhanatas"):
    no closing stop, and every word of four letters or more starts with a capital but for small
    words ("with", "from"), so capitals say nothing about names there."""
    if text.rstrip()[-1:] in ".;:!?…":
        return False
    words = [w for w in _WORD.findall(text) if w not in minor]
    return len(words) >= 4 and all(w[0].isupper() for w in words)


def _rank(c: Mention) -> tuple:
    core = c.kind in CORE and (c.kind != "money" or c.get("unit") is not None or c.note is not None)
    return (not core, -(c.end - c.start), -c.priority, c.start)


def _settle(cands: list[Mention]) -> list[Mention]:
    """Keep non-overlapping mentions: SPEC kinds first, then longest, higher priority, earlier.

    Chosen spans are kept sorted by start, so each check looks at two neighbours only
    (a 100,000-character "sentence" full of figures stays fast).
    """
    starts: list[int] = []
    chosen: list[Mention] = []
    for c in sorted(cands, key=_rank):
        i = bisect.bisect_left(starts, c.start)
        if i > 0 and chosen[i - 1].end > c.start:
            continue
        if i < len(chosen) and chosen[i].start < c.end:
            continue
        if not _read_later(c):         # turned down by its normalizer: as if never found
            continue
        starts.insert(i, c.start)
        chosen.insert(i, c)
    return chosen


@dataclass
class RulePrefilter:
    """One scan per sentence for all rules: `req[i]` and `pat[i]` index rule i's `requires` and its
    own pattern among the prefilter's checks (None: no `requires`); `by_pat`: check → the rules
    whose own pattern it is."""
    pf: Prefilter
    req: list
    pat: list
    by_pat: dict = field(default_factory=dict)
    implied: list = field(default_factory=list)     # implied[i]: rule i's pattern holds its `requires`
    gated: list = field(default_factory=list)       # gated[i]: (gate's check, gate's regex) in rule i's pattern

    def candidates(self, hits, n: int):
        """The indices, in rule order, of the rules whose own pattern may match (all n where the
        scan could not tell)."""
        if not isinstance(hits, set):
            return range(n)
        return sorted(i for k in hits for i in self.by_pat.get(k, ()))


def rule_prefilter(rs, engine: str | None = None) -> RulePrefilter:
    """The rule set's prefilter, built once (and kept in rs.cache); `engine` rebuilds it with that one."""
    pre = rs.cache.get("prefilter")
    if pre is not None and (engine is None or pre.pf.engine_name == engine):
        return pre
    checks: dict = {}

    def index(rx):
        return checks.setdefault((rx.pattern, rx.flags), (len(checks), rx))[0]

    req = [index(r.requires) if r.requires is not None else None for r in rs.rules]
    pat = [index(r.regex) for r in rs.rules]
    # a gate is checked case-insensitively: a superset of it under any flags a rule reads it with
    gate = {name: index(_Scanned(text, regex.IGNORECASE)) for name, text in rs.gates.items()}
    gated = [tuple((gate[n], t) for n, t in rs.gates.items() if t in r.regex.pattern) for r in rs.rules]
    by_pat: dict = {}
    for i, k in enumerate(pat):
        by_pat.setdefault(k, []).append(i)
    implied = [r.requires is not None and holds(r.regex, r.requires) for r in rs.rules]
    # the prefilter reads each pattern with its lexicon lists plain, not as tries: the same language
    scan = [_Scanned(rs.plain_form(rx.pattern), rx.flags) for _, rx in checks.values()]
    rs.cache["prefilter"] = pre = RulePrefilter(Prefilter(scan, engine), req, pat, by_pat, implied, gated)
    return pre


@dataclass(frozen=True)
class _Scanned:
    pattern: str
    flags: int


def holds(rx, part) -> bool:
    """Does every match of `rx` contain a match of `part` (so `part.search` must succeed wherever rx
    matches)? True where `part`'s pattern is one group that stands in rx's top-level sequence,
    neither optional nor in an alternative, with the same flags ("{AMOUNT}{SP}*{CURRENCY_AFTER}"
    holds "{CURRENCY_AFTER}"): a rule whose `requires` it holds need not search for it first
    (where it is absent, the rule's pattern cannot match either)."""
    p, q = rx.pattern, part.pattern
    if rx.flags != part.flags or rx.flags & regex.X or GLOBAL_FLAGS.match(p):
        return False
    bars, groups, unclosed = layout(p)
    _, q_groups, _ = layout(q)
    if bars or unclosed or q_groups.get(0) != len(q) - 1:
        return False
    a = p.find(q)
    while a >= 0:
        b = a + len(q)
        outside = not any(o < a < c for o, c in groups.items())
        if outside and groups.get(a) == b - 1 and not _OPTIONAL.match(p, b):
            return True
        a = p.find(q, a + 1)
    return False


_OPTIONAL = regex.compile(r"[?*]|\{0|\{,")


WINDOW = 4000           # characters: a longer "sentence" (a hostile line, a table without stops) is
OVERLAP = 500           # matched in windows this far apart plus this overlap, so time stays linear in
                        # its length; each window owns the matches that start in its middle part, with
                        # OVERLAP / 2 characters of context on either side


def windows(text: str, size: int | None = None, overlap: int | None = None) -> list[tuple[int, int, int, int]]:
    """(start, end, own_start, own_end) of each window over `text`: the own parts tile the text,
    each window reaches half the overlap beyond them, cut at a space where one is near. A text of
    `size` characters or less is one window."""
    n, size, overlap = len(text), size or WINDOW, OVERLAP if overlap is None else overlap
    if n <= size:
        return [(0, n, 0, n)]
    step, half = size - overlap, overlap // 2
    owns = list(range(0, n, step)) + [n]
    out = []
    for a, b in zip(owns, owns[1:]):
        ws, we = max(0, a - half), min(n, b + half)
        if ws > 0:                   # start just after the first space between ws and a, if any
            sp = text.find(" ", ws, a)
            ws = ws if sp < 0 else sp + 1
        if we < n:                   # end at the last space between b and we, if any
            sp = text.rfind(" ", b, we)
            we = we if sp < 0 else sp
        out.append((ws, we, a, b))
    return out


def prescan(texts: list[str], rs) -> list[list]:
    """The prefilter's hits for each window of each sentence text, scanned in one batch (see
    Prefilter.hits_many): what find_mentions(text, ..., scanned=) takes instead of scanning itself."""
    wins = [_windows_of(text) for text in texts]
    flat = _hits(rs, [w for ws in wins for w in ws])
    out, k = [], 0
    for ws in wins:
        out.append(flat[k:k + len(ws)])
        k += len(ws)
    return out


def _windows_of(text: str) -> list[str]:
    """The texts of the windows find_mentions scans for a sentence text."""
    line = _one_line(text)
    return [line[a:b] for a, b, _, _ in windows(line)]


def scan_ahead(texts: list[str], rs) -> None:
    """Scan the windows of sentence texts that are soon to be matched (the sentences of the next
    few documents), in one batch, keeping the hits until `forget_ahead`: prescan and find_mentions
    then read them instead of scanning. The prefilter's databases are tens of megabytes; a
    document's scan between the other stages' work finds them out of the CPU's caches, and many
    documents' texts in a row find them in (the Russian/Kazakh dev set, short documents: 0.60 CPU-s
    scanned document by document in a run, 0.31 in one batch). A hit set depends on the text alone,
    so whatever is kept is right for any later text that equals it."""
    memo = rs.cache.setdefault("ahead", {})
    todo = list(dict.fromkeys(w for t in texts for w in _windows_of(t) if w not in memo))
    memo.update(zip(todo, rule_prefilter(rs).pf.hits_many(todo)))


def forget_ahead(rs) -> None:
    rs.cache.pop("ahead", None)


def _hits(rs, texts: list[str]) -> list:
    """The prefilter's hits for each window text: what scan_ahead kept, the rest scanned now."""
    memo = rs.cache.get("ahead")
    if not memo:
        return rule_prefilter(rs).pf.hits_many(texts)
    todo = [t for t in texts if t not in memo]
    new = dict(zip(todo, rule_prefilter(rs).pf.hits_many(todo))) if todo else {}
    return [memo[t] if t in memo else new[t] for t in texts]


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def find_mentions(text: str, rs, published: dt.date | None = None, trace: list | None = None,
                  timeouts: list | None = None, kinds: frozenset | None = None, scanned: list | None = None
                  ) -> list[Mention]:
    """All mentions in one sentence's text; offsets index `text`. Sorted by start.

    `trace`, if given, receives (Mention, reason) for every candidate that was dropped;
    `timeouts` receives (rule id, None, seconds) for every rule that gave up on the text;
    `kinds`, if given, limits the rules run to those kinds (a dateline needs dates only);
    `scanned`, if given, is prescan's answer for this text (the prefilter's hits per window).
    A line break inside the sentence (hard-wrapped text) is read as a space, so "5 billion\ntenge"
    matches; offsets and mention texts still index the original. A sentence over WINDOW
    characters is matched window by window (see `windows`); what depends on the whole sentence
    (headline, vetoes, overlaps, the currency of bare amounts) is still decided over all of it.
    """
    return find_mentions_many([text], rs, published, None if trace is None else [trace],
                              None if timeouts is None else [timeouts], kinds,
                              None if scanned is None else [scanned])[0]


def find_mentions_many(texts: list[str], rs, published: dt.date | None = None, traces: list | None = None,
                       timeouts: list | None = None, kinds: frozenset | None = None,
                       scanned: list | None = None) -> list[list[Mention]]:
    """[find_mentions(t, ...) for t in texts], the same mentions, traces and timeouts (`traces`,
    `timeouts`, `scanned`: one per text), computed rule by rule over all the texts' windows
    rather than text by text: a rule's compiled pattern is large, and one run after another
    over many sentences finds it in the CPU's caches. Each rule's output on each window is kept
    apart and put together in the order find_mentions would give it."""
    pre = rule_prefilter(rs)
    minor = minor_words(rs)
    sents, wins = [], []
    for original in texts:
        text = _one_line(original)
        sent = _Sentence(original, text, title_cased(text, minor), set())
        for ws, we, own_s, own_e in windows(text):
            window = text[ws:we] if (ws, we) != (0, len(text)) else text
            sent.windows.append(_Window(sent, window, ws, own_s, own_e))
        sents.append(sent)
        wins += sent.windows
    if scanned is not None:
        hits = [h for per_text in scanned for h in per_text]
    else:
        hits = _hits(rs, [w.window for w in wins])
    todo: dict[int, list] = {}          # rule index → the windows it is a candidate in
    for w, h in zip(wins, hits):
        w.hits = h
        _plan(w, pre, rs, kinds, todo)
    for i in sorted(todo):
        for w in todo[i]:
            if _required(w, i, rs.rules[i], pre):
                _run(i, w, pre, rs, published, traces, timeouts)
    deferred: dict[int, list] = {}      # exclude rules, where something they could change was found
    for w in wins:
        if w.deferred:
            found = {c.kind for _, out in w.outputs for c in out[1]}
            around = bool(found & _READ_AROUND)
            for k, i in enumerate(w.deferred):
                if rs.rules[i].kind in found or (around and rs.rules[i].kind in _READ_AROUND):
                    w.slot[i] = _AFTER + k              # after the others, in rule order
                    deferred.setdefault(i, []).append(w)
    for i in sorted(deferred):
        for w in deferred[i]:
            if _required(w, i, rs.rules[i], pre):
                _run(i, w, pre, rs, published, traces, timeouts)
    return [_decide(s, rs, traces[j] if traces is not None else None, timeouts[j] if timeouts is not None else None)
            for j, s in enumerate(sents)]


@dataclass
class _Sentence:
    original: str
    text: str
    headline: bool
    gave_up: set                         # rules that timed out on it: one report per rule and sentence
    windows: list = field(default_factory=list)


@dataclass
class _Window:
    sent: _Sentence
    window: str
    ws: int
    own_s: int
    own_e: int
    sure: tuple | None = None            # the prefilter's `sure` where it holds for this window, else ()
    present: dict = field(default_factory=dict)     # rules sharing a pre-check run it once per window
    slot: dict = field(default_factory=dict)        # rule index → place of its output (find_mentions' order)
    outputs: list = field(default_factory=list)     # per run: (vetoes, cands, trace, timeouts)
    deferred: list = field(default_factory=list)
    hits: object = None                  # the prefilter's answer for this window


def _plan(w: _Window, pre, rs, kinds, todo: dict) -> None:
    """Which rules run on window w, in rule order: ties settle the same way. In a sentence of one
    window, an exclude rule runs only if there is something it could change (most sentences:
    nothing): it is deferred until the other rules have run."""
    whole = w.window is w.sent.text
    rules, hits = rs.rules, w.hits
    for i in pre.candidates(hits, len(rules)):
        rule = rules[i]
        if (rule.needs_case and w.sent.headline) or rule.table or (kinds is not None and rule.kind not in kinds):
            continue                 # table headers are read document-wide (pipeline/table_units.py)
        if rule.requires is not None and pre.req[i] not in hits:
            continue
        if rule.exclude and whole:
            w.deferred.append(i)
            continue
        w.slot[i] = len(w.slot)
        todo.setdefault(i, []).append(w)


def _required(w: _Window, i: int, rule, pre) -> bool:
    """The rule's `requires` matches in the window (or it has none)."""
    if rule.requires is None or (pre.implied[i] and len(w.window) <= TIMED_ABOVE):
        return True                  # (a long window still checks: the rule may give up on it, unsaid)
    key = (rule.requires.pattern, rule.requires.flags)
    if key not in w.present:
        if w.sure is None:           # which of the hits are matches: looked up once a window needs it
            w.sure = pre.pf.sure if pre.pf.sure_in(w.window) else ()
        w.present[key] = bool(w.sure and w.sure[pre.req[i]]) or rule.requires.search(w.window) is not None
    return w.present[key]


_AFTER = 1 << 30        # slots of deferred rules: after every other rule's


def _run(i: int, w: _Window, pre, rs, published, traces, timeouts) -> None:
    """Rule i over window w; its output is kept in the window's slot for it."""
    out = ([], [], [] if traces is not None else None, [] if timeouts is not None else None)
    gated = pre.gated[i]
    absent = tuple(t for k, t in gated if k not in w.hits) if gated and isinstance(w.hits, set) else ()
    _run_rule(rs.rules[i], w.window, w.sent.original, w.ws, w.own_s, w.own_e, rs, published, out[0], out[1], out[2],
              out[3], w.sent.gave_up, absent)
    w.outputs.append((w.slot[i], out))


def _decide(sent: _Sentence, rs, trace, timeouts) -> list[Mention]:
    """The sentence's mentions from what its rules found: vetoes, overlaps, bare amounts' currency."""
    text, vetoes, cands = sent.text, [], []
    for w in sent.windows:
        for _, (v, c, t, to) in sorted(w.outputs, key=lambda o: o[0]):
            vetoes += v
            if trace is not None:
                trace += t
                c = _read_all_later(c, trace)
            cands += c
            if timeouts is not None:
                timeouts += to
    if not cands:                    # most sentences: no rule found anything (vetoes alone change nothing)
        return []
    kept = []
    for c in cands:
        veto = next((v for v in vetoes if v[0] == c.kind and v[1] <= c.start and c.end <= v[2]), None)
        if veto is None:
            kept.append(c)
        elif trace is not None:
            trace.append((c, f"vetoed by {veto[3]} over {text[veto[1]:veto[2]]!r}"))
    chosen = _settle([c for c in kept if c.kind not in SEPARATE])
    for kind in SEPARATE:
        chosen += _settle([c for c in kept if c.kind == kind])
    chosen.sort(key=lambda c: (c.start, c.end, c.kind))
    if trace is not None:
        trace.extend((c, "overlaps a longer or higher-priority match") for c in kept if c not in chosen)
    masked = text
    for _, vs, ve, _ in vetoes:                  # an exchange rate names currencies, not this amount's
        masked = masked[:vs] + " " * (ve - vs) + masked[ve:]
    out = _finish_money(chosen, masked, rs)
    if trace is not None:
        trace.extend((c, "bare amount with no currency in the sentence") for c in chosen if c not in out)
    return out


# An exclude rule only vetoes mentions of its own kind; the spans it blanks out also change what
# money and percent figures read around them (bare amounts' currency, qualifiers, minus signs).
_READ_AROUND = {"money", "percent"}


def _run_rule(rule, window, original, ws, own_s, own_e, rs, published, vetoes, cands, trace, timeouts,
              gave_up, absent: tuple = ()) -> None:
    """Rule's matches in window → vetoes or candidates; `absent`: gates (pipeline/gates.py) that
    cannot match the window, left out of the rule's pattern."""
    timed = {"timeout": REGEX_TIMEOUT} if len(window) > TIMED_ABOVE else {}
    try:
        rx, apart = _variant(rule, rs, absent)
        if apart is None or not apart.on:
            matches = list(rx.finditer(window, **timed))
        elif apart.tried < apart.TRIAL:
            matches = apart.trial(rx, window, timed)
        else:
            matches = apart.find(rx, window, timed)
    except TimeoutError:          # a pathological input must not hang the batch, nor lose matches unsaid
        if rule.id not in gave_up:          # one report per rule and sentence, whatever the windows
            gave_up.add(rule.id)
            if timeouts is not None:
                timeouts.append((rule.id, None, REGEX_TIMEOUT))
            if trace is not None:
                trace.append((Mention(rule.kind, 0, 0, "", rule.id), f"gave up after {REGEX_TIMEOUT} s"))
        return
    for m in matches:
        s, e = m.span()
        while s < e and window[s].isspace():
            s += 1
        while e > s and window[e - 1].isspace():
            e -= 1
        if s == e or not own_s <= ws + s < own_e:
            continue
        if rule.exclude:
            vetoes.append((rule.kind, ws + s, ws + e, rule.id))
            continue
        span = window[s:e]
        note = None
        try:
            fields = _normalize(rule, m, span, rs, published)
        except (ValueError, KeyError, TypeError, OverflowError) as err:
            fields, note = {}, f"not normalized: {err}"
        s, e = ws + s, ws + e
        if fields is None:
            if trace is not None:
                trace.append((Mention(rule.kind, s, e, span, rule.id), "normalizer says it is not one"))
            continue
        cands.append(Mention(rule.kind, s, e, original[s:e], rule.id, rule.priority, fields, note))


class _Apart:
    """Another way to find a rule's matches, the same matches (pipeline/branches.py): its top-level
    alternatives compiled apart (`parts`), or its leading lookbehinds checked only where the rest
    of it matched (`peeled`: (rest, check)); and whether that way pays. Which is faster
    depends on the pattern: apart, each alternative may have a start the `regex` module skips to,
    which the whole pattern lacks (the exclude rules of five alternatives, project.not_description
    and money.not_rate, take a quarter of the time; two alternatives that both start with a digit
    lose a little); peeled, `money.ru_scale_alone` ("not after a number word") takes a twentieth,
    while a lookbehind that rules out most positions at once is cheaper kept. So the rule's first
    TRIAL windows run both ways, timed in CPU time of this thread (but the first, which compiles
    them), and the other way is kept only if, in the median window, it took under 80% of the whole
    pattern's time: a window slowed by the machine's other work (a cache flushed, a page fault)
    sways no decision.
    """
    TRIAL = 16

    def __init__(self, parts: list | None = None, peeled: tuple | None = None):
        self.parts, self.peeled, self.tried, self.ratios = parts, peeled, 0, []

    @property
    def on(self) -> bool:
        return self.parts is not None or self.peeled is not None

    def find(self, whole, window: str, timed: dict) -> list:
        if self.parts is not None:
            return branches_finditer(whole, self.parts, window, **timed)
        return finditer_peeled(whole, *self.peeled, window, **timed)

    def trial(self, whole, window: str, timed: dict) -> list:
        t0 = time.thread_time()
        matches = list(whole.finditer(window, **timed))
        t1 = time.thread_time()
        try:
            self.find(whole, window, timed)
        except TimeoutError:         # it gave up where the whole pattern did not: it does not pay
            self.parts = self.peeled = None
            return matches
        if self.tried:               # the first run compiles the patterns (pipeline/lazy_regex.py): not timed
            self.ratios.append((time.thread_time() - t1) / max(t1 - t0, 1e-9))
        self.tried += 1
        if self.tried == self.TRIAL and sorted(self.ratios)[len(self.ratios) // 2] > 0.8:
            self.parts = self.peeled = None
        return matches


def _apart(rule, rs) -> _Apart | None:
    """The rule's _Apart (its whole pattern's); None: no other way to run it."""
    return _variant(rule, rs, ())[1]


def _variant(rule, rs, absent: tuple) -> tuple:
    """(pattern, its _Apart or None) of the rule with the `absent` gates left out (with none, the
    rule's own pattern), built at its first run and kept in rs.cache."""
    cache = rs.cache.setdefault("variants", {})
    key = (rule.id, absent)
    if key not in cache:
        rx = rule.regex
        p, alts, peeled = forms(rx.pattern, rx.flags, absent)      # (worked out once per machine)
        if absent:
            rx = compile_rule_pattern(p, rx.flags)
        if alts:
            cache[key] = rx, _Apart(parts=[compile_rule_pattern(a, rx.flags) for a in alts])
        elif peeled:
            cache[key] = rx, _Apart(peeled=tuple(compile_rule_pattern(q, rx.flags) for q in peeled))
        else:
            cache[key] = rx, None
        save_compiled()              # so that next time they too compile only when used
    rx, apart = cache[key]
    return (rx if absent else rule.regex), apart


def _finish_money(mentions: list[Mention], text: str, rs) -> list[Mention]:
    """Bare amounts take the nearest currency of the sentence; qualifiers are read off the left.
    `text` is the sentence with vetoed spans blanked out."""
    named = [m for m in mentions if m.kind == "money" and m.get("unit")]
    starts = [n.start for n in named]
    out, sentence_unit = [], []          # the sentence's currency word, looked up once (a scan of it all)
    for m in mentions:
        if m.kind == "money" and not m.get("unit") and not m.note:
            # the nearest named amount's currency, else a currency word elsewhere in the sentence
            if named:
                i = bisect.bisect_left(starts, m.start)      # named is sorted by start: two neighbours
                near = min(named[max(0, i - 1):i + 1], key=lambda n: abs(n.start - m.start))
                unit = near.get("unit")
            else:
                if not sentence_unit:
                    sentence_unit.append(amounts(rs).unit(text))
                unit = sentence_unit[0]
            if unit is None:
                continue   # a bare number with no currency in reach is not money
            m.fields["unit"] = unit
        if m.kind in ("money", "percent"):
            m.fields["qualifier"] = _read_qualifier(m, text, rs)
        if (m.kind in ("money", "percent") and m.get("value_min") is not None and m.get("value_min") > 0
                and _qualifier(rs)["minus"].search(text, max(0, m.start - 6), m.start)):
            m.fields["value_min"], m.fields["value_max"] = -m.fields["value_max"], -m.fields["value_min"]
        out.append(m)
    return out
