"""Tools beside extraction: make bench, make eval, make models."""
