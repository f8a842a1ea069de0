"""The rule layer: rule files and their validation, the matcher and caps, the entity, role and
meeting components, and the normalisers of places, dates and numbers."""
