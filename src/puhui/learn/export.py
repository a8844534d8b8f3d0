"""Offline export: a course as a static site that opens from a USB stick, no server, no network.

:func:`export_site` writes ``out/index.html`` (the course page in the first language),
``out/<lang>/index.html`` (the course page per language) and ``out/<lang>/<lesson-id>.html``
(the lesson, rendered from Markdown with raw HTML escaped, and its quiz as a plain form checked
by a small inline script: a self-check, so answers and feedback travel in the page as JSON).
Labs get ``out/<lang>/lab-<id>.html`` (their steps; the check itself runs with Puhui,
``puhui learn lab run``) and their data as ``out/labs/<id>-data.zip``.
Images are copied into ``out/images/``. Nothing in a page loads a resource from elsewhere: no
CDN, no web fonts, no remote images. The site is built in a temporary folder beside ``out`` and
renamed into place; ``out`` may be empty, missing or a previous export, nothing else.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.lang import is_right_to_left
from puhui.learn.course import Course, Question, Quiz, load_course
from puhui.learn.labs import Lab, course_folder
from puhui.learn.render import esc as _esc
from puhui.learn.render import markdown as _markdown

#: The file that marks a folder as written by :func:`export_site` (so it may be replaced).
MARKER = ".puhui-learn-export"
#: Every page must weigh less than this (bytes), as the hub's pages.
PAGE_LIMIT = 100_000

_CSS = """body{font:1rem/1.5 system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem;
color:#1a1a1a}nav{font-size:.9rem;margin-bottom:1rem}nav a{margin-inline-end:.6rem}
img{max-width:100%;height:auto}.note{background:#fff4d6;border:1px solid #e0b84c;padding:.5rem}
fieldset{margin:1rem 0;border:1px solid #bbb}.ok{color:#17632a}.no{color:#a11}
.feedback{font-weight:600}"""

# The self-check: reads the quiz JSON embedded in the page, grades as puhui.learn.quiz does.
_SCRIPT = """(function(){
var data=JSON.parse(document.getElementById('quiz-data').textContent);
var form=document.getElementById('quiz');
function norm(s){return s.normalize('NFC').toLowerCase().split(/\\s+/).filter(Boolean).join(' ');}
function checked(name){return Array.prototype.filter.call(form.elements[name]?
  form.querySelectorAll('[name="'+name+'"]'):[],function(e){return e.checked;})
  .map(function(e){return e.value;});}
function grade(q){var n='q-'+q.id,c=checked(n),v;
 if(q.type==='single'){if(c.length!==1)return[false,data.pick];var o=q.options[+c[0]];
  return[o.correct,o.feedback||(o.correct?data.right:data.wrong)];}
 if(q.type==='multiple'){if(!c.length)return[false,data.pickSome];
  var ok=q.options.every(function(o,i){return o.correct===(c.indexOf(String(i))>=0);});
  var fb=c.map(function(i){return q.options[+i].feedback;}).filter(Boolean).join(' ');
  return[ok,fb||(ok?data.right:data.wrong)];}
 if(q.type==='true_false'){v=c.length===1&&(c[0]==='true')===q.answer;}
 else if(q.type==='numeric'){var t=form.elements[n].value.trim().replace(',','.');
  var x=Number(t);if(t===''||!isFinite(x))return[false,data.number];
  v=Math.abs(x-q.answer)<=q.tolerance+1e-9*Math.max(1,Math.abs(q.answer));}
 else{v=q.accept.indexOf(norm(form.elements[n].value))>=0;}
 return[v,(v?q.right:q.wrong)||(v?data.right:data.wrong)];}
form.addEventListener('submit',function(ev){ev.preventDefault();var pts=0;
 data.questions.forEach(function(q){var r=grade(q),p=document.getElementById('fb-'+q.id);
  if(r[0])pts++;p.textContent=r[1];p.className='feedback '+(r[0]?'ok':'no');});
 var total=data.questions.length,s=document.getElementById('score');
 s.textContent=data.score.replace('{points}',pts).replace('{total}',total)+' '+
  (pts*100>=data.pass*total?data.passed:data.notPassed);});
})();"""


def _quiz_data(quiz: Quiz) -> dict[str, Any]:
    def question(q: Question) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": q.id, "type": q.type}
        if q.type in ("single", "multiple"):
            doc["options"] = [{"correct": o.correct, "feedback": o.feedback} for o in q.options]
        else:
            doc.update(right=q.feedback_correct, wrong=q.feedback_wrong)
        if q.type in ("true_false", "numeric"):
            doc["answer"] = q.answer
        if q.type == "numeric":
            doc["tolerance"] = q.tolerance
        if q.type == "short_text":  # as the script normalizes: NFC, lower case, spaces collapsed
            doc["accept"] = [
                " ".join(unicodedata.normalize("NFC", a).lower().split()) for a in q.accept
            ]
        return doc

    return {
        "questions": [question(q) for q in quiz.questions],
        "pass": quiz.pass_percent,
        "right": _("Correct."),
        "wrong": _("Not quite; try again."),
        "pick": _("Choose one of the options."),
        "pickSome": _("Choose one or more of the options."),
        "number": _("Give a number."),
        "score": _("{points} of {total} right."),
        "passed": _("Passed."),
        "notPassed": _("Not passed yet."),
    }


def _quiz_html(quiz: Quiz) -> str:
    parts = [f"<section><h2>{_esc(quiz.title)}</h2>", '<form id="quiz" action="#">']
    for q in quiz.questions:
        name = f"q-{q.id}"
        parts.append(f'<fieldset id="{_esc(name)}"><legend>{_esc(q.prompt)}</legend>')
        if q.type in ("single", "multiple"):
            kind = "radio" if q.type == "single" else "checkbox"
            for i, o in enumerate(q.options):
                parts.append(
                    f'<label><input type="{kind}" name="{_esc(name)}" value="{i}"> '
                    f"{_esc(o.text)}</label><br>"
                )
        elif q.type == "true_false":
            for value, label in (("true", _("True")), ("false", _("False"))):
                parts.append(
                    f'<label><input type="radio" name="{_esc(name)}" value="{value}"> '
                    f"{_esc(label)}</label><br>"
                )
        else:
            mode = ' inputmode="decimal"' if q.type == "numeric" else ""
            parts.append(
                f"<label>{_esc(_('Your answer'))} "
                f'<input type="text" name="{_esc(name)}"{mode}></label>'
            )
        parts.append(f'<p class="feedback" id="fb-{_esc(q.id)}" aria-live="polite"></p>')
        parts.append("</fieldset>")
    parts.append(f'<button type="submit">{_esc(_("Check my answers"))}</button>')
    parts.append('<p id="score" aria-live="polite"></p></form>')
    parts.append(
        "<noscript><p>"
        + _esc(_("Checking answers in this page needs JavaScript."))
        + "</p></noscript>"
    )
    data = json.dumps(_quiz_data(quiz), ensure_ascii=False).replace("<", "\\u003c")
    parts.append(f'<script type="application/json" id="quiz-data">{data}</script>')
    parts.append(f"<script>{_SCRIPT}</script></section>")
    return "\n".join(parts)


def _page(lang: str, title: str, body: str) -> str:
    direction = ' dir="rtl"' if is_right_to_left(lang) else ""
    return (
        f'<!doctype html>\n<html lang="{_esc(lang)}"{direction}>\n<head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style></head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def _switcher(course: Course, current: str, target: str, prefix: str) -> str:
    """Links to ``target`` (a file name under <lang>/) in every language of the course."""
    links = []
    for lang in course.languages:
        label = _esc(lang)
        if lang == current:
            links.append(f'<strong lang="{label}">{label}</strong>')
        else:
            links.append(f'<a href="{prefix}{label}/{target}" hreflang="{label}">{label}</a>')
    return f'<nav aria-label="{_esc(_("Languages"))}">' + " ".join(links) + "</nav>"


def _course_page(course: Course, lang: str, prefix: str) -> str:
    """The course page in ``lang``; ``prefix`` leads from the page to out/ ("" or "../")."""
    title = course.text(course.title, lang)
    body = [_switcher(course, lang, "index.html", prefix), f"<h1>{_esc(title)}</h1>"]
    summary = course.text(course.summary, lang)
    if summary:
        body.append(f"<p>{_esc(summary)}</p>")
    outcomes = course.outcomes.get(lang) or course.outcomes.get(course.first_language) or ()
    if outcomes:
        body.append(f"<h2>{_esc(_('What you will learn'))}</h2><ul>")
        body.extend(f"<li>{_esc(o)}</li>" for o in outcomes)
        body.append("</ul>")
    body.append(f"<h2>{_esc(_('Lessons'))}</h2><ol>")
    for ref in course.lesson_refs:
        shown = course.lesson(ref.id, lang)
        note = f" <small>({_esc(shown.lang)})</small>" if shown.fallback_from else ""
        minutes = _("{n} min").format(n=ref.minutes)
        body.append(
            f'<li><a href="{prefix}{_esc(lang)}/{_esc(ref.id)}.html">'
            f"{_esc(shown.item.title)}</a> <small>{_esc(minutes)}</small>{note}</li>"
        )
    body.append("</ol>")
    if course.labs:
        body.append(f"<h2>{_esc(_('Labs'))}</h2><ul>")
        for lab in course.labs:
            shown_lab = course.lab(lab.id, lang)
            minutes = _("{n} min").format(n=lab.minutes)
            body.append(
                f'<li><a href="{prefix}{_esc(lang)}/lab-{_esc(lab.id)}.html">'
                f"{_esc(shown_lab.item.title)}</a> <small>{_esc(minutes)}</small></li>"
            )
        body.append("</ul>")
    licence = _("Licence: {license}. Version {version}.").format(
        license=course.license, version=course.version
    )
    body.append(f"<footer><small>{_esc(licence)}</small></footer>")
    return _page(lang, title, "\n".join(body))


def _lesson_page(course: Course, md: MarkdownIt, index: int, lang: str) -> str:
    ref = course.lesson_refs[index]
    shown = course.lesson(ref.id, lang)
    lesson = shown.item
    nav = [f'<a href="index.html">{_esc(course.text(course.title, lang))}</a>']
    if index > 0:
        prev = course.lesson_refs[index - 1].id
        nav.append(f'<a href="{_esc(prev)}.html" rel="prev">{_esc(_("Previous"))}</a>')
    if index + 1 < len(course.lesson_refs):
        nxt = course.lesson_refs[index + 1].id
        nav.append(f'<a href="{_esc(nxt)}.html" rel="next">{_esc(_("Next"))}</a>')
    body = [
        "<nav>" + " ".join(nav) + "</nav>",
        _switcher(course, lang, f"{ref.id}.html", "../"),
    ]
    article_lang = ""
    if shown.note:
        body.append(f'<p class="note" role="note">{_esc(shown.note)}</p>')
        direction = ' dir="rtl"' if is_right_to_left(shown.lang) else ' dir="ltr"'
        article_lang = f' lang="{_esc(shown.lang)}"{direction}'
    body.append(f"<article{article_lang}>{md.render(lesson.body)}</article>")
    quiz = course.quiz(ref.id, lang)
    if quiz is not None:
        body.append(_quiz_html(quiz.item))
    return _page(lang, lesson.title, "\n".join(body))


def _lab_page(course: Course, md: MarkdownIt, lab: Lab, lang: str) -> str:
    """A lab's steps; the check needs Puhui on the learner's computer (`puhui learn lab run`),
    so the page says how to run it, and links the lab's data as a zip."""
    shown = course.lab(lab.id, lang)
    text = shown.item
    body = [
        f'<nav><a href="index.html">{_esc(course.text(course.title, lang))}</a></nav>',
        _switcher(course, lang, f"lab-{lab.id}.html", "../"),
    ]
    article_lang = ""
    if shown.note:
        body.append(f'<p class="note" role="note">{_esc(shown.note)}</p>')
        direction = ' dir="rtl"' if is_right_to_left(shown.lang) else ' dir="ltr"'
        article_lang = f' lang="{_esc(shown.lang)}"{direction}'
    body.append(f"<article{article_lang}><h1>{_esc(text.title)}</h1>{md.render(text.body)}")
    if text.question:
        body.append(f"<p><strong>{_esc(text.question)}</strong></p>")
    body.append("</article>")
    if lab.data is not None:
        body.append(
            f'<p><a href="../labs/{_esc(lab.id)}-data.zip" download>'
            f"{_esc(_('Download the data this lab starts from (zip)'))}</a></p>"
        )
    command = f"puhui learn lab run {course.id} {lab.id} …"
    body.append(
        "<p>"
        + _esc(_("Check your work on a computer with Puhui: {command}")).format(
            command=f"<code>{_esc(command)}</code>"
        )
        + "</p>"
    )
    return _page(lang, text.title, "\n".join(body))


def _zip_folder(folder: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            hidden = any(part.startswith(".") for part in rel.parts)
            if path.is_file() and not path.is_symlink() and not hidden:
                zf.write(path, rel.as_posix())


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PuhuiError(
            _("{o}: exists and is not a folder").format(o=out), _("choose another `out` folder")
        )
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise PuhuiError(
            _("{o}: folder is not empty and is not a previous export").format(o=out),
            _("choose another `out` folder"),
        )


def _write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if len(data) >= PAGE_LIMIT:
        raise PuhuiError(
            _("{p}: page weighs {n} bytes, over the limit of {limit}").format(
                p=path.name, n=len(data), limit=PAGE_LIMIT
            ),
            _("split the lesson or its quiz"),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def export_site(course: Path | str, out: Path | str) -> Path:
    """Write ``course`` (a bundled course id or a course folder) as a static site in ``out``;
    return ``out``. Refuses a non-empty ``out`` that is not a previous export."""
    folder = course_folder(course)
    out = Path(out)
    _check_out(out)
    loaded = load_course(folder)
    md = _markdown()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        _write(tmp / "index.html", _course_page(loaded, loaded.first_language, ""))
        for lang in loaded.languages:
            _write(tmp / lang / "index.html", _course_page(loaded, lang, "../"))
            for i, ref in enumerate(loaded.lesson_refs):
                _write(tmp / lang / f"{ref.id}.html", _lesson_page(loaded, md, i, lang))
            for lab in loaded.labs:
                _write(tmp / lang / f"lab-{lab.id}.html", _lab_page(loaded, md, lab, lang))
        for lab in loaded.labs:
            if lab.data is not None:
                _zip_folder(lab.data, tmp / "labs" / f"{lab.id}-data.zip")
        images = folder / "images"
        if images.is_dir():
            (tmp / "images").mkdir()
            for image in sorted(images.iterdir()):
                if image.is_file() and not image.name.startswith("."):
                    (tmp / "images" / image.name).write_bytes(loaded.image(image.name))
        marker = {"course": loaded.id, "version": loaded.version}
        (tmp / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        tmp.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise
    return out
