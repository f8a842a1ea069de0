"""bench.peak_rss_mib: the peak RSS of the process itself, not inherited from its parent."""

import subprocess
import sys

import pytest

CHILD = """
from pipeline.tools.bench import peak_rss_mib
before = peak_rss_mib()
held = bytearray(64 * 2**20)
held[::4096] = b"x" * len(held[::4096])  # touch every page so it is resident
print(before, peak_rss_mib())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="exec resets VmHWM on Linux")
def test_bench_peak_rss_is_the_childs_own_and_grows_with_memory_held():
    parent = bytearray(256 * 2**20)
    parent[::4096] = b"x" * len(parent[::4096])
    child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    before, after = map(float, child.stdout.split())
    assert after >= before + 48
    assert after < 200  # ru_maxrss would report at least this (pytest's) process's 256 MiB and more


@pytest.mark.parametrize("lines", [1, 1_000])
def test_bench_lines_document_is_analysed_not_skipped(tmp_path, lines):
    # the detector takes a list of names for another language: without its header the bench
    # would measure a skipped document
    from pipeline import corpus
    from pipeline.tools.bench import make_lines

    make_lines(tmp_path, lines)
    (document,) = corpus.iter_documents(tmp_path)
    assert (document.lang, document.status) == ("en", "ok")
    assert document.text.count("\n") == lines - 1 and document.text.startswith("Anna Smith, Mexico City, item 0")
