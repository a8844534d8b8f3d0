"""JSON Schemas of Puhui artifacts (package data)."""
