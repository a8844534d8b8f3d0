"""Package data: the language-ID model used by puhui.corpus.langid (see SOURCE.md, LICENSE)."""
