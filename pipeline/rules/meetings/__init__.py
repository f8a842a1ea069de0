"""Meetings: who met whom, where and when, from configs/meetings.yml and patterns/<lang>/meetings.jsonl."""
