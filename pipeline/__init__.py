"""actorgraph: a bilingual actor graph from news articles."""

__version__ = "0.1.0"
