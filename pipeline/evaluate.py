"""kzx evaluate: kzx's output against hand annotations (gold JSONL, docs/spec.md), per kind.

How a gold mention meets a predicted figure: the gold mention is placed in the document's text
at the `occurrence`-th place its `text` appears; a figure of the same kind whose span overlaps
it can match it. Each gold mention and each figure is used once, the largest overlaps first (on
equal overlaps the later mention goes first). Only documents that have gold are scored.

Reported per kind: precision, recall and F1 over matches; `exact`, the share of matches with the
very same span; `value`, the share of matches whose normalized value is right (money, percent
and the measures: value_min and value_max, and the unit for money and percent; dates: both
bounds; projects: the name, ignoring case and spacing); `sentence`, the share of matches whose
sentence has nearly the words of the gold sentence (Jaccard ≥ 0.8); and `vf1`, the F1 that
counts a match only when its value is right too.
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import tables
from .errors import UsageError

CORE = ("money", "percent", "date", "project")
MEASURED = ("money", "percent", "quantity", "count", "multiplier")
SENTENCE_AGREES = 0.8


@dataclass
class Tally:
    gold: int = 0
    pred: int = 0
    tp: int = 0
    exact: int = 0
    value_ok: int = 0
    sent_ok: int = 0
    doc_missing: int = 0

    def scores(self, with_sentences: bool) -> dict:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        tp = self.tp
        return {"gold": self.gold, "pred": self.pred, "tp": self.tp, "precision": p, "recall": r,
                "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "exact": self.exact / tp if tp else 0.0, "value": self.value_ok / tp if tp else 0.0,
                "sentence": self.sent_ok / tp if tp and with_sentences else 0.0,
                "vf1": 2 * self.value_ok / (self.pred + self.gold) if self.pred + self.gold else 0.0,
                "doc_missing": self.doc_missing}


@dataclass
class Evaluation:
    kinds: tuple
    tally: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)     # (kind, what, doc, text, detail)
    with_sentences: bool = False

    def report(self) -> dict:
        out = {k: self.tally[k].scores(self.with_sentences) for k in self.kinds}
        total = Tally(**{f: sum(getattr(self.tally[k], f) for k in self.kinds)
                         for f in ("gold", "pred", "tp", "value_ok")})
        allk = total.scores(False)
        out["all"] = {k: allk[k] for k in ("gold", "pred", "tp", "precision", "recall", "f1", "vf1")}
        return out


def load_gold(path) -> dict[str, list[dict]]:
    """Gold mentions by document name, in file order, from a folder of *.jsonl files or one file."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not path.exists() or not files:
        raise UsageError(f"no gold JSONL at {path}", "give a folder of <doc>.jsonl files or one .jsonl file")
    gold: dict[str, list[dict]] = defaultdict(list)
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                g = json.loads(line)
                gold[g["doc"]].append(g)
            except (ValueError, KeyError, TypeError) as e:
                raise UsageError(f"{f}:{n}: not a gold mention ({e})", "one JSON object a line with doc, kind, text")
    return gold


def _number_same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _day(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "nan", "None"):
        return None
    return str(v)[:10]


def _squash(s) -> str:
    return re.sub(r"\s+", " ", str(s or "")).strip().lower()


def value_right(kind: str, g: dict, p: dict) -> bool:
    if kind in MEASURED:
        if kind in ("money", "percent") and str(p.get("unit")) != str(g.get("unit")):
            return False
        return _number_same(g.get("value_min"), p.get("value_min")) and _number_same(g.get("value_max"), p.get("value_max"))
    if kind == "date":
        return (_day(g.get("date_start")), _day(g.get("date_end"))) == (_day(p.get("date_start")), _day(p.get("date_end")))
    if kind == "project":
        return _squash(g.get("name")) == _squash(p.get("name"))
    return True


def _words(s) -> set[str]:
    return set(re.findall(r"\w+", str(s or "").lower()))


def _place(text: str, g: dict) -> tuple[int, int]:
    """Where the gold mention stands: the occurrence-th find of its text (-1, -1 when absent)."""
    pos = -1
    for _ in range(max(int(g.get("occurrence") or 1), 1)):
        pos = text.find(g["text"], pos + 1)
        if pos < 0:
            return -1, -1
    return pos, pos + len(g["text"])


def pair_up(gold: list[dict], preds: list[dict], text: str):
    """(gold or None, pred or None, exact span) for one document and one kind."""
    spans = [_place(text, g) for g in gold]
    overlaps = sorted(((min(e, p["end_char"]) - max(s, p["start_char"]), i, j)
                       for i, (s, e) in enumerate(spans) if s >= 0
                       for j, p in enumerate(preds)), reverse=True)
    free_g, free_p = set(range(len(gold))), set(range(len(preds)))
    for ov, i, j in overlaps:
        if ov <= 0:
            break
        if i in free_g and j in free_p:
            free_g.discard(i)
            free_p.discard(j)
            yield gold[i], preds[j], spans[i] == (preds[j]["start_char"], preds[j]["end_char"])
    for i in sorted(free_g):
        yield gold[i], None, False
    for j in sorted(free_p):
        yield None, preds[j], False


def evaluate(gold_path, out, kinds=CORE) -> Evaluation:
    """Score the tables in `out` against the gold of `gold_path`."""
    kinds = tuple(kinds)
    gold = load_gold(gold_path)
    if tables.table_path(out, "documents") is None or tables.table_path(out, "figures") is None:
        raise UsageError(f"{out} has no documents or figures table", "run kzx extract first")
    ev = Evaluation(kinds, {k: Tally() for k in kinds})
    doc_ids = tables.read(out, "documents", ["doc_id"]).column("doc_id").to_pylist()
    by_name = defaultdict(list)
    for d in doc_ids:
        by_name[PurePosixPath(d.split("#")[0]).name].append(d)
    known = set(doc_ids)
    ev.with_sentences = tables.table_path(out, "sentences") is not None
    for name, mentions in sorted(gold.items()):
        mentions = [g for g in mentions if g["kind"] in kinds]
        if not mentions:
            continue
        found = [name] if name in known else by_name.get(PurePosixPath(name).name, [])
        if len(found) != 1:
            for g in mentions:
                ev.tally[g["kind"]].gold += 1
                ev.tally[g["kind"]].doc_missing += 1
            continue
        _score_doc(ev, found[0], mentions, out)
    return ev


def _score_doc(ev: Evaluation, doc_id: str, mentions: list[dict], out) -> None:
    text = tables.read(out, "documents", ["doc_id", "text"], [doc_id]).column("text")[0].as_py()
    figs = [f for f in tables.read(out, "figures", doc_ids=[doc_id]).to_pylist() if f["kind"] in ev.kinds]
    sents = {}
    if ev.with_sentences:
        sents = {r["sentence_id"]: r["text"] for r in tables.read(out, "sentences", ["doc_id", "sentence_id", "text"],
                                                                  [doc_id]).to_pylist()}
    for kind in ev.kinds:
        t = ev.tally[kind]
        for g, p, exact in pair_up([g for g in mentions if g["kind"] == kind], [f for f in figs if f["kind"] == kind], text):
            t.gold += g is not None
            t.pred += p is not None
            if g is not None and p is not None:
                right = value_right(kind, g, p)
                t.tp += 1
                t.exact += exact
                t.value_ok += right
                gw, pw = _words(g.get("sentence")), _words(sents.get(p["sentence_id"], ""))
                t.sent_ok += bool(gw) and len(gw & pw) / len(gw | pw) >= SENTENCE_AGREES
                if not right:
                    got = {k: p.get(k) for k in ("value_min", "value_max", "unit", "date_start", "date_end", "name")
                           if p.get(k) is not None}
                    ev.problems.append((kind, "wrong value", doc_id, g["text"], f"{p['text']!r} {got}"))
            elif g is not None:
                ev.problems.append((kind, "missed", doc_id, g["text"], (g.get("sentence") or "")[:120]))
            else:
                around = text[max(0, p["start_char"] - 60):p["end_char"] + 60].replace("\n", " ")
                ev.problems.append((kind, "false alarm", doc_id, p["text"], around))


def render(ev: Evaluation, fmt: str = "table", errors: int = 0) -> str:
    report = ev.report()
    if fmt == "json":
        if errors:
            report["errors"] = [dict(zip(("kind", "what", "doc", "text", "detail"), e)) for e in _some(ev, errors)]
        return json.dumps(report, indent=1)
    if fmt != "table":
        raise UsageError(f"--format {fmt!r} is not known", "use table or json")
    cols = ("precision", "recall", "f1", "exact", "value", "sentence", "vf1")
    heads = ("P", "R", "F1", "exact", "value", "sent", "vF1")
    lines = [f"{'kind':10} {'gold':>5} {'pred':>5} " + " ".join(f"{h:>6}" for h in heads)]
    for k in (*ev.kinds, "all"):
        r = report[k]
        cells = " ".join(f"{r[c]:6.3f}" if c in r else " " * 6 for c in cols)
        lines.append(f"{k:10} {r['gold']:5d} {r['pred']:5d} {cells}")
    missing = sum(report[k]["doc_missing"] for k in ev.kinds)
    if missing:
        lines.append(f"({missing} gold mentions are in documents the output does not hold)")
    lines += [f"  {k:8} {what:11} {doc}: {text!r}  | {detail}" for k, what, doc, text, detail in _some(ev, errors)]
    return "\n".join(lines)


def _some(ev: Evaluation, n: int):
    for k in ev.kinds:
        yield from [e for e in ev.problems if e[0] == k][:n]
