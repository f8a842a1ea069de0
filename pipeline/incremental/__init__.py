"""Speed across runs: the parse cache, stored rule-layer results, and rule diffs."""
