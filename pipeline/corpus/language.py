"""The language of a document: given by its metadata or --lang, else detected (pipeline/corpus/langid.py)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pipeline.corpus.meta import _failed
from pipeline.records import Document

MIN_LETTERS = 20  # below this many letters the language detector only picks among `languages`


# Short Spanish often ranks Galician or Aragonese first, short English Pidgin or Scots: a
# supported language with at least this share of the winner's probability is taken instead.
NEAR_TOP = 0.5


# Varieties the detector ranks first for short texts in a language close to them, above all
# English sentences full of West African or South Asian names ranked Nigerian Pidgin. When one
# of these wins, its related language is taken with only this share of its probability: one-
# sentence English news items measured 0.03-0.4 of Pidgin's, real Pidgin sentences under 0.01.
VARIETIES = {"pcm": "en", "an": "es", "ext": "es"}


VARIETY_NEAR = 0.02


LANG_SAMPLE = 3000  # characters per window shown to the detector


# A first look at two short windows settles most documents at a third of the cost; only an
# unsure or unsupported answer sends the text to the full detection.
QUICK_WINDOW = 300


QUICK_CONFIDENCE = 0.999


def detect(doc: Document, languages: Iterable[str]) -> None:
    """Set the language of an ok document read without one; skip it when unsupported."""
    languages = tuple(languages)
    if doc.status != "ok":
        return
    if not doc.lang:
        doc.lang, note = detect_language(doc.text, languages)
        if not doc.lang:
            _failed(doc, "skipped", note)
            return
        if note:
            doc.warnings.append(note)
    if doc.lang not in languages:
        _failed(doc, "skipped", f"language {doc.lang} not supported (expected {', '.join(languages)})")


def detect_language(text: str, languages: Iterable[str]) -> tuple[str, str]:
    """Return (language, note) for `text`; the language is "" or unsupported when skipped.

    The detector ranks all languages it knows. Its winner is taken when it is in `languages`,
    or when the text is long enough and no language in `languages` comes near it (then the
    text is reported in the winning language and skipped). Texts with fewer than MIN_LETTERS
    letters get the best of `languages` and a note saying the language was guessed.
    """
    languages = tuple(languages)
    if len(text) > 4 * QUICK_WINDOW:
        middle = len(text) // 2
        top, prob = _identifier().classify(text[:QUICK_WINDOW] + "\n" + text[middle : middle + QUICK_WINDOW])
        if top in languages and prob >= QUICK_CONFIDENCE:
            return top, ""
    sample = _lang_sample(text)
    letters = sum(1 for char in sample if char.isalpha())
    if not letters:
        return "", "no text (no letters)"
    ranking = _identifier().rank(sample)
    top, top_prob = ranking[0]
    probs = dict(ranking)
    best = max(languages, key=lambda lang: probs.get(lang, 0.0))
    if top in languages:
        return top, ""
    if letters < MIN_LETTERS:
        return best, f"language guessed as {best}: too little text to detect"
    if probs.get(best, 0.0) >= NEAR_TOP * top_prob:
        return best, ""
    related = VARIETIES.get(top)
    if related in languages and probs.get(related, 0.0) >= VARIETY_NEAR * top_prob:
        return related, ""
    return top, ""


def _lang_sample(text: str) -> str:
    if len(text) <= 3 * LANG_SAMPLE:
        return text
    middle = len(text) // 2
    return "\n".join(
        (text[:LANG_SAMPLE], text[middle : middle + LANG_SAMPLE], text[-LANG_SAMPLE:])
    )


@lru_cache(maxsize=1)
def _identifier():
    from pipeline.corpus.langid import load_identifier

    return load_identifier()
