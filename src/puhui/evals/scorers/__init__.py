"""Scorers that judge model responses for evaluation suites (e.g. refusal detection)."""
