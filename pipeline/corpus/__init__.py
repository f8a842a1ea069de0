"""The corpus: files and JSONL read into Documents, cleaned, and given a language.

The names other stages use are importable from here.
"""

from pipeline.corpus.language import detect, detect_language
from pipeline.corpus.read import document_from_text, iter_documents, unique_id, walk
from pipeline.corpus.split import iter_split, split_text

__all__ = ["detect", "detect_language", "document_from_text", "iter_documents", "iter_split", "split_text", "unique_id", "walk"]
