"""Upgrading a hub database that holds items: migration 0005 (facet values as hidden full-text
terms) fills the new column and rebuilds the index, so old items are found by word and facet
exactly as newly published ones; 0006 drops the tag rows nobody reads; both can be reversed.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PG_ENV = "PUHUI_TEST_POSTGRES_URL"
PG_URL = os.environ.get(PG_ENV, "")  # read before the autouse fixture clears PUHUI_*

SCRIPT = r"""
import json
from puhui import hub
hub.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

def to(target):
    call_command("migrate", "catalog", target, interactive=False, verbosity=0)

call_command("migrate", interactive=False, verbosity=0)
to("0004")
old = MigrationExecutor(connection).loader.project_state(("catalog", "0004_tag_index_with_item"))
Org, Item, Tag = (old.apps.get_model("catalog", m) for m in ("Organization", "Item", "ItemTag"))
org = Org.objects.create(slug="knbs", name="Statistics bureau")
made = {}
for name, kind, langs, sector, text in [
    ("sw-news", "dataset", ["sw", "yo"], "media", "habari za kiswahili"),
    ("sw-run", "run", ["sw"], "health", "kiswahili afya evaluation"),
    ("en-run", "run", ["en"], "health", "english health evaluation"),
]:
    it = Item.objects.create(
        kind=kind, name=name, version="1", urn=f"urn:puhui:{kind}:knbs/{name}@1", org=org,
        title=name, languages=langs, sector=sector, content_sha256="0" * 64, search_text=text,
    )
    Tag.objects.bulk_create(
        [Tag(item=it, facet="language", value=v) for v in langs]
        + [Tag(item=it, facet="sector", value=sector)]
    )
    made[name] = it.pk
if connection.vendor == "sqlite":  # what search.index() did before 0005
    with connection.cursor() as cur:
        for it in Item.objects.all():
            cur.execute("INSERT INTO catalog_item_fts(rowid, text) VALUES (%s, %s)",
                        [it.pk, it.search_text])

def found(q, facets):
    from puhui.hub.catalog.access import ANONYMOUS
    from puhui.hub.catalog.search import search
    res = search(q, facets, ANONYMOUS)
    ids = {v: k for k, v in made.items()}
    return {"items": sorted(ids[i.pk] for i in res.items), "facets": res.facets}

to("0005")
out = {
    "word": found("kiswa", {}),
    "word_facet": found("kiswahili", {"kind": ["run"], "language": ["sw"]}),
    "facet": found("", {"sector": ["health"]}),
    "hidden": found("\u01c2k72756e", {}),
}
to("0004")
to("0005")
out["again"] = found("evaluation", {"language": ["en"]})
if connection.vendor == "postgresql":  # the tsvector stays in the row (not in TOAST)
    with connection.cursor() as cur:
        cur.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'catalog_item'::regclass"
                    " AND attname = 'search_tsv'")
        out["storage"] = cur.fetchone()[0]
to("0004")  # left behind for `puhui hub init` to bring up to date
with connection.cursor() as cur:  # 0006 backwards refilled the tag rows 0004 reads
    cur.execute("SELECT facet, value FROM catalog_itemtag ORDER BY 1, 2")
    out["tags_after_down"] = [list(r) for r in cur.fetchall()]
print(json.dumps(out))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env["PUHUI_HOME"] = str(tmp_path / "home")
    if request.param == "postgresql":
        url = PG_URL
        if not url:
            pytest.skip(f"set {PG_ENV}=postgresql://USER@127.0.0.1:PORT/DB to test PostgreSQL")
        import psycopg  # declared in the test extra

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        env["PUHUI_HUB_DATABASE_URL"] = url
    return env


def test_0005_upgrades_items_already_there(database: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=database, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["word"]["items"] == ["sw-news", "sw-run"]
    assert out["word_facet"]["items"] == ["sw-run"]
    assert out["facet"]["items"] == ["en-run", "sw-run"]
    assert ["sw", 2] in out["word"]["facets"]["language"]
    assert ["yo", 1] in out["word"]["facets"]["language"]
    assert sorted(out["facet"]["facets"]["kind"]) == [["run", 2]]
    assert out["hidden"]["items"] == []  # a facet term typed as a word finds nothing
    assert out["again"]["items"] == ["en-run"]  # down to 0004 and up again
    assert out.get("storage", "m") == "m"
    assert out["tags_after_down"] == [
        ["language", "en"], ["language", "sw"], ["language", "sw"], ["language", "yo"],
        ["sector", "health"], ["sector", "health"], ["sector", "media"],
    ]  # fmt: skip
    # the CLI says it is upgrading (it can take a minute), then does it, once
    cli = [sys.executable, "-m", "puhui", "hub", "init"]
    first = subprocess.run(cli, env=database, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "Updating the hub database" in first.stderr
    again = subprocess.run(cli, env=database, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "Updating" not in again.stderr


SCRIPT_0009 = r"""
import json
from puhui import hub
hub.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from puhui.hub.catalog.terms import facet_term

def to(target):
    call_command("migrate", "catalog", target, interactive=False, verbosity=0)

call_command("migrate", interactive=False, verbosity=0)
to("0008")
old = MigrationExecutor(connection).loader.project_state(("catalog", "0008_trusted_issuers"))
Org, Item = (old.apps.get_model("catalog", m) for m in ("Organization", "Item"))
org = Org.objects.create(slug="knbs", name="Statistics bureau")
for name, kind in [("sw-news", "dataset"), ("sw-run", "run")]:
    # as publish wrote them before 0009: search.text_of and search.facet_terms_of
    it = Item.objects.create(
        kind=kind, name=name, version="1", urn=f"urn:puhui:{kind}:knbs/{name}@1", org=org,
        title="Habari " + name, languages=["sw"], content_sha256="0" * 64,
        search_text="\n".join(["Habari " + name, name.replace("-", " "), kind, "sw"]),
        facet_terms=" ".join(sorted([facet_term("kind", kind), facet_term("language", "sw")])),
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("INSERT INTO catalog_item_fts(rowid, text, facets) VALUES (%s, %s, %s)",
                        [it.pk, it.search_text, it.facet_terms])

def state():
    from puhui.hub.catalog.access import ANONYMOUS
    from puhui.hub.catalog.search import search
    client = Client(HTTP_HOST="127.0.0.1")
    def api(kind):
        items = client.get("/api/v1/items", {"kind": kind}).json()["items"]
        return sorted(i["name"] for i in items)
    return {
        "kinds": sorted(Item.objects.values_list("name", "kind")),
        "urns": sorted(Item.objects.values_list("urn", flat=True)),
        "word": sorted(i.name for i in search("corpus", {}, ANONYMOUS).items),
        "facet": sorted(i.name for i in search("", {"kind": ["corpus"]}, ANONYMOUS).items),
        "api_corpus": api("corpus"),
        "api_dataset": api("dataset"),
        "page": "sw-news" in client.get("/search/", {"kind": "dataset"}).text,
    }

to("0009")
out = {"up": state()}
to("0008")
out["down"] = sorted(Item.objects.values_list("name", "kind"))
print(json.dumps(out))
"""


def test_0009_dataset_items_become_corpus_items(database: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT_0009],
        env=database,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    up = out["up"]
    assert up["kinds"] == [["sw-news", "corpus"], ["sw-run", "run"]]
    # a URN is an identifier others may cite: it stays as published
    assert up["urns"] == ["urn:puhui:dataset:knbs/sw-news@1", "urn:puhui:run:knbs/sw-run@1"]
    assert up["word"] == ["sw-news"]  # the search text names the new kind
    assert up["facet"] == ["sw-news"]  # and so does the hidden facet term
    assert up["api_corpus"] == up["api_dataset"] == ["sw-news"]  # ?kind=dataset still works
    assert up["page"] is True
    assert out["down"] == [["sw-news", "dataset"], ["sw-run", "run"]]
