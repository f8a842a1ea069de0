"""The output files: the atomic commit and its journal, GraphML, GEXF, CSV, JSONL, and the tables."""
