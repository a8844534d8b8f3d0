"""The registry of task kinds: ``kind:`` in suite.yaml names one, and it parses, runs and
summarizes its tasks.

Built-ins: ``generate`` (a chat model answers prompts, :mod:`puhui.evals.generate`),
``classify`` (a tabular classifier per sensitive group, :mod:`puhui.evals.classifiers`) and
``text-classify`` (a text classifier per language, :mod:`puhui.evals.text_classifier`). An
installed package adds a kind through the ``puhui.task_kinds`` entry points
(:mod:`puhui.evals.plugins`); built-in names win. A kind is a :class:`~puhui.evals.types.TaskKind`
(or any object with the same five attributes).
"""

from __future__ import annotations

from puhui.errors import PuhuiError
from puhui.evals import classifiers, generate, plugins, text_classifier
from puhui.evals.types import Suite, TaskKind
from puhui.i18n import _

#: The built-in kinds by name.
KINDS: dict[str, TaskKind] = {
    k.name: k for k in (generate.KIND, classifiers.KIND, text_classifier.KIND)
}
#: The kind of a task (and of a run's plan) that names none.
DEFAULT = generate.NAME


def names() -> list[str]:
    """Built-in kinds, then plugins' (in entry-point order)."""
    return [*KINDS, *(n for n in plugins.entry_points(plugins.KIND_GROUP) if n not in KINDS)]


def get(name: str, at: str | None = None) -> TaskKind:
    """The kind called ``name``; an unknown name is a one-line error (at ``at``, if given)."""
    if name in KINDS:
        return KINDS[name]
    found = plugins.kind(name)
    if found is not None:
        return found  # type: ignore[no-any-return]
    quoted = [f"'{n}'" for n in names()]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    raise PuhuiError(_("{at}.kind: must be {kinds}").format(at=at or _("task"), kinds=listed), None)


def of_suite(suite: Suite) -> TaskKind:
    """The kind that runs ``suite``: its first task's kind other than generate, else generate
    (a kind refuses a suite that mixes it with others)."""
    name = next((t.kind for t in suite.tasks if t.kind != DEFAULT), DEFAULT)
    return get(name)
