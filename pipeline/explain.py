"""One text → a readable listing of what every rule matched, and what was dropped and why:
the rule writer's debugger. The text is split into sentences first, as the pipeline does, and
the document-level project pass (acronyms, later shorter names) runs over it as over a document."""
from __future__ import annotations

from .config import Settings
from .ingest import Document
from .match import FIELDS
from .projects_doc import more_projects
from .run import UNRESOLVED, Engine, figure_rows
from .segment import segment
from .table_units import document_mentions


def explain_text(text: str, settings: Settings) -> str:
    engine = Engine.build(settings)
    lines, dropped = [], []
    sentences = list(segment(text, engine.nlp))
    traces: list[list] = [[] for _ in sentences]
    found = document_mentions(text, sentences, engine.rules, settings.published, traces=traces)
    doc = Document("explain", "", "txt", text, published=settings.published)
    rows = [row for sent, mentions in zip(sentences, found) for row in figure_rows(doc, sent, mentions)]
    rows += more_projects(doc, sentences, rows, engine.rules)
    for f in sorted(rows, key=lambda f: (f["start_char"], f["end_char"], f["kind"])):
        vals = ", ".join(f"{k}={f[k]}" for k in FIELDS if f.get(k) is not None)
        lines.append(f"[{f['start_char']}:{f['end_char']}] {f['kind']:8} {f['text']!r}  rule={f['rule']}  {vals}"
                     + (f"  note={f['note']}" if f["note"] and f["note"] != UNRESOLVED else ""))
    for sent, trace in zip(sentences, traces):
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
