"""corpus.detect_language: English and Spanish kept, other languages named so they can be skipped."""

import pytest

from pipeline.corpus import detect_language

LANGS = ("en", "es")


@pytest.mark.parametrize(
    "text, lang, note",
    [
        ("The minister met his counterpart in Mexico City on Wednesday to discuss the border.", "en", ""),
        ("El canciller se reunió el miércoles con su homólogo en la Ciudad de México.", "es", ""),
        # the detector ranks Galician or Aragonese first for these; Spanish comes close enough
        ("Biden met López Obrador.", "es", ""),
        ("Sheinbaum recibe a Rubio en Palacio Nacional", "es", ""),
        ("Le président de la République a reçu hier à l'Élysée le chancelier allemand.", "fr", ""),
        ("Bundeskanzler Olaf Scholz hat am Mittwoch den französischen Präsidenten empfangen.", "de", ""),
        ("O presidente encontrou o chanceler em Brasília na quarta-feira passada.", "pt", ""),
        # short English news with West African or South Asian names: ranked Nigerian Pidgin first
        ("Indian Prime Minister Narendra Modi met with Australian Prime Minister Anthony Albanese in Sydney.", "en", ""),
        ("Nigerian President Bola Tinubu met Ghana President Nana Akufo-Addo in Abuja on Tuesday to discuss regional security.", "en", ""),
        ("Senegal President Bassirou Diomaye Faye met French President Emmanuel Macron in Paris.", "en", ""),
        ("Ghana election: Mahama wins presidency.", "en", ""),
        ("Buhari meets Osinbajo, APC chieftains in Aso Rock.", "en", ""),
        # the varieties themselves stay skipped
        ("Di goment don talk say dem go pay di workers dia money next week.", "pcm", ""),
        ("Tinubu don travel go Paris, im go meet Macron for dia talk about money matter.", "pcm", ""),
        ("O gubierno d'Aragón ha aprebau a lei d'as luengas.", "an", ""),
        ("Obrador", "es", "language guessed as es: too little text to detect"),
        ("2023 — 12 / 30", "", "no text (no letters)"),
    ],
)
def test_corpus_language_detect(text, lang, note):
    assert detect_language(text, LANGS) == (lang, note)


def test_corpus_language_long_text_sampled():
    text = "El presidente viajó a Washington para reunirse con su homólogo. " * 2000
    assert detect_language(text, LANGS) == ("es", "")
