"""The hub's learn pages on a real `puhui hub serve`: both bundled courses packed with
`puhui learn pack` and published with `puhui hub publish`, then read, quizzed (graded on the
server) and tracked, over plain HTTP with no JavaScript, in Swahili and Arabic.

Browser runs of the same (JavaScript on and off) are in test_hub_learn_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_hub_e2e import _wait

from puhui.learn import bundled_dir, load_course

from conftest import free_port

pytestmark = pytest.mark.slow  # starts a real hub

PASSWORD = "puhui-test-pass-7391"
PAGE_LIMIT = 100_000
AFE = "/learn/acme/ai-for-everyone/"


@dataclass
class LearnHub:
    url: str
    env: dict[str, str]
    tmp: Path
    token: str = ""

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "puhui", *args],
            capture_output=True,
            text=True,
            env=self.env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            timeout=180,
        )

    def publish(self, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.cli(
            "hub", "publish", str(path), "--url", self.url, "--token", self.token, "--json",
            *extra,
        )  # fmt: skip


@pytest.fixture(scope="module")
def learn_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LearnHub]:
    tmp = tmp_path_factory.mktemp("learnhub")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp / "home"), COLUMNS="200")
    port = free_port()
    h = LearnHub(url=f"http://127.0.0.1:{port}", env=env, tmp=tmp)
    assert h.cli("hub", "init").returncode == 0
    proc = h.cli(
        "hub", "createuser", "amina", "--org", "acme", "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = h.cli("hub", "token", "new", "amina", "--scope", "publish", "--org", "acme")
    h.token = proc.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait(h.url, server)
        for course in ("ai-for-everyone", "testing-ai"):
            packed = tmp / f"{course}-packed"
            proc = h.cli("learn", "pack", course, "--out", str(packed))
            assert proc.returncode == 0, proc.stderr
            proc = h.publish(packed)
            assert proc.returncode == 0, proc.stderr
        yield h
    finally:
        server.terminate()
        server.wait(timeout=30)


def _csrf(page: str) -> str:
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert m, page[:300]
    return m.group(1)


def _answers(quiz: Any, right: bool) -> dict[str, Any]:
    """Form fields answering every question of ``quiz`` all right or all wrong."""
    data: dict[str, Any] = {}
    for q in quiz.questions:
        field = f"q-{q.id}"
        if q.type == "single":
            good = next(i for i, o in enumerate(q.options) if o.correct)
            bad = next(i for i, o in enumerate(q.options) if not o.correct)
            data[field] = str(good if right else bad)
        elif q.type == "multiple":
            goods = [str(i) for i, o in enumerate(q.options) if o.correct]
            # a wrong set: every option (a question has at least one wrong option)
            data[field] = goods if right else [str(i) for i in range(len(q.options))]
        elif q.type == "true_false":
            data[field] = str(q.answer if right else not q.answer).lower()
        elif q.type == "numeric":
            data[field] = str(q.answer if right else float(q.answer or 0) + 1000)
        else:
            data[field] = q.accept[0] if right else "no idea at all"
    return data


def test_catalogue_lists_both_courses_in_swahili(learn_hub: LearnHub) -> None:
    page = httpx.get(learn_hub.url + "/sw/learn/")
    assert page.status_code == 200
    assert '<html lang="sw" dir="ltr">' in page.text
    assert "AI kwa kila mtu" in page.text  # the course's Swahili title
    assert "/learn/acme/testing-ai/" in page.text
    assert len(page.content) < PAGE_LIMIT


def test_a_learner_reads_and_takes_a_quiz_in_swahili(learn_hub: LearnHub) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    lesson = course.lesson_refs[1].id
    quiz = course.quiz(lesson, "sw")
    assert quiz is not None and quiz.lang == "sw"
    client = httpx.Client(base_url=learn_hub.url)
    start = client.get("/sw" + AFE)
    assert start.status_code == 200
    assert "✓" not in start.text  # nothing done yet in this browser
    page = client.get(f"/sw{AFE}{lesson}/")
    assert page.status_code == 200
    assert course.lesson(lesson, "sw").item.title in page.text
    assert "<script" not in page.text  # nothing needs JavaScript
    # wrong answers: feedback per question, not passed
    data = {"csrfmiddlewaretoken": _csrf(page.text), **_answers(quiz.item, right=False)}
    wrong = client.post(f"/sw{AFE}{lesson}/", data=data)
    assert wrong.status_code == 200
    assert wrong.text.count('class="feedback bad"') == len(quiz.item.questions)
    first = quiz.item.questions[0]
    if first.type == "single":
        chosen = first.options[int(data[f"q-{first.id}"])]
        assert chosen.feedback and chosen.feedback.replace("'", "&#x27;") in wrong.text
    # right answers: all correct, passed
    data = {"csrfmiddlewaretoken": _csrf(wrong.text), **_answers(quiz.item, right=True)}
    right = client.post(f"/sw{AFE}{lesson}/", data=data)
    assert right.text.count('class="feedback ok"') == len(quiz.item.questions)
    assert 'id="score" class="ok"' in right.text
    # progress: kept in the session of this browser, shown on the course page
    after = client.get("/sw" + AFE)
    assert "✓" in after.text
    other = httpx.get(learn_hub.url + "/sw" + AFE)  # another browser: nothing done
    assert "✓" not in other.text


def test_arabic_pages_are_right_to_left(learn_hub: LearnHub) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    page = httpx.get(learn_hub.url + "/ar" + AFE)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    lesson = course.lesson_refs[0].id
    page = httpx.get(f"{learn_hub.url}/ar{AFE}{lesson}/")
    assert '<article lang="ar" dir="rtl">' in page.text
    assert course.lesson(lesson, "ar").item.title in page.text


def test_a_missing_translation_falls_back_with_a_note(learn_hub: LearnHub) -> None:
    # testing-ai is written in English first; its Swahili pages show English with a note
    course = load_course(bundled_dir() / "testing-ai")
    lesson = course.lesson_refs[0].id
    shown = course.lesson(lesson, "sw")
    page = httpx.get(f"{learn_hub.url}/sw/learn/acme/testing-ai/{lesson}/")
    assert page.status_code == 200
    if shown.fallback_from:
        assert 'role="note"' in page.text
        assert f'<article lang="{shown.lang}" dir="ltr">' in page.text


def test_progress_of_a_signed_in_learner_is_kept_on_the_hub(learn_hub: LearnHub) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    lesson = course.lesson_refs[0].id
    quiz = course.quiz(lesson, "en")
    assert quiz is not None
    client = httpx.Client(base_url=learn_hub.url)
    # read before signing in: adopted into the account at sign-in
    page = client.get(f"{AFE}{lesson}/")
    signin = client.get("/signin/")
    resp = client.post(
        "/signin/",
        data={"username": "amina", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(signin.text)},
    )
    assert resp.status_code == 302
    page = client.get(f"{AFE}{lesson}/")
    data = {"csrfmiddlewaretoken": _csrf(page.text), **_answers(quiz.item, right=True)}
    client.post(f"{AFE}{lesson}/", data=data)
    again = httpx.Client(base_url=learn_hub.url)  # a new browser, same account
    signin = again.get("/signin/")
    again.post(
        "/signin/",
        data={"username": "amina", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(signin.text)},
    )
    course_page = again.get(AFE)
    assert "✓" in course_page.text


def test_every_learn_page_is_small(learn_hub: LearnHub) -> None:
    for course_id in ("ai-for-everyone", "testing-ai"):
        course = load_course(bundled_dir() / course_id)
        for prefix in ("", "/sw", "/ar"):
            base = f"{learn_hub.url}{prefix}/learn/acme/{course_id}/"
            pages = [base] + [f"{base}{ref.id}/" for ref in course.lesson_refs]
            for url in pages:
                resp = httpx.get(url)
                assert resp.status_code == 200, url
                assert len(resp.content) < PAGE_LIMIT, url


def test_images_are_served_sandboxed(learn_hub: LearnHub) -> None:
    resp = httpx.get(learn_hub.url + AFE + "images/what-is-ai.svg")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in resp.headers["content-security-policy"]
    assert httpx.get(learn_hub.url + AFE + "images/..%2Fcourse.yaml").status_code == 404
    assert httpx.get(learn_hub.url + AFE + "images/nothing.svg").status_code == 404


def test_courses_are_items_searchable_and_in_dcat(learn_hub: LearnHub) -> None:
    course = load_course(bundled_dir() / "ai-for-everyone")
    title = course.lesson(course.lesson_refs[3].id, "en").item.title
    found = httpx.get(learn_hub.url + "/api/v1/items", params={"q": title, "kind": "course"})
    assert found.status_code == 200, found.text
    names = [i["name"] for i in found.json()["items"]]
    assert "ai-for-everyone" in names
    dcat = httpx.get(learn_hub.url + "/api/v1/catalog.jsonld").text
    assert "urn:puhui:course:acme/ai-for-everyone@1" in dcat
    # a new version publishes as version 2 and the learn page follows it
    packed = learn_hub.tmp / "afe-v2"
    proc = learn_hub.cli("learn", "pack", "ai-for-everyone", "--out", str(packed))
    assert proc.returncode == 0
    assert json.loads(learn_hub.publish(packed).stdout)["version"] == "1"  # same content: same


def test_a_broken_course_is_refused_in_one_line(learn_hub: LearnHub, tmp_path: Path) -> None:
    packed = learn_hub.tmp / "ai-for-everyone-packed"
    broken = tmp_path / "broken"
    import shutil

    shutil.copytree(packed, broken)
    quiz = next((broken / "quizzes").glob("01-*.en.yaml"))
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n  - : [\n", encoding="utf-8")
    from puhui.artifacts import write_manifest

    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    write_manifest(broken, "course", parameters=manifest["provenance"]["parameters"])
    proc = learn_hub.publish(broken, "--name", "broken-course")
    assert proc.returncode != 0
    line = proc.stderr.strip()
    assert "does not validate" in line and "quizzes/01-" in line, line
    assert len(line.splitlines()) == 1


def _zip_folder(folder: Path, out: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(out, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return out


def test_a_lab_is_checked_in_the_hub_from_an_uploaded_zip(
    learn_hub: LearnHub, tmp_path: Path
) -> None:
    import io
    import zipfile

    base = "/learn/acme/testing-ai/labs/redact-a-corpus/"
    client = httpx.Client(base_url=learn_hub.url)
    page = client.get(base)
    assert page.status_code == 200
    assert len(page.content) < PAGE_LIMIT
    data = client.get(base + "data.zip")
    assert data.headers["content-type"] == "application/zip"
    lab = tmp_path / "my-lab"
    zipfile.ZipFile(io.BytesIO(data.content)).extractall(lab)
    corpus = tmp_path / "my-corpus"
    proc = learn_hub.cli("corpus", "build", str(lab), "--out", str(corpus))
    assert proc.returncode == 0, proc.stderr
    phones = json.loads((corpus / "audit.json").read_text(encoding="utf-8"))["pii"]["by_type"]
    handed = _zip_folder(corpus, tmp_path / "my-corpus.zip")

    def hand_in(answer: str, path: Path = handed) -> httpx.Response:
        form = client.get(base)
        with path.open("rb") as f:
            return client.post(
                base,
                data={"csrfmiddlewaretoken": _csrf(form.text), "answer": answer},
                files={"handed_in": (path.name, f, "application/zip")},
            )

    wrong = hand_in(str(phones["PHONE"] + 3))
    assert wrong.status_code == 200
    assert 'id="verdict" class="bad"' in wrong.text
    right = hand_in(str(phones["PHONE"]))
    assert 'id="verdict" class="ok"' in right.text, right.text[-3000:]
    assert "✗" not in right.text
    course = client.get("/learn/acme/testing-ai/")
    assert "✓" in course.text  # the lab is marked passed
    # not a zip: one clear sentence, no traceback
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file")
    bad = hand_in("3", junk)
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text and "Traceback" not in bad.text
    statements = client.get("/learn/my/xapi.json").json()
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in statements}
    assert "passed" in verbs
    assert all(s["object"]["id"].startswith(learn_hub.url) for s in statements)


def test_learn_serve_runs_a_classroom_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUHUI_")}
    env.update(PUHUI_HOME=str(tmp_path / "home"), COLUMNS="200")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "puhui", "learn", "serve", "ai-for-everyone",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, server)
        page = httpx.get(url + "/sw/learn/")
        assert "AI kwa kila mtu" in page.text
        assert "/learn/classroom/ai-for-everyone/" in page.text
        assert "testing-ai" not in page.text  # only the course asked for
        lesson = httpx.get(url + "/learn/classroom/ai-for-everyone/01-what-is-ai/")
        assert lesson.status_code == 200
        password = tmp_path / "home" / "classroom" / "teacher-password.txt"
        assert password.stat().st_mode & 0o077 == 0  # the teacher's password: owner only
    finally:
        server.terminate()
        out, _err = server.communicate(timeout=30)
    assert f"Learners open http://127.0.0.1:{port}/learn/" in out
