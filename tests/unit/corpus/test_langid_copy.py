"""The language detector mapped from a plain copy of py3langid's model: same answers, rebuilt when damaged."""

import lzma

import numpy
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline.corpus import langid

TEXTS = [
    "The Secretary of State met the Mexican Foreign Minister in Washington on Tuesday.",
    "El secretario de Seguridad Nacional se reunió con la canciller en la Ciudad de México.",
    "Der Außenminister traf seinen Amtskollegen in Berlin.",
    "ok",
    "",
]


@pytest.fixture(scope="module")
def shipped():
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_langid_copy_answers_as_shipped_model(tmp_path, shipped):
    first = langid.load_identifier(tmp_path)
    again = langid.load_identifier(tmp_path)
    assert len(list(tmp_path.glob("langid-*"))) == 1
    assert isinstance(again.nb_ptc, numpy.memmap)  # mapped, not read into this process
    for identifier in (first, again):
        for text in TEXTS:
            assert identifier.rank(text) == shipped.rank(text)
            assert identifier.classify(text) == shipped.classify(text)


def test_langid_copy_is_read_without_decompressing(tmp_path, monkeypatch):
    langid.load_identifier(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError("the compressed model was read again")

    monkeypatch.setattr(lzma, "open", refuse)
    assert langid.load_identifier(tmp_path).classify(TEXTS[0])[0] == "en"


@pytest.mark.parametrize(
    "name, damage",
    [("nextmove", b""), ("ptc", b"not an array file"), ("out_feat", None), ("classes", "missing")],
)
def test_langid_copy_damaged_is_written_again(tmp_path, shipped, name, damage):
    langid.load_identifier(tmp_path)
    (copy,) = tmp_path.glob(f"langid-*/{name}.npy")
    data = copy.read_bytes()
    if damage == "missing":
        copy.unlink()
    else:
        copy.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert langid.load_identifier(tmp_path).rank(TEXTS[1]) == shipped.rank(TEXTS[1])
    assert copy.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [copy.parent.name]  # no temporary folder left


def test_langid_copy_unwritable_folder_loads_shipped_model(tmp_path, shipped):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    assert langid.load_identifier(blocker / "sub").rank(TEXTS[0]) == shipped.rank(TEXTS[0])
    assert not list(tmp_path.rglob("*.npy"))
