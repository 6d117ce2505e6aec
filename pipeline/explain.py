"""One text → a readable listing of what every rule matched, and what was dropped and why:
the rule writer's debugger. The text is split into sentences first, as the pipeline does."""
from __future__ import annotations

from .config import Settings
from .match import FIELDS
from .run import Engine
from .segment import segment
from .table_units import document_mentions


def explain_text(text: str, settings: Settings) -> str:
    engine = Engine.build(settings)
    lines, dropped = [], []
    sentences = list(segment(text, engine.nlp))
    traces: list[list] = [[] for _ in sentences]
    found = document_mentions(text, sentences, engine.rules, settings.published, traces=traces)
    for sent, mentions, trace in zip(sentences, found, traces):
        for m in mentions:
            vals = ", ".join(f"{k}={m.fields[k]}" for k in FIELDS if m.fields.get(k) is not None)
            lines.append(f"[{sent.start_char + m.start}:{sent.start_char + m.end}] {m.kind:8} {m.text!r}  "
                         f"rule={m.rule}  {vals}" + (f"  note={m.note}" if m.note else ""))
        dropped += [(sent.start_char + m.start, sent.start_char + m.end, m, why) for m, why in trace]
    if not lines:
        lines.append("no matches")
    if dropped:
        lines.append("dropped:")
        lines += [f"  [{s}:{e}] {m.kind:8} {m.text!r}  rule={m.rule}: {why}"
                  for s, e, m, why in sorted(dropped, key=lambda d: (d[0], d[1], d[2].rule))]
    if settings.published is None:
        lines.append("(no --published date: relative dates are found but not resolved)")
    return "\n".join(lines)
