"""Errors a user can fix. Each one prints as a single line: what went wrong, then what to do."""

from __future__ import annotations


class PuhuiError(Exception):
    """A problem caused by input, configuration or environment, not by a bug in Puhui.

    The CLI prints ``error: <message>`` on one line and exits with :attr:`exit_code`;
    no traceback is shown. ``hint`` says what to do about it.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = " ".join(message.split())
        self.hint = " ".join(hint.split()) if hint else None
        super().__init__(self.message + (f" — {self.hint}" if self.hint else ""))


class ConfigError(PuhuiError):
    """A setting has a value Puhui cannot use."""


class ArtifactError(PuhuiError):
    """An artifact is malformed or its content no longer matches its manifest."""


class ModelError(PuhuiError):
    """A model cannot be found, started or reached."""


def yaml_error(path: object, error: Exception) -> PuhuiError:
    """A YAML syntax error in a user's file, as one line naming the file and line."""
    from puhui.i18n import _

    mark = getattr(error, "problem_mark", None)
    line = f" line {mark.line + 1}" if mark is not None else ""
    return PuhuiError(
        _("{p}{line}: not valid YAML ({why})").format(
            p=path, line=line, why=getattr(error, "problem", None) or error
        ),
        _("fix the YAML syntax"),
    )
