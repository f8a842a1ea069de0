"""Roles: who holds which office, from configs/roles.yml and patterns/<lang>/roles.jsonl."""
