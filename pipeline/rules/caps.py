"""Caps on the work one document may cause (settings.toml [limits]), and the warnings they leave.

A hostile text (10,000 names in one sentence, a 5,000-token sentence) or a rule that matches
everywhere must not make a run quadratic. Each cap keeps the first items found and notes
what it dropped in doc._.warnings, which the run copies into documents.jsonl.
"""

from __future__ import annotations

from typing import Collection

import numpy

from spacy.tokens import Doc

import pipeline.nlp.extensions  # noqa: F401  doc._.warnings
from pipeline.rules.matcher import TokenMatcher


def warn(doc: Doc, message: str) -> None:
    """Add `message` to doc._.warnings once."""
    if doc._.warnings is None:
        doc._.warnings = []
    if message not in doc._.warnings:
        doc._.warnings.append(message)


def matches(
    matcher, doc: Doc, names: dict[int, str], caps, only: Collection[int] | None = None
) -> list[tuple[int, int, int]]:
    """Run a token Matcher within sentences (those starting at a token of `only`, when given);
    return its (key, start, end) matches, capped.

    spaCy returns every match of a "*" or "+", so a pattern that matches any token yields n²/2
    matches over n tokens. Matching in chunks of at most `caps.max_match_window` tokens keeps
    that linear in the text: whole sentences are packed into a chunk (matches that would cross
    a sentence boundary are dropped), a longer sentence is matched in windows overlapping by
    half. Then each rule keeps its first `caps.max_rule_matches` matches (see `capped`).
    """
    window = caps.max_match_window
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    sent_of = [0] * len(doc)
    chunks: list[tuple[int, int]] = []
    hits = matcher.hits(doc) if isinstance(matcher, TokenMatcher) else None
    reach = matcher.longest if hits is not None else None
    for index, sent in enumerate(sents):
        if only is not None and sent.start not in only:
            continue
        if hits is not None and not hits[sent.start : sent.end].any():
            continue  # no word that a match needs: the Matcher would find nothing here
        sent_of[sent.start : sent.end] = [index] * len(sent)
        if reach is not None:  # matches of at most `reach` tokens: only the text around each needed word
            chunks += _around(numpy.flatnonzero(hits[sent.start : sent.end]) + sent.start, reach, sent.start, sent.end)
            continue
        if len(sent) > window:
            warn(doc, f"a sentence of {len(sent)} tokens is matched in windows of {window} tokens (max_match_window)")
            chunks += [(start, min(start + window, sent.end)) for start in range(sent.start, sent.end - window // 2, window // 2)]
        elif chunks and sent.end - chunks[-1][0] <= window and chunks[-1][1] == sent.start:
            chunks[-1] = (chunks[-1][0], sent.end)
        else:
            chunks.append((sent.start, sent.end))
    found: set[tuple[int, int, int]] = set()
    for start, end in chunks:
        if hits is not None and not hits[start:end].any():
            continue  # a window of a long sentence without such a word
        found.update(
            (key, start + a, start + b)
            for key, a, b in matcher(doc[start:end])
            if sent_of[start + a] == sent_of[start + b - 1]
        )
    return capped(doc, list(found), names, caps.max_rule_matches)


def _around(positions, reach: int, start: int, end: int) -> list[tuple[int, int]]:
    """Return the merged token ranges, within start..end, of every match of at most `reach`
    tokens that holds one of `positions`."""
    ranges: list[tuple[int, int]] = []
    for i in positions.tolist():
        low, high = max(start, i - reach + 1), min(end, i + reach)
        if ranges and low <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], high)
        else:
            ranges.append((low, high))
    return ranges


def capped(doc: Doc, matches: list[tuple[int, int, int]], names: dict[int, str], limit: int) -> list[tuple[int, int, int]]:
    """Keep the first `limit` Matcher matches of each rule (in text order); warn for each rule cut."""
    counts: dict[int, int] = {}
    kept = []
    rank = {key: index for index, key in enumerate(names)}  # rule file order breaks ties
    for match in sorted(matches, key=lambda m: (m[1], m[2], rank.get(m[0], len(rank)))):
        counts[match[0]] = counts.get(match[0], 0) + 1
        if counts[match[0]] <= limit:
            kept.append(match)
    for key, count in counts.items():
        if count > limit:
            warn(doc, f"rule {names.get(key, key)} matched {count} times; only the first {limit} used (max_rule_matches)")
    return kept


def excerpt(text: str, start: int, end: int, limit: int) -> str:
    """Return `text` when it has at most `limit` characters, else `limit` characters around
    [start, end) (offsets into `text`), with "…" where it was cut."""
    if len(text) <= limit:
        return text
    middle = (start + end) // 2
    left = max(0, min(middle - limit // 2, len(text) - limit))
    right = left + limit
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def sentence_text(doc: Doc, text: str, offset: int, start: int, end: int, limit: int) -> str:
    """Return the evidence sentence `text` (beginning at character `offset` of the Doc) of a
    match at [start, end): whole, or when longer than `limit` an excerpt around the match,
    with a warning on the Doc."""
    if len(text) <= limit:
        return text
    warn(doc, f"a sentence of {len(text)} characters is stored as excerpts of {limit} (max_sentence_chars)")
    return excerpt(text, start - offset, end - offset, limit)
