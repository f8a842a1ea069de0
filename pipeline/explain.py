"""`actorgraph explain`: the whole per-document path over one text, and a readable report of it."""

from __future__ import annotations

from pipeline import corpus
from pipeline.config import Settings
from pipeline.nlp.analysis import Pipelines, process
from pipeline.records import DocResult
from pipeline.resolve.resolution import role_label
from pipeline.rules.ruleset import load_ruleset


def explain(text: str, settings: Settings, *, lang: str | None = None, date: str = "") -> DocResult:
    """Run the whole per-document path over one text and return its DocResult.

    The language is detected unless given; rule files are validated first (RuleError).
    """
    load_ruleset(settings)
    document = corpus.document_from_text(text, doc_id="explain", lang=lang, date=date)
    if document.status != "ok":
        raise ValueError(f"cannot explain this text: {document.reason}")
    return next(process([document], Pipelines(settings), settings))


def format_explanation(result: DocResult) -> str:
    """Return a readable report of a DocResult: entities, role links and meetings with rule ids."""
    lines = [f"language: {result.document.lang}   reference date: {result.ref_date or '-'} ({result.ref_date_source or 'none'})", "", "ENTITIES"]
    for m in result.mentions:
        extra = " ".join(
            part for part in (
                f"value={m.value:g}" if m.value is not None else "",
                f"qualifier={m.qualifier!r}" if m.qualifier else "",
                f"norm={m.norm!r}" if m.norm else "",
            ) if part
        )
        lines.append(f"  {m.label:<7} {m.text!r} [{m.start}:{m.end}] {extra}  rules: {', '.join(m.rules)}")
    lines += ["", "ROLES"]
    for r in result.role_links:
        qual = f"{r.qualifier} " if r.qualifier else ""
        office = role_label(r.role, r.jurisdiction, r.organization)
        lines.append(f"  {r.person.text!r} -> {qual}{office}  from {r.text!r}  rules: {', '.join(r.rules)}")
    lines += ["", "MEETINGS"]
    for m in result.meetings:
        people = ", ".join(p.text + (f" (= {p.role} of {p.jurisdiction})" if p.role else "") for p in m.participants)
        lines.append(
            f"  {m.kind} via {m.trigger!r}: participants [{people}] place={m.place or '-'} "
            f"date={m.date or '-'} ({m.date_text or '-'}){' name=' + repr(m.name) if m.name else ''}  rules: {', '.join(m.rules)}"
        )
    return "\n".join(lines)
