"""Hub load benchmark: search latency at 100k items and item pages under concurrent load.

Fills a hub database with realistic items (six kinds, multilingual names and descriptions in
several scripts, BCP-47 languages, sectors, countries, risk areas CR-01..CR-18, a mix of
public / organization / private visibility across a few organizations), then measures:

1. search latency, per query type, as an anonymous caller and as a member of two
   organizations: the in-process :func:`puhui.hub.catalog.search.search` call and the
   end-to-end ``GET /search/?q=...`` page from a running ``puhui hub serve`` on 127.0.0.1;
2. item pages under load: K keep-alive clients (threads, httpx) on random public item pages
   for a few seconds per level; requests/s, p50/p95, errors (anything but 200).

Usage (from the repository root, with the venv)::

    python bench/hub_load.py fill --db sqlite --items 100000
    python bench/hub_load.py run  --db sqlite
    python bench/hub_load.py fill --db postgres --items 100000 --pg-url postgresql://...
    python bench/hub_load.py run  --db postgres --pg-url postgresql://...
    python bench/hub_load.py all  --pg-url postgresql://...   # fill + run on both

``fill`` empties the database first (SQLite: deletes the file; PostgreSQL: drops the public
schema of the database named in ``--pg-url``, so point it at a throwaway database). Items are
written with ``bulk_create`` with the same ``search_text`` the publish path computes
(:func:`search.text_of`) and facet terms; the SQLite FTS5 table is then filled with the very
statement migration 0005 uses (rowid = item id, text = search_text, facets = facet_terms), the
PostgreSQL GIN index on the stored tsvector column maintains itself. Nothing here asserts
timings; it prints tables.

One file (~810 lines) on purpose: a benchmark is a script a reader runs and reads top to
bottom (setup, the tools side by side, the report), and splitting it would scatter that story.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = Path(os.environ.get("TMPDIR", "/tmp")) / "puhui-hub-bench"
DEFAULT_PG = os.environ.get("PUHUI_BENCH_PG_URL", "postgresql://puhui@127.0.0.1:55433/puhui_bench")
PASSWORD = "bench-pass-5813-hub"
SEED = 20240611

# --------------------------------------------------------------------------- vocabulary


def _w(text: str) -> list[str]:
    return text.split()


WORDS: dict[str, list[str]] = {
    "en": _w(
        """data speech health clinic maternal farm crop weather rainfall school reading literacy
        translation benchmark toxicity fairness bias hate misinformation election finance loan
        credit mobile money radio news court legal contract police border migration refugee
        vaccine malaria tuberculosis nutrition water sanitation climate flood drought energy
        solar transport road market price customer survey census"""
    ),
    "fr": _w(
        """données santé école lecture traduction équité biais élection marché prix agriculture
        météo pluie sécheresse énergie transport justice tribunal contrat réfugiés vaccin
        paludisme nutrition eau assainissement climat inondation enquête recensement crédit
        banque téléphonie radio journal discours évaluation modèle"""
    ),
    "es": _w(
        """datos salud escuela lectura traducción equidad sesgo elección mercado precio agricultura
        clima lluvia sequía energía transporte justicia tribunal contrato migración vacuna
        nutrición agua saneamiento inundación encuesta censo crédito banco noticias discurso
        evaluación modelo ciudadanía"""
    ),
    "pt": _w(
        """dados saúde escola leitura tradução equidade viés eleição mercado preço agricultura
        chuva seca energia transporte justiça tribunal contrato migração vacina nutrição água
        saneamento enchente pesquisa censo crédito banco notícias avaliação modelo cidadania
        educação"""
    ),
    "sw": _w(
        """takwimu afya shule kusoma tafsiri haki upendeleo uchaguzi soko bei kilimo hali ya hewa
        mvua ukame nishati usafiri mahakama mkataba wakimbizi chanjo malaria lishe maji usafi
        tabianchi mafuriko utafiti sensa mkopo benki habari hotuba tathmini mfano wakulima
        wanafunzi hospitali"""
    ),
    "yo": _w(
        """àkọsílẹ̀ ìlera ilé-ìwé kíkà ìtumọ̀ ìdájọ́ ìdìbò ọjà iye iṣẹ́-àgbẹ̀ òjò agbára ìrìnàjò
        ilé-ẹjọ́ àjẹsára omi ìròyìn ìwádìí àwòṣe"""
    ),
    "ha": _w(
        """bayanai lafiya makaranta karatu fassara adalci zabe kasuwa farashi noma ruwan sama
        makamashi sufuri kotu rigakafi zazzabin cizon sauro ruwa labarai bincike samfuri manoma"""
    ),
    "am": _w(
        """መረጃ ጤና ትምህርት ቤት ንባብ ትርጉም ፍትህ ምርጫ ገበያ ዋጋ ግብርና ዝናብ ድርቅ ኃይል ትራንስፖርት ፍርድ ቤት ክትባት ወባ ውሃ ዜና
        ጥናት ሞዴል አርሶ አደሮች"""
    ),
    "ar": _w(
        """بيانات صحة مدرسة قراءة ترجمة عدالة تحيز انتخابات سوق سعر زراعة طقس أمطار جفاف طاقة نقل
        محكمة عقد لاجئين لقاح ملاريا تغذية مياه مناخ فيضان مسح تعداد ائتمان بنك أخبار خطاب تقييم
        نموذج"""
    ),
    "zh": _w(
        """数据 健康 学校 阅读 翻译 公平 偏见 选举 市场 价格 农业 天气 降雨 干旱 能源 交通
        法院 合同 移民 疫苗 营养 水 气候 洪水 调查 人口普查 信贷 银行 新闻 评估 模型"""
    ),
    "hi": _w(
        """डेटा स्वास्थ्य विद्यालय पढ़ना अनुवाद न्याय पक्षपात चुनाव बाज़ार कीमत कृषि मौसम वर्षा
        सूखा ऊर्जा परिवहन अदालत अनुबंध टीका पोषण पानी जलवायु बाढ़ सर्वेक्षण जनगणना ऋण बैंक
        समाचार मूल्यांकन मॉडल किसान"""
    ),
    "bn": _w(
        """তথ্য স্বাস্থ্য বিদ্যালয় পড়া অনুবাদ ন্যায় নির্বাচন বাজার দাম কৃষি বৃষ্টি খরা শক্তি
        পরিবহন আদালত টিকা পুষ্টি পানি জলবায়ু বন্যা জরিপ ঋণ সংবাদ মূল্যায়ন"""
    ),
    "ru": _w(
        """данные здоровье школа чтение перевод справедливость предвзятость выборы рынок цена
        сельское хозяйство погода засуха энергия транспорт суд договор вакцина питание вода
        климат наводнение опрос перепись кредит банк новости оценка"""
    ),
    "id": _w(
        """data kesehatan sekolah membaca terjemahan keadilan bias pemilu pasar harga pertanian
        cuaca hujan kekeringan energi transportasi pengadilan kontrak vaksin gizi air iklim
        banjir survei sensus kredit bank berita evaluasi petani"""
    ),
    "vi": _w(
        """dữ liệu sức khỏe trường học đọc dịch thuật công bằng thiên vị bầu cử chợ giá nông nghiệp
        thời tiết mưa hạn hán năng lượng giao thông tòa án hợp đồng vắc xin dinh dưỡng nước khí
        hậu lũ lụt khảo sát"""
    ),
}
SCRIPT_LANGS = list(WORDS)
# BCP-47 tags as a catalog of African, Asian and Latin American work would carry them
BCP47 = _w(
    """en en-KE en-NG en-ZA en-IN fr fr-SN fr-CI fr-CD es es-MX es-CO es-PE pt pt-BR pt-MZ pt-AO sw
    sw-KE sw-TZ yo ha ig am om ti so rw lg ln wo zu xh af ar ar-EG ar-MA ar-SA ar-SD zh-Hans
    zh-Hant hi bn ur ta te mr ne si id ms fil vi th km my ru uk tr fa ps qu ay gn ht ff-Latn bm mg
    ny sn st tn ts"""
)
LANG_WEIGHTS = [1.0 / (i + 1) ** 0.6 for i in range(len(BCP47))]
SECTORS = _w(
    """health agriculture education finance government justice media telecom energy transport
    humanitarian water"""
)
COUNTRIES = _w(
    """KE NG ZA GH ET TZ UG RW SN CI CM CD EG MA TN DZ SD MZ AO ZW ZM MW BW NA IN BD PK LK NP ID PH
    VN TH MY KH MM BR MX CO PE CL AR BO EC GT HT FR ES PT CN RU TR"""
)
RISK_AREAS = [f"CR-{i:02d}" for i in range(1, 19)]
KINDS = [
    ("dataset", 30),
    ("run", 35),
    ("assessment", 12),
    ("certificate", 8),
    ("model", 10),
    ("suite", 5),
]
ORGS = [
    ("masakhane", "Masakhane NLP", "ZA"),
    ("makerere-ai", "Makerere AI Lab", "UG"),
    ("knbs", "Kenya National Bureau of Statistics", "KE"),
    ("inria-afr", "Inria Afrique", "SN"),
    ("iisc-nlp", "IISc Language Lab", "IN"),
    ("uchile-dcc", "Universidad de Chile DCC", "CL"),
    ("tsinghua-aiir", "清华大学 AIIR", "CN"),
    ("kaust-ai", "KAUST AI Initiative", "SA"),
]
# the bench's signed-in caller: member of the first two organizations (of eight)
MEMBER = ("bench-member", [("masakhane", "member"), ("makerere-ai", "member")])
PUBLISHERS = [("pub-" + slug, [(slug, "member")]) for slug, _n, _c in ORGS]
ADMINS = [("adm-" + slug, [(slug, "admin")]) for slug, _n, _c in ORGS]

# Zipf-ish word choice: a few words are very common, most are rare
_WEIGHTS = {lang: [1.0 / (i + 1) for i in range(len(ws))] for lang, ws in WORDS.items()}


def words(rng: random.Random, lang: str, n: int) -> list[str]:
    return rng.choices(WORDS[lang], weights=_WEIGHTS[lang], k=n)


def slug(text: str) -> str:
    s = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")
    return s[:80] or "item"


# --------------------------------------------------------------------------- environment


def db_url(db: str, home: Path, pg_url: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{home / 'hub.sqlite3'}"
    if db == "postgres":
        return pg_url
    raise SystemExit(f"--db must be sqlite or postgres, not {db!r}")


def home_of(args: argparse.Namespace) -> Path:
    return Path(args.home) / args.db


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    home = home_of(args)
    env = dict(os.environ)
    env["PUHUI_HOME"] = str(home)
    env["PUHUI_HUB_DATABASE_URL"] = db_url(args.db, home, args.pg_url)
    env["PUHUI_HUB_SECRET_KEY"] = "bench-secret-key-" + "x" * 40
    env["PUHUI_HUB_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return env


def django_setup(args: argparse.Namespace) -> None:
    os.environ.update(bench_env(args))
    from puhui import hub

    hub.setup()


# --------------------------------------------------------------------------- fill


def make_text(rng: random.Random, lang: str, n: int) -> str:
    sep = "" if lang == "zh" else " "
    return sep.join(words(rng, lang, n))


def item_metadata(rng: random.Random, kind: str, langs: list[str]) -> dict[str, Any]:
    if kind == "run":
        return {
            "run": {"model": rng.choice(["gpt-x", "aya-23", "llama-3-8b", "jais-13b"])},
            "results": [
                {
                    "metric": m,
                    "value": round(rng.random(), 3),
                    "per_language": [
                        {"language": lg, "value": round(rng.random(), 3)} for lg in langs
                    ],
                }
                for m in rng.sample(["accuracy", "f1", "toxicity_rate", "refusal_rate"], 2)
            ],
        }
    if kind == "dataset":
        return {
            "audit_languages": [
                {"language": lg, "documents": rng.randint(100, 500_000)} for lg in langs
            ],
            "audit_totals": {"documents": rng.randint(1000, 2_000_000)},
        }
    return {}


def fill(args: argparse.Namespace) -> None:
    home = home_of(args)
    if args.db == "sqlite" and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    django_setup(args)
    from django.db import connection, transaction

    if args.db == "postgres":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    from puhui import hub

    t0 = time.perf_counter()
    hub.migrate()
    from django.contrib.auth import get_user_model

    from puhui.hub.catalog import search
    from puhui.hub.catalog.models import Item, ItemFile, Lineage, Membership, Organization

    rng = random.Random(SEED)
    now = datetime.now(UTC)
    orgs = {
        s: Organization.objects.create(slug=s, name=n, country=c, created=now - timedelta(days=800))
        for s, n, c in ORGS
    }
    User = get_user_model()
    users = {}
    from django.contrib.auth.hashers import make_password

    hashed = make_password(PASSWORD)  # argon2 once, not once per user
    for name, roles in [MEMBER, *PUBLISHERS, *ADMINS]:
        u = User.objects.create(username=name, password=hashed)
        users[name] = u
        for s, role in roles:
            Membership.objects.create(user=u, org=orgs[s], role=role)
    org_list = list(orgs.values())
    org_weights = [8, 6, 5, 4, 4, 3, 3, 2]
    kinds = [k for k, _w in KINDS]
    kind_w = [w for _k, w in KINDS]
    n = args.items
    batch = 2000
    made = 0
    series: list[tuple[Any, str, str, str]] = []  # (org, kind, name, lang) of earlier items
    dataset_ids: list[int] = []
    n_tags = 0  # facet values other than kind
    with transaction.atomic():
        while made < n:
            chunk = []
            for i in range(made, min(n, made + batch)):
                if series and rng.random() < 0.25:  # a new version of an existing series
                    org, kind, name, lang = rng.choice(series[-5000:])
                else:
                    org = rng.choices(org_list, weights=org_weights)[0]
                    kind = rng.choices(kinds, weights=kind_w)[0]
                    lang = rng.choice(SCRIPT_LANGS)
                    title_words = make_text(rng, lang, rng.randint(2, 5))
                    name = slug(f"{title_words} {rng.choice(WORDS['en'])}")[:80] + f"-{i:x}"
                    series.append((org, kind, name, lang))
                version = f"{1 + i // 40000}.{i % 97}.{i}"
                second = rng.choice(SCRIPT_LANGS)
                title = name.rsplit("-", 1)[0].replace("-", " ") + " " + make_text(rng, second, 2)
                description = (
                    make_text(rng, lang, rng.randint(15, 45))
                    + ". "
                    + make_text(rng, second, rng.randint(5, 20))
                    + ". "
                    + make_text(rng, "en", rng.randint(3, 12))
                    + "."
                )
                langs = sorted(set(rng.choices(BCP47, weights=LANG_WEIGHTS, k=rng.randint(1, 4))))
                countries = sorted(set(rng.choices(COUNTRIES, k=rng.randint(1, 3))))
                risks = sorted(set(rng.choices(RISK_AREAS, k=rng.randint(0, 4))))
                sector = rng.choice(SECTORS) if rng.random() < 0.9 else ""
                vis = rng.choices(["public", "organization", "private"], weights=[80, 15, 5])[0]
                publisher = users["pub-" + org.slug]
                item = Item(
                    kind=kind,
                    name=name,
                    version=version,
                    urn=Item.make_urn(kind, org.slug, name, version),
                    org=org,
                    created_by=publisher,
                    title=title[:300],
                    description=description,
                    visibility=vis,
                    languages=langs,
                    sector=sector,
                    countries=countries,
                    risk_areas=risks,
                    metadata=item_metadata(rng, kind, langs),
                    manifest_id=f"{kind}-{i:08x}",
                    content_sha256=f"{rng.getrandbits(256):064x}",
                    size=rng.randint(1_000, 5_000_000_000),
                    created=now - timedelta(seconds=rng.randint(0, 730 * 86400)),
                )
                item.search_text = search.text_of(item)  # what publish() stores
                item.facet_terms = search.facet_terms_of(item)
                n_tags += len(search.tags_of(item))
                chunk.append(item)
            Item.objects.bulk_create(chunk)
            files = []
            lineage = []
            for it in chunk:
                files.append(
                    ItemFile(item=it, path="manifest.json", sha256=f"{rng.getrandbits(256):064x}",
                             size=rng.randint(500, 5000), media_type="application/json")
                )  # fmt: skip
                if it.kind == "dataset":
                    files.append(
                        ItemFile(item=it, path="corpus.jsonl.zst", size=it.size,
                                 sha256=f"{rng.getrandbits(256):064x}",
                                 media_type="application/zstd")
                    )  # fmt: skip
                    dataset_ids.append(it.pk)
                elif it.kind in ("run", "assessment") and dataset_ids:
                    target = rng.choice(dataset_ids[-20000:])
                    lineage.append(
                        Lineage(from_item=it, to_item_id=target, relation="derived_from",
                                target_kind="dataset", target_label=f"dataset {target}")
                    )  # fmt: skip
            ItemFile.objects.bulk_create(files)
            Lineage.objects.bulk_create(lineage)
            made += len(chunk)
            print(f"\r  {made:,}/{n:,} items", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        t_rows = time.perf_counter() - t0
        if connection.vendor == "sqlite":
            # exactly what migration 0005 does for rows that exist before the FTS table
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {search.FTS_TABLE}")
                cur.execute(
                    f"INSERT INTO {search.FTS_TABLE}(rowid, text, facets) "
                    "SELECT id, search_text, facet_terms FROM catalog_item"
                )
    t_fts = time.perf_counter() - t0 - t_rows
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # what autovacuum would have done shortly after
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM catalog_item")
        items = cur.fetchone()[0]
        cur.execute("SELECT visibility, COUNT(*) FROM catalog_item GROUP BY 1 ORDER BY 1")
        vis = dict(cur.fetchall())
    print(
        json.dumps(
            {
                "db": args.db,
                "items": items,
                "tags": n_tags,
                "visibility": vis,
                "rows_s": round(t_rows, 1),
                "fulltext_s": round(t_fts, 1),
                "total_s": round(time.perf_counter() - t0, 1),
            }
        )
    )


# --------------------------------------------------------------------------- queries

QTYPES = ("browse", "word", "two_words", "prefix", "facet", "facet_word", "no_match")


def make_queries(n: int, seed: int = SEED + 1) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(type, q, facets) — the same list for every database and caller."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = QTYPES[i % len(QTYPES)]
        lang = rng.choice(SCRIPT_LANGS)
        q = ""
        facets: dict[str, list[str]] = {}
        if t == "word":
            q = rng.choice(WORDS[lang])
        elif t == "two_words":
            q = " ".join(words(rng, lang, 2))
        elif t == "prefix":
            w = max(rng.sample(WORDS[lang], 3), key=len)
            q = w[: max(2, min(4, len(w) - 1))]
        elif t in ("facet", "facet_word"):
            facet = rng.choice(["kind", "language", "sector", "country", "risk_area"])
            value = {
                "kind": lambda: rng.choice([k for k, _w in KINDS]),
                "language": lambda: rng.choices(BCP47, weights=LANG_WEIGHTS)[0],
                "sector": lambda: rng.choice(SECTORS),
                "country": lambda: rng.choice(COUNTRIES),
                "risk_area": lambda: rng.choice(RISK_AREAS),
            }[facet]()
            facets[facet] = [value]
            if rng.random() < 0.4:  # a second facet
                facets.setdefault("risk_area", []).append(rng.choice(RISK_AREAS))
            if t == "facet_word":
                q = rng.choice(WORDS[lang])
        elif t == "no_match":
            q = "".join(rng.choices("bcdfghjklmnpqrstvwxz", k=9))
        out.append((t, q, facets))
    return out


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summarize(samples: dict[str, list[float]]) -> list[dict[str, Any]]:
    rows = []
    everything = [x for xs in samples.values() for x in xs]
    for t in [*QTYPES, "all"]:
        xs = everything if t == "all" else samples.get(t, [])
        if not xs:
            continue
        rows.append(
            {
                "type": t,
                "n": len(xs),
                "p50": pct(xs, 50),
                "p95": pct(xs, 95),
                "p99": pct(xs, 99),
                "max": max(xs),
            }
        )
    return rows


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = home_of(args) / "serve.log"
        self.log = open(log, "w")  # noqa: SIM115
        cmd = [sys.executable, "-m", "puhui", "hub", "serve", "--port", str(self.port)]
        cmd += ["--threads", str(args.threads)]
        self.proc = subprocess.Popen(
            cmd, env=bench_env(args), stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"hub serve exited; see {log}")
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"hub serve did not answer in 60 s; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def sign_in(client: httpx.Client, user: str) -> None:
    page = client.get("/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on /signin/"
    r = client.post(
        "/signin/",
        data={"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    if r.status_code not in (200, 302) or "sessionid" not in client.cookies:
        raise SystemExit(f"sign in as {user} failed: HTTP {r.status_code}")


# --------------------------------------------------------------------------- run


def bench_inprocess(queries: list[Any], caller: Any, warm: int) -> dict[str, list[float]]:
    from django.db import reset_queries

    from puhui.hub.catalog.search import search

    for _t, q, f in queries[:warm]:
        search(q, f, caller)
    out: dict[str, list[float]] = defaultdict(list)
    for t, q, f in queries:
        t0 = time.perf_counter()
        search(q, f, caller, page=1, per_page=20)
        out[t].append((time.perf_counter() - t0) * 1000)
        reset_queries()
    return out


def bench_http(
    url: str, queries: list[Any], user: str | None, warm: int
) -> tuple[dict[str, list[float]], int]:
    errors = 0
    out: dict[str, list[float]] = defaultdict(list)
    with httpx.Client(base_url=url, timeout=60) as client:
        if user:
            sign_in(client, user)
        for i, (t, q, f) in enumerate([*queries[:warm], *queries]):
            params: list[tuple[str, str]] = [("q", q)] if q else []
            params += [(k, v) for k, vs in f.items() for v in vs]
            t0 = time.perf_counter()
            r = client.get("/search/", params=params)
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                errors += 1
            if i >= warm:
                out[t].append(ms)
    return out, errors


def load_level(url: str, ids: list[int], clients: int, seconds: float) -> dict[str, Any]:
    lat: list[list[float]] = [[] for _ in range(clients)]
    errs = [0] * clients
    codes: dict[str, int] = defaultdict(int)
    stop = threading.Event()
    start = threading.Barrier(clients + 1)

    def worker(k: int) -> None:
        rng = random.Random(SEED + k)
        with httpx.Client(base_url=url, timeout=30) as client:
            start.wait()
            while not stop.is_set():
                pk = rng.choice(ids)
                t0 = time.perf_counter()
                try:
                    r = client.get(f"/items/{pk}/")
                    code = str(r.status_code)
                except httpx.HTTPError as e:
                    code = type(e).__name__
                lat[k].append((time.perf_counter() - t0) * 1000)
                if code != "200":
                    errs[k] += 1
                    codes[code] += 1

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for th in threads:
        th.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    xs = [x for xs in lat for x in xs]
    return {
        "clients": clients,
        "requests": len(xs),
        "rps": len(xs) / elapsed,
        "p50": pct(xs, 50),
        "p95": pct(xs, 95),
        "p99": pct(xs, 99),
        "errors": sum(errs),
        "codes": dict(codes),
    }


def fmt_ms(x: float) -> str:
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def print_search_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}\n")
    print("| query type | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        name = f"**{r['type']}**" if r["type"] == "all" else r["type"]
        print(
            f"| {name} | {r['n']} | {fmt_ms(r['p50'])} | {fmt_ms(r['p95'])} | "
            f"{fmt_ms(r['p99'])} | {fmt_ms(r['max'])} |"
        )


def profile_search(queries: list[Any], caller: Any, qtype: str) -> None:
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from puhui.hub.catalog.search import search

    picked = [x for x in queries if x[0] == qtype][:20]
    prof = cProfile.Profile()
    prof.enable()
    for _t, q, f in picked:
        search(q, f, caller)
    prof.disable()
    print(f"\ncProfile, {len(picked)} '{qtype}' searches:")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
    with CaptureQueriesContext(connection) as ctx:
        search(picked[0][1], picked[0][2], caller)
    print(f"SQL of one '{qtype}' search ({picked[0][1]!r} {picked[0][2]}):")
    for qd in ctx.captured_queries:
        sql = qd["sql"]
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
            cur.execute(explain + sql)
            plan = cur.fetchall()
        ms = (time.perf_counter() - t0) * 1000
        print(f"-- {ms:.1f} ms (with EXPLAIN) --\n{sql[:1500]}")
        for row in plan:
            print("   ", row[-1] if connection.vendor == "sqlite" else row[0])


def run(args: argparse.Namespace) -> dict[str, Any]:
    django_setup(args)
    from django.conf import settings as dj
    from django.contrib.auth import get_user_model
    from django.db import connection

    from puhui.hub.catalog.access import ANONYMOUS, Caller
    from puhui.hub.catalog.models import Item

    dj.DEBUG = False
    n_items = Item.objects.count()
    if n_items == 0:
        raise SystemExit("the database is empty: run `fill` first")
    member = Caller(user=get_user_model().objects.get(username=MEMBER[0]), can_publish_scope=True)
    callers = {"anonymous": (ANONYMOUS, None), "member": (member, MEMBER[0])}
    queries = make_queries(args.queries)
    warm = min(20, len(queries))
    result: dict[str, Any] = {
        "db": args.db,
        "items": n_items,
        "vendor_version": _vendor_version(connection),
        "queries": len(queries),
        "search": {},
        "load": [],
    }
    qtypes = [q.strip() for q in args.only.split(",")] if args.only else None
    if qtypes:
        queries = [x for x in queries if x[0] in qtypes]
    if args.profile:
        profile_search(queries, callers[args.profile_caller][0], args.profile)
        return result
    print(f"# {args.db}: {n_items:,} items, {result['vendor_version']}", flush=True)
    if not args.skip_search:
        for who, (caller, _u) in callers.items():
            rows = summarize(bench_inprocess(queries, caller, warm))
            result["search"][f"inprocess/{who}"] = rows
            print_search_table(f"search() in process, {who} ({args.db})", rows)
            sys.stdout.flush()
    server = Server(args)
    try:
        if not args.skip_search:
            for who, (_c, user) in callers.items():
                samples, errors = bench_http(server.url, queries, user, warm)
                rows = summarize(samples)
                result["search"][f"http/{who}"] = rows
                result["search"][f"http/{who}/errors"] = errors
                print_search_table(
                    f"GET /search/ over HTTP, {who} ({args.db}), non-200: {errors}", rows
                )
                sys.stdout.flush()
        if not args.skip_load:
            ids = list(Item.objects.filter(visibility="public").values_list("pk", flat=True))
            print(
                f"\nGET /items/ID/ under load ({args.db}, {args.seconds:.0f} s per level, "
                f"server threads {args.threads}, random public items of {len(ids):,})\n"
            )
            print("| clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for k in [int(x) for x in args.clients.split(",")]:
                row = load_level(server.url, ids, k, args.seconds)
                result["load"].append(row)
                print(
                    f"| {k} | {row['requests']} | {row['rps']:.0f} | {fmt_ms(row['p50'])} | "
                    f"{fmt_ms(row['p95'])} | {fmt_ms(row['p99'])} | {row['errors']}"
                    + (f" {row['codes']}" if row["codes"] else "")
                    + " |",
                    flush=True,
                )
    finally:
        server.stop()
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def _vendor_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return "PostgreSQL " + cur.fetchone()[0].split()[0]


def run_all(args: argparse.Namespace) -> None:
    """fill + run on each database, each in its own process (Django configures once)."""
    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--home", args.home, "--pg-url", args.pg_url]
    for db in ("sqlite", "postgres"):
        subprocess.run([*me, "fill", "--db", db, "--items", str(args.items), *common], check=True)
        cmd = [*me, "run", "--db", db, *common, "--queries", str(args.queries)]
        cmd += ["--clients", args.clients, "--seconds", str(args.seconds)]
        cmd += ["--threads", str(args.threads)]
        subprocess.run(cmd, check=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp: argparse.ArgumentParser, db: bool = True) -> None:
        if db:
            sp.add_argument("--db", choices=("sqlite", "postgres"), required=True)
        sp.add_argument("--home", default=str(DEFAULT_HOME), help="PUHUI_HOME parent folder")
        sp.add_argument("--pg-url", default=DEFAULT_PG, help="a throwaway PostgreSQL database")

    def running(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--queries", type=int, default=700, help="searches per caller and mode")
        sp.add_argument("--clients", default="1,4,16,32", help="concurrency levels")
        sp.add_argument("--seconds", type=float, default=15.0, help="seconds per level")
        sp.add_argument("--threads", type=int, default=8, help="waitress threads (hub default)")

    f = sub.add_parser("fill", help="empty the database and fill it with N items")
    common(f)
    f.add_argument("--items", type=int, default=100_000)
    r = sub.add_parser("run", help="search latency and item-page load")
    common(r)
    running(r)
    r.add_argument("--skip-search", action="store_true")
    r.add_argument("--skip-load", action="store_true")
    r.add_argument("--only", default="", help="only these query types, comma-separated")
    r.add_argument("--profile", default="", metavar="QTYPE", help="cProfile + EXPLAIN one type")
    r.add_argument("--profile-caller", default="anonymous", choices=("anonymous", "member"))
    r.add_argument("--out", default="", help="also write the results as JSON here")
    a = sub.add_parser("all", help="fill and run on SQLite, then on PostgreSQL")
    common(a, db=False)
    running(a)
    a.add_argument("--items", type=int, default=100_000)
    args = p.parse_args()
    {"fill": fill, "run": run, "all": run_all}[args.cmd](args)


if __name__ == "__main__":
    main()
