"""Hub pieces that need no server: settings, paths, ranges, translations, import boundaries."""

from __future__ import annotations

import gettext
import itertools
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from puhui.config import load_settings
from puhui.errors import ConfigError
from puhui.hub import conf

from conftest import Run, assert_one_line_error

LOCALE = Path(conf.__file__).parent / "locale"
LANGS = ("zh_Hans", "fr", "es", "ar", "sw", "pt")


def test_importing_puhui_and_its_cli_imports_no_django() -> None:
    code = "import sys, puhui, puhui.cli, puhui.hub; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_database_is_sqlite_in_wal_mode_under_home(home: Path) -> None:
    db = conf.database(load_settings())
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(home / "hub" / "hub.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgresql_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHUI_HUB_DATABASE_URL", "postgresql://pu:s%40cret@127.0.0.1:5433/hub")
    db = conf.database(load_settings())
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "hub",
        "pu",
        "s@cret",
        "127.0.0.1",
        "5433",
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://relative.db", "postgresql://h/"])
def test_bad_database_urls_fail_clearly(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PUHUI_HUB_DATABASE_URL", url)
    with pytest.raises(ConfigError):
        conf.database(load_settings())


def test_secret_key_is_generated_once_with_mode_0600(home: Path) -> None:
    s = load_settings()
    first = conf.secret_key(s)
    path = home / "hub" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert conf.secret_key(s) == first and len(first) >= 32


def test_secret_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUHUI_HUB_SECRET_KEY", "k" * 40)
    assert conf.secret_key(load_settings()) == "k" * 40
    monkeypatch.setenv("PUHUI_HUB_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        conf.secret_key(load_settings())


def test_django_settings_are_secure_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    d = conf.django_settings(load_settings())
    assert d["DEBUG"] is False and d["X_FRAME_OPTIONS"] == "DENY"
    assert d["SESSION_COOKIE_HTTPONLY"] is True and d["SESSION_COOKIE_SECURE"] is False
    assert d["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert d["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert d["PUHUI"]["max_upload_bytes"] == 512 * 1024 * 1024
    monkeypatch.setenv("PUHUI_HUB_HTTPS", "1")
    monkeypatch.setenv("PUHUI_HUB_MAX_UPLOAD_MB", "3")
    d = conf.django_settings(load_settings())
    assert d["SESSION_COOKIE_SECURE"] is True and d["CSRF_COOKIE_SECURE"] is True
    assert d["PUHUI"]["max_upload_bytes"] == 3 * 1024 * 1024


@pytest.mark.parametrize(
    ("rel", "ok"),
    [
        ("data/part-00000.jsonl.zst", True),
        ("audit.html", True),
        ("../etc/passwd", False),
        ("/abs", False),
        ("a//b", False),
        (".hidden/x", False),
        ("a/./b", False),
        ("a\\b", False),
        ("con:x", False),
        ("tab\there", False),
        ("", False),
        ("x" * 600, False),
    ],
)
def test_safe_paths(rel: str, ok: bool) -> None:
    from puhui.hub.catalog.storage import safe_path

    assert safe_path(rel) is ok


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-5", (95, 99)),
        ("bytes=90-200", (90, 99)),
        ("bytes=100-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=5-1", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("", None),
    ],
)
def test_parse_range(header: str, want: object) -> None:
    from puhui.hub.catalog.storage import parse_range

    assert parse_range(header, 100) == want


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_is_translated_and_compiled(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    assert "review needed" in (catalog.header_comment or "")
    mo = gettext.GNUTranslations((po.with_suffix(".mo")).open("rb"))
    entries = [m for m in catalog if m.id]
    assert len(entries) > 100
    for m in entries:
        if isinstance(m.id, tuple):
            assert all(m.string), m.id
            assert mo.ngettext(m.id[0], m.id[1], 5) in m.string
        else:
            assert m.string, f"{lang}: untranslated {m.id!r}"
            assert mo.gettext(m.id) == m.string, f"{lang}: stale .mo for {m.id!r}"


def test_query_words_keep_combining_marks() -> None:
    from puhui.hub.catalog.terms import MAX_TERMS, terms

    assert terms("তথ্য স্বাস্থ্য") == ["তথ্য", "স্বাস্থ্য"]  # Bengali: vowel signs, virama
    assert terms("I\u0300tumo\u0323\u0300, ilé-ìwé!") == ["i\u0300tumo\u0323\u0300", "ilé", "ìwé"]
    assert terms("विद्यालय data_set 42") == ["विद्यालय", "data_set", "42"]
    assert terms('" * : ( ) & |') == []  # no query syntax survives
    assert terms("\u0301 \u0300\u0323 x") == ["x"]  # marks alone are no word
    assert len(terms("a " * 40)) == MAX_TERMS


def test_facet_terms_are_single_tokens_and_read_back() -> None:
    from puhui.hub.catalog.terms import FACET_CODES, facet_counts, facet_term, terms

    values = ["es-PE", "zh-Hans", "CR-07", "public administration", "ǂAu", 'x"y*z', "é" * 120]
    for facet in FACET_CODES:
        for v in values:
            t = facet_term(facet, v)
            assert terms(t) == [t]  # one word to the index: letters and hex digits only
    window = [
        (3, " ".join([facet_term("language", "es-PE"), facet_term("kind", "run")])),
        (2, " ".join([facet_term("language", "es-PE"), facet_term("sector", "ǂAu")])),
        (1, facet_term("language", "zh-Hans")),
    ]
    counts = facet_counts(window)
    assert counts["language"] == [("es-PE", 2), ("zh-Hans", 1)]
    assert counts["kind"] == [("run", 1)] and counts["sector"] == [("ǂAu", 1)]
    assert counts["country"] == [] and counts["risk_area"] == []
    long = facet_counts([(1, facet_term("sector", "é" * 120))])["sector"]
    assert long == [("é" * 100, 1)]  # cut as tag values always were


@pytest.mark.parametrize("density", [1.0, 0.5, 0.05, 0.004, 0.0005, 0.0])
def test_newest_reads_stretches_and_equals_a_full_sort(density: float) -> None:
    import random

    from puhui.hub.catalog.terms import MAX_STRETCHES, newest

    rng = random.Random(int(density * 10_000))
    top, size = 50_000, 25
    matching = sorted((i for i in range(1, top + 1) if rng.random() < density), reverse=True)
    calls: list[tuple[int | None, int | None, int]] = []

    def fetch(lo: int | None, hi: int | None, n: int) -> list[tuple[int, str]]:
        calls.append((lo, hi, n))
        inside = [i for i in matching if (lo is None or i > lo) and (hi is None or i <= hi)]
        return [(i, "") for i in inside[:n]]

    got = newest(fetch, top, size)
    assert [i for i, _ in got] == matching[: size + 1]
    assert 1 <= len(calls) <= MAX_STRETCHES
    assert calls[-1][0] is None or len(got) == size + 1  # stopped early only when full
    for (lo, _hi, _n), (_lo2, hi2, _n2) in itertools.pairwise(calls):
        assert lo == hi2  # stretches meet, none overlaps or skips ids
    if density >= 0.5:
        assert len(calls) == 1  # dense matches: the newest stretch is enough
    assert newest(fetch, None, size) == []


ACCOUNTS_SCRIPT = """
import json, sys
from pathlib import Path
from puhui.errors import PuhuiError
from puhui.hub import accounts

def error(call):
    try:
        call()
    except PuhuiError as e:
        return str(e)
    return None

pw = Path(sys.argv[1])
first = accounts.local_publisher("demo", "demo-org", "Puhui demo", pw)
kept = pw.read_text()
second = accounts.local_publisher("demo", "demo-org", "Puhui demo", pw)
from puhui.hub.catalog.models import Membership
m = Membership.objects.get(user__username="demo")
print(json.dumps({
    "tokens": [first[:4], second[:4], first != second],
    "kept": pw.read_text() == kept, "mode": oct(pw.stat().st_mode & 0o777),
    "membership": [m.org.slug, m.org.name, m.role],
    "label": accounts.database_label().endswith("hub.sqlite3"),
    "errors": [
        error(lambda: accounts.save_user("x", org="knbs", role="boss", password="p")),
        error(lambda: accounts.save_user("x", org="Bad", password="p")),
        error(lambda: accounts.save_user("x")),
        error(lambda: accounts.issue_token("demo", scope="write")),
        error(lambda: accounts.issue_token("demo", org="elsewhere")),
    ],
}))
"""


def test_accounts_make_the_demo_publisher_and_name_parameters_in_errors(tmp_path: Path) -> None:
    """:mod:`puhui.hub.accounts` (the CLI's and the demo's way to the hub's people): a second
    ``local_publisher`` keeps the password file, and engine errors name parameters, not flags."""
    pw = tmp_path / "hub-password.txt"
    out = subprocess.run(
        [sys.executable, "-c", ACCOUNTS_SCRIPT, str(pw)],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(out.stdout)
    assert got["tokens"] == ["phb_", "phb_", True]
    assert got["kept"] and got["mode"] == "0o600" and got["label"]
    assert got["membership"] == ["demo-org", "Puhui demo", "admin"]
    assert got["errors"] == [
        "`role` 'boss': not one of admin, member, viewer — pick one of those",
        "`org` 'Bad': use lower-case letters, digits and '-' — e.g. `org` knbs",
        "a new user needs a password: x — pass `password`",
        "`scope` 'write': not one of read, publish — pick one of those",
        "demo is not in organization elsewhere — add them with "
        "`puhui hub createuser demo --org elsewhere`",
    ]


def test_hub_start_on_a_busy_port_names_the_flag(puhui: Run) -> None:
    """The engine's hint names its `port` parameter; the CLI shows the command's flag."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = puhui("hub", "start", "--port", str(port))
    line = assert_one_line_error(proc, f"port {port} on 127.0.0.1 is in use", "--port")
    assert "`port`" not in line
