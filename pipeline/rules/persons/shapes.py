"""The shape of a name: name words, acronyms, headlines, and the reshaping of candidates
(a title leaves the name span, a name cut at a hyphen or a particle is made whole)."""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.rules.persons.lists import CODE_PREFIX

HYPHENS = ("-", "‐", "–")
_SUFFIXES = {"JR", "SR", "II", "III", "IV", "V"}


def _is_name_word(token) -> bool:
    """A capitalised word ("Olav", "O'Neill", "Wei-lin") or an initial ("J.")."""
    text = token.text
    if len(text) == 2 and text[0].isupper() and text[1] == ".":
        return True
    word = text.replace("-", "").replace("'", "").replace("’", "")
    return text[:1].isupper() and word.isalpha()


def _acronym(text: str) -> bool:
    """An all-capitals word ("NDF", "PESC"); initials ("J. A. A.") are a person's."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters) and "." not in text


def _shouted(doc: Doc, i: int) -> bool:
    """True when token i stands among words written in capitals (a headline such as
    "LIMA - TOLEDO PIDE AYUDA"), where a name in capitals is no acronym."""
    window = doc[max(0, i - 4) : i + 5]
    return sum(1 for t in window if t.i != i and t.is_alpha and len(t.text) >= 3 and t.is_upper) >= 2


def headline(sent) -> bool:
    """True for a title-case line: at least four words, most words of four letters or more
    capitalised, no lower-case verb, and not a list (a line of names with commas or numbers is a roster)."""
    words = [t for t in sent if t.is_alpha]
    long = [t for t in words if len(t.text) >= 4]
    if len(words) < 4 or len(long) < 3:
        return False
    if sum(t.text in (",", ";") for t in sent) > 1 or sum(t.like_num for t in sent) > 1:
        return False
    if any(t.pos_ in ("VERB", "AUX") and t.is_lower for t in words):
        return False  # title case capitalises verbs, short ones too ("Is", "Met"): a lower-case verb is a sentence full of names
    return sum(t.text[:1].isupper() for t in long) >= 0.75 * len(long)


class _NameShapes:
    """PersonFilter's reshaping of candidates (mixin: the word lists are PersonFilter's)."""

    def reshape(self, doc: Doc, cands: list) -> None:
        """Split glued spans (an office's complement, two names joined by "and"), split titles out
        of names and make hyphenated and particle names whole, in place."""
        cands += [part for part in (self._split_complement(doc, c) or self._split_pair(doc, c) for c in list(cands)) if part is not None]
        owner = {i: c for c in cands for i in range(c.start, c.end)}
        for cand in cands:
            if cand.label == "PERSON" or (cand.label in ("ORG", "MISC", "PLACE") and self._led_by_title(doc, cand)):
                self._split_title(doc, cand)
            if cand.label == "PERSON":
                self._whole(doc, cand, owner)

    def _split_complement(self, doc: Doc, cand):
        """"Ambassador to [Japan Sofia Lind]", "ministro de [Economía Tomás Berg]": the model glued
        an office's place or portfolio onto the name after it. Cut the name off as a PERSON and
        return the complement as a candidate of its own (PLACE or MISC), or None."""
        if cand.end - cand.start < 3 or cand.start < 2:
            return None
        connector, head = doc[cand.start - 1], doc[cand.start - 2]
        bare = next((head.lower_[len(p):] for p in self.glued if head.lower_.startswith(p)), head.lower_)  # "exministro"
        if bare not in self.office_heads or not (connector.text in self.of_words or connector.text in self.place_preps or connector.lower_ in self.posted):
            return None
        for k in range(cand.end - 2, cand.start, -1):  # the longest complement first
            lead = doc[cand.start : k]
            place = bool(self._place(lead.text, strict=False))
            if not place and lead.text.lower() not in self.portfolios:
                continue
            rest = doc[k : cand.end]
            if not all(_is_name_word(t) for t in rest) or self._place(rest.text) or any(self.is_title(t.text) for t in rest):
                return None
            if cand.label != "PERSON" and (self._place(rest[-1].text, strict=False) or any(t.text in self.not_name for t in rest)):
                return None  # "director of [Youth Forum Zimbabwe]": an organization, no name in it
            complement = type(cand)(cand.start, k, "PLACE" if place else "MISC", [CODE_PREFIX + "complement_split"])
            cand.start, cand.label = k, "PERSON"
            cand.mark(CODE_PREFIX + "complement_split")
            return complement
        return None

    def _split_pair(self, doc: Doc, cand):
        """"[Ngozi Eze and Joaquim Tavares]" typed as one PERSON: two full names joined by a
        conjunction are two people. Cut the span at the conjunction; return the second name as a
        candidate of its own, or None."""
        if cand.label != "PERSON" or cand.end - cand.start < 5:
            return None
        for k in range(cand.start + 2, cand.end - 2):
            if doc[k].lower_ in ("and", "y", "e") and doc[k].is_lower:
                first, second = doc[cand.start : k], doc[k + 1 : cand.end]
                if all(_is_name_word(t) for t in first) and all(_is_name_word(t) for t in second):
                    other = type(cand)(k + 1, cand.end, "PERSON", list(cand.rules))
                    cand.end = k
                    for part in (cand, other):
                        part.mark(CODE_PREFIX + "pair_split")
                    return other
        return None

    def _led_by_title(self, doc: Doc, cand) -> bool:
        """A non-PERSON span that is a title and a name: "King Olav", "Presidential Spokesperson Ana Ruiz"."""
        if not any(self.is_title(doc[k].text) for k in range(cand.start, cand.end - 1)):
            return False
        first = doc[cand.start].text
        last = max((k for k in range(cand.start, cand.end - 1) if self.is_title(doc[k].text)), default=-1)
        rest = doc[last + 1 : cand.end]
        lead = first in self.honorifics or first in self.lead
        return (
            last >= 0
            and (len(rest) >= 2 or (lead and last == cand.start))
            and all(_is_name_word(t) or t.lower_ in self.particles or t.text in HYPHENS for t in rest)
            and not any(t.text in self.not_name for t in rest)
            and not self._place(rest.text)
        )

    def _split_title(self, doc: Doc, cand) -> None:
        last = -1
        for k in range(cand.start, cand.end - 1):
            if self.is_title(doc[k].text):
                last = k
        if last < 0:
            return
        if self.lang != "en" and not all(self.is_title(doc[k].text) or doc[k].is_lower for k in range(cand.start, last)):
            return  # Spanish writes titles in lower case: a capitalised "Mayor" inside a name is a surname
        rest = doc[last + 1 : cand.end]
        if all(t.text.rstrip(".").upper() in _SUFFIXES for t in rest):
            return  # "Martin Luther King III", "King Jr.": the title word is the surname
        if self.gazetteer is not None and self.gazetteer.demonym_place(rest[0].text):
            return  # "Comisario Europeo de Competencia": the rest of a title, no name
        if self._hard(doc, last + 1, cand.end) and not _acronym(rest.text):
            return  # "Sultan Rashid Grand Mosque": the filter relabels the whole
        if not rest or not _is_name_word(rest[0]) or _acronym(rest.text):
            if rest and _acronym(rest.text):
                cand.start, cand.label = last + 1, "ORG"
                cand.mark(self.title_rule)
            return
        cand.start, cand.label = last + 1, "PERSON"
        cand.mark(self.title_rule)

    def _whole(self, doc: Doc, cand, owner: dict) -> None:
        """Extend a name over "-jung", "al-Harbi", "bin Salman", "de la Vega" after it; `owner`
        maps each token to the candidate holding it."""
        end = cand.end
        while end < len(doc):
            prev = doc[end - 1]
            if doc[end].text in HYPHENS and not prev.whitespace_ and not doc[end].whitespace_ and end + 1 < len(doc) and doc[end + 1].is_alpha:
                step = 2
            elif self._particle_word(doc[end].text):
                step = 1
            else:
                step = 0
                while end + step < len(doc) and doc[end + step].lower_ in self.particles and doc[end + step].is_lower and step < 3:
                    step += 1
                if step and end + step < len(doc) and doc[end + step].text in HYPHENS and not doc[end + step].whitespace_:
                    step += 1
                if not step or end + step >= len(doc) or not _is_name_word(doc[end + step]) or self._place(doc[end + step].text):
                    break
                step += 1
            if any(owner.get(k, cand) is not cand for k in range(end, end + step)):
                break
            end += step
        if end != cand.end:
            cand.end = end
            cand.mark(self.particle_rule)

    def _particle_word(self, text: str) -> bool:
        """A particle glued to a name in one token: "al-Harbi", "el-Sisi", "d'Estaing"."""
        for mark in ("-", "'", "’"):
            head, sep, tail = text.partition(mark)
            if sep and head in self.particles and tail[:1].isupper() and tail.replace("-", "").isalpha():
                return True
        return False
