"""Every ``PUHUI_*`` name in the sources is a declared setting (puhui.config.SETTINGS).

Puhui's own prefix is kept for variables Puhui reads; a Django settings key or a constant that
only looks like one would mislead a user into setting it. Translation catalogues (hub/locale)
are regenerated from the sources, so they are not read here.
"""

from __future__ import annotations

import re
from pathlib import Path

from puhui.config import SETTINGS

from conftest import TEST_VARIABLES

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "puhui"
NAME = re.compile(r"\bPUHUI_[A-Z0-9_]*[A-Z0-9_*]")


def puhui_names(*roots: Path) -> dict[str, list[str]]:
    """Every PUHUI_ name under ``roots`` (a trailing * is a family), with where it is written."""
    found: dict[str, list[str]] = {}
    paths = [p for root in roots for p in ([root] if root.is_file() else sorted(root.rglob("*")))]
    for path in paths:
        if not path.is_file() or "locale" in path.parts or path.suffix in {".pyc", ".mo", ".gguf"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for m in NAME.finditer(line):
                found.setdefault(m.group(), []).append(f"{path.relative_to(REPO)}:{number}")
    return found


def undeclared(names: dict[str, list[str]], declared: set[str]) -> dict[str, list[str]]:
    return {
        name: where
        for name, where in names.items()
        if not (
            name in declared
            or (name.endswith("*") and any(d.startswith(name[:-1]) for d in declared))
        )
    }


def test_every_puhui_variable_is_a_declared_setting() -> None:
    names = puhui_names(SRC)
    assert "PUHUI_HOME" in names  # the scan sees the sources at all
    missing = undeclared(names, {s.env for s in SETTINGS})
    assert not missing, "PUHUI_* names that are not declared in puhui.config.SETTINGS: " + (
        "; ".join(f"{n} at {', '.join(w)}" for n, w in sorted(missing.items()))
    )


def test_test_and_bench_variables_are_declared_in_conftest() -> None:
    names = puhui_names(REPO / "tests", REPO / "bench", REPO / "scripts", REPO / "Makefile")
    assert "PUHUI_TEST_POSTGRES_URL" in names
    missing = undeclared(names, {s.env for s in SETTINGS} | set(TEST_VARIABLES))
    assert not missing, "PUHUI_* names in tests, bench or scripts declared nowhere: " + (
        "; ".join(f"{n} at {', '.join(w)}" for n, w in sorted(missing.items()))
    )
    assert not set(TEST_VARIABLES) & {s.env for s in SETTINGS}


def test_every_declared_variable_is_documented_and_unique() -> None:
    envs = [s.env for s in SETTINGS]
    assert len(envs) == len(set(envs))
    assert all(s.env.startswith("PUHUI_") and s.doc for s in SETTINGS)


def test_undeclared_before_are_settings_now_and_secrets_stay_hidden(tmp_path: Path) -> None:
    from puhui.config import load_settings, shown

    env = {
        "PUHUI_HOME": str(tmp_path),
        "PUHUI_HUB_URL": "http://hub.example:8421",
        "PUHUI_HUB_TOKEN": "phk_s3cr3t",
        "PUHUI_PII_SALT": "salty-s3cr3t",
    }
    s = load_settings(env)
    by_name = {d.name: d for d in SETTINGS}
    assert s.hub_url == "http://hub.example:8421" and s.sources["hub_url"] == "env PUHUI_HUB_URL"
    assert shown(by_name["hub_token"], s.hub_token) == "(set, hidden)"
    assert shown(by_name["pii_salt"], s.pii_salt) == "(set, hidden)"
    assert s.config_file is None and s.sources["config_file"] == "default"
    unset = load_settings({"PUHUI_HOME": str(tmp_path), "PUHUI_HUB_TOKEN": ""})
    assert unset.hub_token is None and shown(by_name["hub_token"], None) is None
