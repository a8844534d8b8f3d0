"""Bundled identity-term lexicon for the corpus audit's representation check.

``identity_terms.json`` (CC BY-SA 4.0, see ``LICENSE`` and ``SOURCE.md``) lists terms for
gender, religion, ethnicity/nationality/migration, disability, age, sexual orientation and
socioeconomic status in several languages. It is read with :mod:`importlib.resources` by
:mod:`puhui.corpus.audit.lexicon`, which also holds the matching code.
"""
