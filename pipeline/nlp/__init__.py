"""spaCy: the models, their attribute ruler, the extensions, and the per-window analysis."""
