"""One text → a readable listing of what every rule matched: the rule writer's debugger."""
from __future__ import annotations

from pipeline.config import Settings
from pipeline.match import FIELDS, find_mentions
from pipeline.rules import load_rules


def explain_text(text: str, settings: Settings) -> str:
    rs = load_rules(settings.rules_dir)
    lines = []
    for m in find_mentions(text, rs, settings.published):
        vals = ", ".join(f"{k}={m.fields[k]}" for k in FIELDS if m.fields.get(k) is not None)
        lines.append(f"[{m.start}:{m.end}] {m.kind:8} {m.text!r}  rule={m.rule}  {vals}"
                     + (f"  note={m.note}" if m.note else ""))
    if not lines:
        lines.append("no matches")
    if settings.published is None:
        lines.append("(no --published date: relative dates are found but not resolved)")
    return "\n".join(lines)
