"""Offline language identification for corpus building: BCP-47 tag, script and confidence.

Works without a network on a plain CPU. Two models are combined:

* **pycld2** (CLD2 tables inside the wheel, 165 languages): very fast and very accurate on the
  languages it knows, but it mistakes the hundreds of languages it does not know for ones it
  does (many Austronesian languages for Indonesian, Bantu languages for Swahili, ...).
* **Our fastText model** (``puhui/content/langid/model.ftz``, run with ``fasttext-predict``):
  trained by ``bench/langid_train.py`` on FLORES-200 dev sentences (SIB-200) and UDHR
  translations, one label per language variety such as ``yor_Latn`` or ``zho_Hant``
  (496 labels, 474 languages).

The default rule (``strategy="combined"``, chosen by measurement): a reliable CLD2 answer
for a language whose CLD2 answers were measured to be precise is final; otherwise our model
answers, and a reliable CLD2 answer replaces it only when our model is unsure between
languages CLD2 knows (``KNOWN_MARGIN``) or within one macrolanguage (``FAMILY_MARGIN``).

Before either model runs, :func:`detect_script` finds the dominant Unicode script of the text;
only labels written in that script can win, and a script used by a single known language
(Hangul, Georgian, Thai, ...) decides on its own. The label is turned into the shortest BCP-47
tag with ``langcodes`` (``yo``, ``sw``, ``ar``, ``zh-Hant``, ``sr-Cyrl``, ``ar-Latn``).

Long documents are sampled (see ``max_chars``) so that one document costs well under a
millisecond. Text that is empty, has no letters, or scores below ``threshold`` gives ``und``.
Measured accuracy and speed: ``bench/RESULTS.md`` (section "Language identification").
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import regex

__all__ = [
    "LangGuess",
    "LanguageIdentifier",
    "detect_script",
    "label_to_tag",
    "prepare_text",
]

#: Default minimum confidence; below it :meth:`LanguageIdentifier.identify` answers ``und``.
#: Chosen on the validation split by ``bench/langid_eval.py --tune`` (see bench/RESULTS.md).
DEFAULT_THRESHOLD = 0.4
#: Characters of a long document that are looked at (half from the start, half from the middle).
DEFAULT_MAX_CHARS = 500

#: Our model overrides a reliable CLD2 answer, when its own answer is a language CLD2 also
#: knows, only with at least this probability.
KNOWN_MARGIN = 0.7
#: Our model overrides a reliable CLD2 answer of the same macrolanguage (Arabic dialect vs
#: Standard Arabic, Dari vs Persian, Cantonese vs Chinese) only with at least this probability.
FAMILY_MARGIN = 0.5
#: Texts with fewer letters than this get a proportionally lower confidence.
SHORT_TEXT_LETTERS = 16
#: Characters (spread over the sample) looked at to find the dominant script.
SCRIPT_SAMPLE = 160

_UND = "und"
_NO_SCRIPT = "Zyyy"

# --------------------------------------------------------------------------------------------
# Script detection
# --------------------------------------------------------------------------------------------

# ISO 15924 codes of the scripts told apart, most common first (the order only affects speed).
_SCRIPT_CODES = """
    Latn Cyrl Arab Hani Deva Beng Grek Hebr Thai Hang Hira Kana Ethi Geor Armn Taml Telu Knda
    Mlym Gujr Guru Orya Sinh Khmr Laoo Mymr Tibt Thaa Syrc Tfng Nkoo Olck Adlm Vaii Cans Cher
    Yiii Mong Java Bali Sund Bugi Lana Tavt Cakm Gran Tglg Hano Buhd Tagb Mtei Sylo Lepc Limb
    Copt Goth Runr Ogam Bopo Tale Talu Saur Kali Rjng Cham Batk Bamu Lisu Brah Kthi Shrd Takr
    Khoj Sind Mahj Modi Sidd Tirh Gonm Gong Soyo Zanb Dogr Nand Diak Hmng Hmnp Wcho Mend Bass
    Kits Osge Osma Avst Xsux Egyp Phnx Ital Ugar Xpeo Dsrt Shaw Samr Mand Glag Brai Lyci Lydi
    Cari Armi Prti Phli Orkh Sogd Sogo Elym Chrs Yezi Vith Toto Kawi Nagm Rohg Sora Dupl Khar
    Newa Ahom Mroo Pauc Wara Marc Bhks Mult Hatr Palm Nbat Narb Sarb Merc Mero Plrd Tang Nshu
    Lina Linb Cprt Perm Elba Aghb Sgnw Hluw Medf Maka
"""
_SCRIPTS: tuple[str, ...] = tuple(_SCRIPT_CODES.split())

# One private-use character stands for each script in the translated string.
_SCRIPT_MARK = {code: chr(0xE000 + i) for i, code in enumerate(_SCRIPTS)}
_MARK_SCRIPT = {mark: code for code, mark in _SCRIPT_MARK.items()}
_SCRIPT_RE = regex.compile("|".join(f"(?P<{c}>\\p{{sc={c}}})" for c in _SCRIPTS))

_CJK = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})

# Simplified / traditional pairs of frequent Chinese characters (simplified first). Only
# characters that are not also in ordinary use in the other writing system are listed.
_HAN_PAIRS = (
    "这這个個们們国國为為说說时時会會来來对對过過还還发發学學现現经經动動进進种種长長开開"
    "间間问問关關实實体體点點电電机機与與么麼从從当當头頭无無见見让讓业業东東车車书書话話"
    "语語门門没沒样樣将將应應产產万萬义義乐樂习習买買乱亂争爭亚亞亲親亿億仅僅认認议議记記"
    "讲講许許论論设設访訪证證识識诉訴该該详詳误誤请請读讀课課谁誰调調谈談谢謝贝貝负負财財"
    "责責质質购購贵貴费費资資赛賽赶趕军軍转轉轮輪较較辆輛输輸边邊达達迁遷运運远遠违違连連"
    "选選递遞遗遺邮郵乡鄉钱錢铁鐵银銀错錯闭閉闻聞阳陽阴陰际際陆陸队隊阶階随隨险險难難雾霧"
    "页頁顶頂项項顺順须須预預领領题題风風飞飛饭飯马馬驾駕验驗鱼魚鸟鳥龙龍齐齊齿齒岁歲历歷"
    "县縣参參双雙变變号號叹嘆吗嗎员員响響团團园園围圍图圖圣聖场場坏壞块塊坚堅报報声聲处處"
    "备備夺奪奋奮妇婦妈媽孙孫宁寧宝寶宽寬寻尋导導层層岛島币幣师師带帶帮幫广廣庆慶库庫张張"
    "弹彈强強归歸录錄彻徹忆憶怀懷态態总總恶惡悬懸惊驚惯慣戏戲战戰护護担擔拥擁择擇换換损損"
    "摄攝击擊拟擬数數断斷显顯术術权權杀殺杂雜条條极極构構标標树樹桥橋档檔梦夢检檢欢歡欧歐"
    "毕畢气氣汉漢汤湯沟溝泽澤洁潔浅淺测測济濟浓濃涨漲湾灣满滿灯燈灵靈灾災炉爐热熱爱愛爷爺"
    "牵牽犹猶状狀独獨狮獅猎獵环環画畫畅暢疗療盐鹽监監盖蓋盘盤矿礦码碼础礎确確积積称稱稳穩"
    "穷窮竞競笔筆签簽简簡类類粮糧紧緊红紅约約级級纪紀纯純纸紙线線组組细細织織终終结結给給"
    "绝絕统統继繼续續维維综綜绿綠编編练練缩縮网網罗羅职職联聯聪聰肃肅胜勝脑腦脚腳脸臉节節"
    "苏蘇药藥获獲虽雖补補装裝视視觉覺览覽观觀规規计計订訂讨討训訓评評词詞译譯试試诗詩诚誠"
    "询詢诱誘诸諸谋謀谓謂贡貢败敗货貨贩販贪貪贫貧贯貫贴貼贷貸贸貿贺賀赏賞赔賠赞贊赢贏赵趙"
    "跃躍践踐轻輕载載辈輩辑輯辞辭辽遼迟遲逻邏邓鄧邻鄰郑鄭酱醬释釋针針钟鐘钢鋼链鏈销銷锁鎖"
    "锅鍋键鍵镇鎮闪閃闲閒闹鬧阅閱阵陣陈陳隐隱隶隸鸡雞离離顾顧顿頓频頻颜顏额額飘飄饮飲饰飾"
    "饱飽馆館驱驅驶駛驻駐骑騎骗騙鲜鮮鸣鳴鹅鵝麦麥龄齡龟龜丝絲严嚴丧喪丰豐临臨丽麗举舉乌烏"
    "乔喬亏虧亩畝仓倉仪儀众眾优優伞傘伟偉传傳伤傷伦倫伪偽侠俠侣侶侦偵侧側侨僑俭儉债債倾傾"
    "偿償储儲儿兒兑兌党黨兰蘭兴興养養兽獸册冊写寫农農决決况況冻凍净淨减減凤鳳凭憑凯凱刘劉"
    "则則刚剛创創删刪别別剂劑剑劍剧劇劝勸办辦务務励勵劲勁劳勞势勢区區医醫华華协協单單卖賣"
    "卢盧卫衛却卻厂廠厅廳压壓厌厭厕廁厦廈叙敘吕呂启啟吴吳呜嗚哑啞哗嘩唤喚喷噴嘱囑圆圓"
    "坛壇坝壩坟墳坠墜垒壘垦墾执執扩擴扫掃扬揚扰擾抚撫抢搶拣揀拦攔拨撥挂掛挡擋挣掙挤擠挥揮"
    "捞撈捡撿掷擲揽攬搁擱搂摟搅攪携攜摆擺摇搖敌敵敛斂斋齋斩斬旧舊旷曠昼晝晒曬晓曉暂暫杨楊"
    "枪槍柜櫃栋棟栏欄桩樁楼樓横橫樱櫻歼殲残殘毁毀毙斃汇匯沦淪沧滄沪滬泻瀉泼潑洒灑浆漿浇澆"
    "浊濁浏瀏浑渾涂塗涛濤润潤渊淵渐漸渔漁温溫湿濕溃潰滚滾滤濾滥濫滨濱滩灘潜潛灭滅灿燦炼煉"
    "烂爛烛燭烟煙烦煩烧燒焕煥牺犧狭狹狱獄猪豬猫貓献獻玛瑪疯瘋瘫癱盏盞睁睜矫矯砖磚硕碩碍礙"
    "礼禮祸禍秃禿秽穢窍竅窜竄窝窩竖豎笼籠筑築筹籌粪糞纠糾纤纖纬緯纱紗纲綱纳納纵縱纷紛纹紋"
    "纺紡纽紐绍紹绑綁绕繞绘繪络絡绳繩绵綿缓緩缘緣缝縫缴繳罚罰罢罷聋聾肠腸肤膚肾腎肿腫胀脹"
    "胁脅胆膽胶膠脉脈舰艦艰艱艳豔芦蘆苍蒼荐薦荡蕩荣榮莱萊营營萧蕭蓝藍虑慮虚虛蚁蟻蛮蠻衬襯"
    "袜襪誉譽讯訊讽諷诀訣诈詐诊診诞誕诺諾谅諒谊誼谍諜谎謊谜謎谣謠谦謙谨謹谱譜贞貞贤賢贼賊"
    "赋賦赌賭赖賴赚賺赠贈趋趨踪蹤躯軀轨軌软軟轰轟轿轎辅輔辉輝辩辯迈邁迹跡逊遜遥遙酿釀鉴鑒"
    "钓釣钞鈔钥鑰钦欽钩鉤钻鑽铃鈴铜銅铝鋁铺鋪锋鋒锡錫锦錦锻鍛镜鏡闯闖闷悶闸閘阀閥阁閣阐闡"
    "陕陝顽頑颁頒颂頌颇頗颗顆颠顛颤顫饲飼饶饒饼餅驰馳驳駁驴驢驼駝骂罵骄驕骆駱骚騷骤驟鲁魯"
    "鸭鴨鸽鴿鹤鶴鹰鷹韦韋韩韓"
)
_HANS_ONLY = frozenset(_HAN_PAIRS[0::2])
_HANT_ONLY = frozenset(_HAN_PAIRS[1::2])


class _ScriptTable(dict[int, str | None]):
    """``str.translate`` table: a letter becomes its script's mark, anything else is dropped.

    Filled lazily, one code point at a time, so only characters actually seen are classified.
    """

    def __missing__(self, codepoint: int) -> str | None:
        char = chr(codepoint)
        mark: str | None = None
        if unicodedata.category(char)[0] == "L":
            found = _SCRIPT_RE.match(char)
            if found is not None and found.lastgroup is not None:
                mark = _SCRIPT_MARK[found.lastgroup]
        self[codepoint] = mark
        return mark


_SCRIPT_TABLE = _ScriptTable()


def _script_counts(text: str) -> dict[str, int]:
    """Letters per ISO 15924 script (Han counted as ``Hani``)."""
    return {_MARK_SCRIPT[m]: n for m, n in Counter(text.translate(_SCRIPT_TABLE)).items()}


def _han_variant(text: str) -> str:
    """``Hans`` or ``Hant`` from characters that exist in only one of the two; else ``Hani``."""
    chars = Counter(text)
    simplified = sum(n for c, n in chars.items() if c in _HANS_ONLY)
    traditional = sum(n for c, n in chars.items() if c in _HANT_ONLY)
    if simplified > traditional:
        return "Hans"
    if traditional > simplified:
        return "Hant"
    return "Hani"


def _spread(text: str, size: int) -> str:
    """About ``size`` characters taken evenly across ``text`` (all of it when short)."""
    step = len(text) // size
    return text[::step] if step > 1 else text


def _dominant_script(text: str) -> str:
    if text.isascii():
        return "Latn" if any(c.isalpha() for c in text) else _NO_SCRIPT
    counts = _script_counts(text)
    if not counts:
        return _NO_SCRIPT
    cjk = sum(n for s, n in counts.items() if s in _CJK)
    best = max(counts, key=counts.__getitem__)
    best_n = counts[best]
    if cjk < best_n or cjk == 0:
        return best
    kana = counts.get("Hira", 0) + counts.get("Kana", 0)
    hangul = counts.get("Hang", 0)
    han = counts.get("Hani", 0)
    if kana * 20 >= cjk:  # Japanese mixes kana into nearly every sentence
        return "Jpan"
    if hangul * 2 >= cjk:
        return "Kore" if han * 20 >= cjk else "Hang"
    if han >= max(counts.get("Bopo", 0), hangul):
        return _han_variant(text)
    return max((s for s in counts if s in _CJK), key=lambda s: counts[s])


def detect_script(text: str) -> str:
    """The dominant ISO 15924 script of the letters in ``text``.

    Digits, punctuation, symbols and combining marks do not count. Han text gives ``Hans`` or
    ``Hant`` (``Hani`` when no character tells them apart), Han with kana gives ``Jpan``,
    Hangul gives ``Hang`` (``Kore`` with a noticeable share of Han). No letters: ``Zyyy``.
    Texts over 4,000 characters are judged on 4,000 characters spread evenly across them.
    """
    return _dominant_script(_spread(text, 4000))


# --------------------------------------------------------------------------------------------
# Text preparation (shared with bench/langid_train.py so training and inference match)
# --------------------------------------------------------------------------------------------

# Everything that is not a letter, a combining mark or an apostrophe is a word boundary.
# Removing it also removes what pycld2 rejects (NUL, other controls, noncharacters, lone
# surrogates).
_NON_WORD_RE = regex.compile(r"[^\p{L}\p{M}'\u2019]+")
_APOSTROPHES = "'\u2019"

# Web addresses, e-mail addresses and @handles say nothing about the language.
_NOISE_RE = regex.compile(r"(?:https?://|www\.)\S*|\S+@\S+|@\w+", regex.IGNORECASE)


def prepare_text(text: str) -> str:
    """Normalise text for the models: NFC, lower case, words of letters separated by one space.

    URLs, e-mail addresses and @handles are removed first. The result never contains
    controls, NUL, surrogates or other characters pycld2 rejects.
    """
    if "@" in text or "://" in text or "www." in text:
        text = _NOISE_RE.sub(" ", text)
    cleaned = _NON_WORD_RE.sub(" ", text)
    if "'" in cleaned or "\u2019" in cleaned:  # keep apostrophes inside words only
        cleaned = " ".join(w for w in (w.strip(_APOSTROPHES) for w in cleaned.split()) if w)
    else:
        cleaned = cleaned.strip()
    if not cleaned:
        return ""
    if not cleaned.isascii():
        cleaned = unicodedata.normalize("NFC", cleaned)
    return cleaned.lower()


def _sample(text: str, max_chars: int) -> str:
    """At most about ``max_chars`` characters: half from the start, half from the middle."""
    if len(text) <= max_chars:
        return text
    half = max_chars // 2
    middle = len(text) // 2
    return text[:half] + " " + text[middle : middle + half]


# --------------------------------------------------------------------------------------------
# Labels and BCP-47 tags
# --------------------------------------------------------------------------------------------

# Languages whose texts are split between two scripts in everyday use: the tag always carries
# the script (zh-Hans / zh-Hant, sr-Cyrl / sr-Latn).
_ALWAYS_SCRIPT = frozenset({"zh", "sr"})
_SCRIPT_ALIASES = {"Hang": "Kore"}  # Korean in Hangul only is the default Korean script


def _default_script(language: str) -> str | None:
    """IANA Suppress-Script of a language subtag, else its CLDR likely script, else None."""
    from langcodes.data_dicts import DEFAULT_SCRIPTS, LIKELY_SUBTAGS

    if language in DEFAULT_SCRIPTS:
        return str(DEFAULT_SCRIPTS[language])
    likely = LIKELY_SUBTAGS.get(language)
    if likely is None:
        return None
    parts = str(likely).split("-")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else None


@cache
def label_to_tag(label: str, only_script: bool = False) -> str:
    """Shortest BCP-47 tag for a model label ``<ISO 639-3>_<ISO 15924>``.

    Individual languages of a macrolanguage get the macrolanguage code when CLDR says so
    (``swh_Latn`` -> ``sw``, ``arb_Arab`` -> ``ar``, ``zsm_Latn`` -> ``ms``). The script subtag
    is dropped when it is the language's default (IANA Suppress-Script, else CLDR likely
    script), except for Chinese and Serbian. ``only_script`` says the label is the only one of
    its language, so the script can also be dropped when no default is recorded.
    """
    import langcodes

    code, _, script = label.partition("_")
    base = langcodes.Language.get(langcodes.standardize_tag(code, macro=True))
    language = base.language or _UND
    if not script or base.script is not None:
        return str(base)
    default = _default_script(language)
    keep = (
        language in _ALWAYS_SCRIPT
        or (default is None and not only_script)
        or (default is not None and _SCRIPT_ALIASES.get(script, script) != default)
    )
    if not keep:
        return str(base)
    return str(base.update_dict({"script": script}))


# --------------------------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------------------------

# Scripts that a label may have when the text's dominant script is the key.
_COMPATIBLE_SCRIPTS: dict[str, frozenset[str]] = {
    "Hans": frozenset({"Hans", "Hani"}),  # simplified-only characters seen: no Hant label
    "Hant": frozenset({"Hant", "Hani"}),
    "Hani": frozenset({"Hans", "Hant", "Hani"}),
    "Hang": frozenset({"Hang", "Kore"}),
    "Kore": frozenset({"Hang", "Kore"}),
}
_HAN_FAMILY = frozenset({"Hans", "Hant", "Hani"})
_DENSE_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore", "Hang", "Yiii"})
_PREFIX = "__label__"


@dataclass(frozen=True)
class _Resources:
    model: Any  # fasttext_pybind.fasttext (fasttext-predict has no type stubs)
    labels: tuple[str, ...]
    tags: dict[str, str]  # label -> BCP-47 tag
    by_script: dict[str, tuple[str, ...]]  # label script -> labels
    cld2_map: dict[str, str]  # "<CLD2 code>|<text script>" -> label
    cld2_known: frozenset[str]  # labels CLD2 can answer
    # text script -> labels whose reliable CLD2 answer is final
    cld2_trusted_labels: dict[str, frozenset[str]]
    family: dict[str, str]  # label -> macrolanguage (or language) subtag


def _compatible(script: str) -> frozenset[str]:
    return _COMPATIBLE_SCRIPTS.get(script, frozenset({script}))


def _family(label: str) -> str:
    """The macrolanguage a label belongs to (``acm_Arab`` -> ``ar``), else its language."""
    import langcodes
    from langcodes.data_dicts import MACROLANGUAGES

    code = label.partition("_")[0]
    short = str(langcodes.Language.get(langcodes.standardize_tag(code)).language)
    return str(MACROLANGUAGES.get(code) or MACROLANGUAGES.get(short) or label_to_tag(code))


@cache
def _resources(model_dir: str | None = None) -> _Resources:
    """Load the model and its metadata, once per process (and per ``model_dir``)."""
    import fasttext

    if model_dir is None:
        folder = resources.files("puhui.content.langid")
        meta = json.loads(folder.joinpath("meta.json").read_text(encoding="utf-8"))
        with resources.as_file(folder.joinpath("model.ftz")) as path:
            model = fasttext.load_model(str(path)).f
    else:
        meta = json.loads(Path(model_dir, "meta.json").read_text(encoding="utf-8"))
        model = fasttext.load_model(str(Path(model_dir, "model.ftz"))).f
    labels = tuple(str(label) for label in meta["labels"])
    per_language = Counter(label.partition("_")[0] for label in labels)
    tags = {lab: label_to_tag(lab, per_language[lab.partition("_")[0]] == 1) for lab in labels}
    by_script: dict[str, list[str]] = {}
    for label in labels:
        by_script.setdefault(label.partition("_")[2], []).append(label)
    cld2_map = {str(k): str(v) for k, v in meta["cld2_map"].items()}
    trusted: dict[str, set[str]] = {}
    for key, label in meta["cld2_trusted"].items():
        trusted.setdefault(str(key).partition("|")[2], set()).add(str(label))
    return _Resources(
        family={lab: _family(lab) for lab in labels},
        model=model,
        labels=labels,
        tags=tags,
        by_script={s: tuple(v) for s, v in by_script.items()},
        cld2_map=cld2_map,
        cld2_known=frozenset(cld2_map.values()),
        cld2_trusted_labels={s: frozenset(v) for s, v in trusted.items()},
    )


@dataclass(frozen=True)
class LangGuess:
    """One answer of the language identifier."""

    lang: str  # BCP-47 tag, shortest form ('yo', 'sw', 'zh-Hans', 'sr-Cyrl'); 'und' when unsure
    script: str  # ISO 15924 ('Latn', 'Arab', 'Hans', ...); 'Zyyy' when there are no letters
    confidence: float  # 0..1


STRATEGIES = ("combined", "ours", "cld2-trusted", "cld2")


class LanguageIdentifier:
    """Language and script of texts; cheap to create and to pickle (the model loads lazily).

    ``threshold``: answers below this confidence become ``und``. ``max_chars``: longer texts
    are sampled (half from the start, half from the middle). ``model_dir``: a folder with
    ``model.ftz`` and ``meta.json`` to use instead of the shipped model (for evaluation).

    ``strategy`` says how CLD2 and our model are combined (the default was chosen by
    measurement, see bench/RESULTS.md):

    * ``combined``: a reliable CLD2 answer for a language whose CLD2 answers were measured to be
      precise is final. Otherwise both run: CLD2's reliable answer wins when our model's answer
      is also a language CLD2 knows (CLD2 separates its own languages better); our model wins
      when it names a language CLD2 does not know.
    * ``cld2-trusted``: only the first step, then our model.
    * ``ours``: our fastText model alone. ``cld2``: CLD2 alone (its languages only).
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        strategy: str = "combined",
        model_dir: str | None = None,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        if max_chars < 1:
            raise ValueError(f"max_chars must be positive, not {max_chars}")
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        self.threshold = threshold
        self.max_chars = max_chars
        self.strategy = strategy
        self.model_dir = model_dir

    def __repr__(self) -> str:
        return (
            f"LanguageIdentifier(threshold={self.threshold}, max_chars={self.max_chars}, "
            f"strategy={self.strategy!r}, model_dir={self.model_dir!r})"
        )

    def identify(self, text: str) -> LangGuess:
        """Language, script and confidence of one text (a sentence or a document).

        Texts with fewer than ``SHORT_TEXT_LETTERS`` letters get a proportionally lower
        confidence: one or two words rarely say which language they are in.
        """
        label, script, confidence = self.identify_label(text)
        if label is None or confidence < self.threshold:
            return LangGuess(_UND, script, confidence if label is not None else 0.0)
        return LangGuess(_resources(self.model_dir).tags[label], script, confidence)

    def identify_lines(self, text: str) -> list[LangGuess]:
        """One guess per line of ``text`` (``str.splitlines``); blank lines give ``und``."""
        return [self.identify(line) for line in text.splitlines()]

    def languages(self) -> list[str]:
        """Every BCP-47 tag :meth:`identify` can answer, ``und`` included, sorted."""
        res = _resources(self.model_dir)
        labels = set(res.cld2_map.values()) if self.strategy == "cld2" else res.labels
        return sorted({*(res.tags[lab] for lab in labels), _UND})

    def identify_label(self, text: str) -> tuple[str | None, str, float]:
        """The model label (e.g. ``yor_Latn``) or None, the script and the confidence.

        No threshold is applied; :meth:`identify` applies it. Meant for evaluation and tools.
        """
        sample = prepare_text(_sample(text, self.max_chars))
        if not sample:
            return None, _NO_SCRIPT, 0.0
        label, script, confidence = self._label(sample)
        if len(sample) < SHORT_TEXT_LETTERS:
            letters = len(sample) - sample.count(" ")
            if script in _DENSE_SCRIPTS:  # a Han or Hangul character carries a syllable or word
                letters *= 3
            confidence *= min(1.0, letters / SHORT_TEXT_LETTERS)
        return label, script, confidence

    def _label(self, sample: str) -> tuple[str | None, str, float]:
        script = _dominant_script(_spread(sample, SCRIPT_SAMPLE))
        if script == _NO_SCRIPT:
            return None, script, 0.0
        res = _resources(self.model_dir)
        allowed = _compatible(script)
        candidates = [lab for s in allowed for lab in res.by_script.get(s, ())]
        if not candidates:
            return None, script, 0.0
        if len(candidates) == 1 and self.strategy != "cld2":
            return candidates[0], script, 1.0
        cld2: tuple[str, float] | None = None
        if self.strategy != "ours":
            cld2 = _cld2_label(sample, script, res)
            if cld2 is not None and (
                self.strategy == "cld2" or (cld2[0] in res.cld2_trusted_labels.get(script, ()))
            ):
                return cld2[0], _label_script(cld2[0], script), cld2[1]
            if self.strategy == "cld2":
                return None, script, 0.0
        label, prob = _fasttext_label(sample, allowed, res)
        if (
            cld2 is not None
            and self.strategy == "combined"
            and (
                label is None
                or label == cld2[0]
                or (label in res.cld2_known and prob < KNOWN_MARGIN)
                or (res.family[label] == res.family[cld2[0]] and prob < FAMILY_MARGIN)
            )
        ):
            return cld2[0], _label_script(cld2[0], script), max(cld2[1], prob)
        if label is None:
            return None, script, 0.0
        return label, _label_script(label, script), prob


def _label_script(label: str, text_script: str) -> str:
    """The script to report: the label's for Han texts (Hans/Hant), else the text's."""
    label_script = label.partition("_")[2]
    return label_script if label_script in _HAN_FAMILY else text_script


def _cld2_label(sample: str, script: str, res: _Resources) -> tuple[str, float] | None:
    """CLD2's reliable answer as one of our labels, with its share of the text; else None."""
    import pycld2

    try:
        reliable, _, details = pycld2.detect(sample, isPlainText=True)
    except (pycld2.error, ValueError, UnicodeError):
        return None
    if not reliable:
        return None
    code, percent = details[0][1], details[0][2]
    label = res.cld2_map.get(f"{code}|{script}")
    if label is None:
        return None
    return label, min(1.0, percent / 100.0)


def _fasttext_label(
    sample: str, allowed: frozenset[str], res: _Resources
) -> tuple[str | None, float]:
    """Best fastText label whose script is allowed, with its probability.

    When the model's favourite labels are in other scripts (short text whose n-grams it has
    rarely seen, e.g. a few Chinese characters), the probability is renormalised over the
    labels of the text's script: the script is known, so only they are in the running.
    """
    text = sample + "\n"
    predictions: list[tuple[float, str]] = res.model.predict(text, 5, 0.0, "replace")
    if predictions and predictions[0][1][len(_PREFIX) :].partition("_")[2] in allowed:
        return predictions[0][1][len(_PREFIX) :], min(1.0, max(0.0, float(predictions[0][0])))
    best: str | None = None
    best_prob = total = 0.0
    for prob, raw in res.model.predict(text, -1, 0.0, "replace"):
        label = raw[len(_PREFIX) :]
        if label.partition("_")[2] in allowed:
            total += prob
            if best is None:
                best, best_prob = label, prob
    if best is None or total <= 0.0:
        return None, 0.0
    return best, min(1.0, best_prob / total)
