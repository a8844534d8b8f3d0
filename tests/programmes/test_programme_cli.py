"""`puhui programme` end to end on real hubs (a fresh PUHUI_HOME each, SQLite): a programme,
a roster, attendance, completion with reasons, credentials verified offline, who was reached
with small cells hidden, and a cohort carried to a second hub and imported twice."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from puhui.programmes import synthetic
from puhui.programmes.roster import write_roster
from puhui.programmes.types import Person

pytestmark = pytest.mark.slow  # each command is a real `python -m puhui` on a real hub

COHORT = "ai-for-officials"
SESSIONS = ("day-1", "day-2", "day-3")


@dataclass
class Hub:
    home: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
        env.update(PUHUI_HOME=str(self.home), COLUMNS="200")
        return subprocess.run(
            [sys.executable, "-m", "puhui", *args],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip

    def ok(self, *args: str) -> Any:
        proc = self.run(*args, "--json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every programme table's rows (ids and times left out): the hub's programme data."""
        db = sqlite3.connect(self.home / "hub" / "hub.sqlite3")
        out = {}
        for table, cols in {
            "programmes_programme": "uid, slug, name",
            "programmes_cohort": "uid, slug, name, rule",
            "programmes_session": "uid, slug, name",
            "programmes_person": "key, name, country, gender, age_band",
            "programmes_enrolment": "(SELECT key FROM programmes_person p WHERE p.id=person_id)",
            "programmes_mark": "(SELECT slug FROM programmes_session s WHERE s.id=session_id), "
            "present",
            "programmes_award": "credential_id",
        }.items():
            out[table] = sorted(db.execute(f"SELECT {cols} FROM {table}").fetchall())
        db.close()
        return out


def _attendance_csv(path: Path, people: list[Person]) -> Path:
    marks = synthetic.attendance(people, SESSIONS, seed=7)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["email", "session", "present"])
        for m in marks:
            w.writerow([m.key.removeprefix("mailto:"), m.session, "yes" if m.present else "no"])
    return path


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Hub, list[Person], Path]:
    tmp = tmp_path_factory.mktemp("programme")
    hub = Hub(tmp / "home")
    people = synthetic.roster(60, seed=11)
    minor = Person(name="Demo Pupil 01", email="pupil01@example.org", country="KE",
                   gender="woman", age_band="under-18", guardian_consent=True)  # fmt: skip
    write_roster([*people, minor], tmp / "roster.csv")
    made = hub.ok("programme", "new", "AI for officials", "--org", "acme")
    assert made["cohort"] == f"{COHORT}/{COHORT}"
    added = hub.ok("programme", "roster", "import", COHORT, str(tmp / "roster.csv"))
    assert added["added"] == 61 and added["enrolled"] == 61
    got = hub.ok("programme", "attendance", "import", COHORT,
                 str(_attendance_csv(tmp / "attendance.csv", people)))  # fmt: skip
    assert sorted(got["sessions_created"]) == list(SESSIONS)
    assert hub.run("keys", "new", "--out", str(tmp / "key"), "--name", "Acme").returncode == 0
    return hub, people, tmp


def test_completion_has_reasons_and_credentials_verify_offline(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, _people, tmp = filled
    status = hub.ok("programme", "status", COHORT)
    done = [r for r in status if r["complete"]]
    missed = [r for r in status if not r["complete"]]
    assert done and missed
    assert all(r["attended"] * 3 >= 2 * r["sessions"] for r in done)
    assert any("missed" in " ".join(r["reasons"]) for r in missed)
    out = hub.ok("programme", "complete", COHORT, "--key", str(tmp / "key"), "--out",
                 str(tmp / "creds"))  # fmt: skip
    assert len(out["credentials"]) == len(done) == out["new"]
    first = Path(out["credentials"][0])
    text = first.read_text(encoding="utf-8")
    assert "example.org" not in text and "Demo Participant" not in text  # no contact, no name
    cred = json.loads(text)
    assert "OpenBadgeCredential" in cred["type"]
    checked = hub.run("cert", "verify", str(first), "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["valid"] is True
    again = hub.ok("programme", "complete", COHORT, "--key", str(tmp / "key"), "--out",
                   str(tmp / "creds"))  # fmt: skip
    assert again["new"] == 0 and len(again["credentials"]) == len(done)
    assert json.loads(first.read_text(encoding="utf-8"))["id"] == cred["id"]  # the same award


def test_stats_hide_small_cells_and_the_csv_equals_them(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, _people, tmp = filled
    stats = hub.ok("programme", "stats", "ai-for-officials", "--csv", str(tmp / "reach.csv"))
    cells = stats["cells"]
    assert cells and {"gender", "country", "enrolled", "completed"} <= set(cells[0])
    values = [c[k] for c in cells for k in ("enrolled", "attended", "completed")]
    assert "<5" in values  # 61 people over 30 countries: many small cells
    # a true zero is shown (it discloses nobody); no other count under 5 ever is
    assert all(v == "<5" or (isinstance(v, int) and (v == 0 or v >= 5)) for v in values)
    rows = list(csv.DictReader(io.StringIO((tmp / "reach.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(cells)
    for row, cell in zip(rows, cells, strict=True):
        for k in ("gender", "country", "enrolled", "attended", "completed"):
            assert row[k] == str(cell[k]), (k, row, cell)


def test_a_bad_roster_names_every_bad_row_and_imports_nothing(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, _people, tmp = filled
    hub.ok("programme", "cohort", "new", "ai-for-officials", "Second workshop")
    bad = tmp / "bad.csv"
    bad.write_text(
        "name,email,country,gender,consent\n"
        "Demo A,a@example.org,KE,woman,yes\n"
        "Demo B,not-an-email,KE,woman,yes\n"
        "Demo C,c@example.org,XX,woman,yes\n"
        "Demo D,d@example.org,KE,woman,no\n",
        encoding="utf-8",
    )
    proc = hub.run("programme", "roster", "import", "ai-for-officials/second-workshop", str(bad))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3 and "Traceback" not in proc.stderr
    assert ":3:" in errors[0] and ":4:" in errors[1] and ":5:" in errors[2]
    out = tmp / "second.csv"
    assert hub.run("programme", "roster", "export", "ai-for-officials/second-workshop",
                   "--out", str(out)).returncode == 0  # fmt: skip
    assert len(out.read_text(encoding="utf-8").strip().splitlines()) == 1  # the header only


def test_export_then_import_twice_gives_the_same_hub(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, people, tmp = filled
    bundle = tmp / "bundle.json"
    assert hub.run("programme", "export", COHORT, "--key", str(tmp / "key"),
                   "--out", str(bundle)).returncode == 0  # fmt: skip
    assert "pupil01@example.org" not in bundle.read_text(encoding="utf-8")  # minors stay
    national = Hub(tmp / "national")
    first = national.ok("programme", "import", str(bundle), "--trust", str(tmp / "key"))
    assert first["created"]["people"] == len(people) and not first["conflicts"]
    before = national.tables()
    second = national.ok("programme", "import", str(bundle), "--trust", str(tmp / "key"))
    assert second["created"] == {} and second["conflicts"] == []
    assert national.tables() == before
    assert before["programmes_person"] == sorted(
        (p.key, p.name, p.country, p.gender, p.age_band) for p in people
    )
    # the same people on a later roster are found, never duplicated
    write_roster(people[:5], tmp / "again.csv")
    again = national.ok("programme", "roster", "import", COHORT, str(tmp / "again.csv"))
    assert again["added"] == 0 and again["enrolled"] == 0


def test_a_tampered_or_untrusted_bundle_is_refused(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, _people, tmp = filled
    bundle = tmp / "b2.json"
    assert hub.run("programme", "export", COHORT, "--key", str(tmp / "key"),
                   "--out", str(bundle)).returncode == 0  # fmt: skip
    doc = json.loads(bundle.read_text(encoding="utf-8"))
    doc["people"][0]["country"] = "FR"
    tampered = tmp / "tampered.json"
    tampered.write_text(json.dumps(doc), encoding="utf-8")
    other = Hub(tmp / "other")
    proc = other.run("programme", "import", str(tampered), "--trust", str(tmp / "key"))
    assert proc.returncode != 0 and "signature does not verify" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert other.run("keys", "new", "--out", str(tmp / "stranger")).returncode == 0
    proc = other.run("programme", "import", str(bundle), "--trust", str(tmp / "stranger"))
    assert proc.returncode != 0 and "does not trust" in proc.stderr


LEARNING = """
import json, sys
from pathlib import Path
from puhui.hub.accounts import open_database
open_database()
from django.contrib.auth import get_user_model
from puhui.hub.learn.models import Progress
from puhui.hub.programmes import service
from puhui.programmes.types import Person
cohort = service.new_programme("Testers", org="acme")
service.set_rule(cohort, {"attendance": None, "quizzes": 70, "labs": ["redact-a-corpus"],
                          "project": True})
service.link_courses(cohort, ["acme/testing-ai"])
people = [Person(name="Demo Ada", email="ada@example.org"),
          Person(name="Demo Bo", email="bo@example.org")]
service.save_people(cohort.programme.org, people, cohort, "participant")
ada = get_user_model().objects.create_user("ada", email="ada@example.org")
for step, best, passed in (("01-why", 90, True), ("02-corpus", 60, False),
                           ("lab:redact-a-corpus", 100, True)):
    Progress.objects.create(user=ada, course="acme/testing-ai", step=step, best_percent=best,
                            passed=passed)
Progress.objects.create(user=ada, course="other/course", step="lab:x", passed=True)
service.accept_project(cohort, "ada@example.org")
print(json.dumps({e.person.name: [o.complete, list(o.reasons)]
                  for e, o, r in service.outcomes(cohort)}))
"""


def test_quizzes_labs_and_projects_count_from_the_linked_course(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env["PUHUI_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-c", LEARNING], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["Demo Ada"] == [True, []]  # mean of best scores 75% ≥ 70%, lab, project
    complete, reasons = got["Demo Bo"]  # no hub account: nothing learned online, no project
    assert not complete
    text = " ".join(reasons)
    assert "no quiz" in text and "redact-a-corpus" in text and "project" in text


def test_a_revoked_credential_is_revoked_and_never_issued_again(
    filled: tuple[Hub, list[Person], Path],
) -> None:
    hub, _people, tmp = filled
    out = hub.ok("programme", "complete", COHORT, "--key", str(tmp / "key"), "--out",
                 str(tmp / "creds2"))  # fmt: skip
    first = Path(out["credentials"][0])
    cred = json.loads(first.read_text(encoding="utf-8"))
    who = next(p for p in _people if p.name.lower().replace(" ", "-") in first.name)
    proc = hub.run("programme", "revoke", COHORT, who.email, "--key", str(tmp / "key"))
    assert proc.returncode == 0, proc.stderr
    checked = hub.run("cert", "verify", str(first), "--status-list",
                      str(tmp / "key" / "status-list.json"), "--json")  # fmt: skip
    assert json.loads(checked.stdout)["valid"] is False
    again = hub.ok("programme", "complete", COHORT, "--key", str(tmp / "key"), "--out",
                   str(tmp / "creds3"))  # fmt: skip
    assert again["new"] == 0
    assert all(json.loads(Path(p).read_text())["id"] != cred["id"] for p in again["credentials"])
    assert len(again["credentials"]) == len(out["credentials"]) - 1
