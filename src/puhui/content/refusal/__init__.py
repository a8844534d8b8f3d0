"""Refusal phrase lists, one YAML file per language, for :mod:`puhui.evals.scorers.refusal`.

Written by the Puhui team (Apache-2.0, like the code); see ``README.md`` in this folder.
"""
