"""Find, tag, redact or hash personal data (PII) in multilingual text from the Global South.

This module is for the corpus pipeline: before a document is kept, its e-mail addresses, phone
numbers, IP addresses, payment cards, bank accounts and national identity numbers are replaced by
``<TYPE>`` placeholders (``redact``), counted only (``tag``) or replaced by a keyed pseudonym
(``hash``).  It runs offline on one CPU core, needs no language model and is tuned for non-US
formats: national phone formats of many African, Asian and Latin American regions, and national
identity numbers whose check digits ``python-stdnum`` can verify.

How each type is recognised (a candidate must pass its validator; a bare regex never suffices):

==============  ======================================================================
EMAIL           local@domain.tld shape (Latin local part, letters-only TLD); also the
                ``name [at] domain [dot] org`` spelling
PHONE           ``phonenumbers.is_valid_number``; ``+``/``00`` numbers are parsed without a
                region, national numbers with each configured region (``regions``, in order)
                after a cheap per-region length/pattern prefilter built from phonenumbers'
                metadata.  A national number is reported when it carries the region's
                national prefix (``0712...``) or country code, is laid out like a phone
                (``(area)``, or 3+ groups one of which has 3+ digits), or is a 10+ digit
                mobile number; a bare 8-9 digit number that merely fits some numbering plan
                needs a context word
IP_ADDRESS      IPv4/IPv6 accepted by :mod:`ipaddress`; not after "version"-like words
CREDIT_CARD     13-19 digits, plausible issuer prefix (IIN) for the length, Luhn check
IBAN            country structure and ISO 7064 mod 97-10 (``stdnum.iban``); for UEMOA/CEMAC
                countries, Morocco, Algeria... (not in SWIFT's registry) length + mod 97-10
IN_AADHAAR      12 digits, Verhoeff check (``stdnum.in_.aadhaar``)
IN_PAN          ``AAAPA9999A`` with a valid holder-type letter (``stdnum.in_.pan``)
CN_RESIDENT_ID  18 characters, ISO 7064 mod 11-2 check, birth date, place code (``stdnum.cn.ric``)
BR_CPF          11 digits, two mod-11 check digits (``stdnum.br.cpf``)
ZA_ID           13 digits, birth date, citizenship digit and Luhn (``stdnum.za.idnr``)
ID_NIK          16 digits, region code and birth date (``stdnum.id.nik``; no check digit)
PK_CNIC         13 digits, province and gender digits (``stdnum.pk.cnic``) **and** the
                ``12345-1234567-1`` layout or a context word (the validator alone is weak)
TH_ID           13 digits, mod-11 check (``stdnum.th.pin``) and the ``1-2345-67890-12-3``
                layout or a context word
MY_NRIC         12 digits, birth date and place code (``stdnum.my.nric``) and the
                ``YYMMDD-PB-###G`` layout or a context word
MX_CURP         18 characters, birth date, state and check digit (``stdnum.mx.curp``)
CL_RUT          ``12.345.678-5`` / ``12345678-K`` with its mod-11 check (``stdnum.cl.rut``)
KE_KRA_PIN      Kenya tax PIN ``A123456789Z`` (``stdnum.ke.pin``; format only)
GH_CARD         Ghana Card PIN ``GHA-123456789-0`` (format only; the prefix is distinctive)
NG_NIN          11 digits **right after** a context word (no public checksum exists)
KE_ID           7-8 digits **right after** a context word or a bare ``ID:`` (no public
                checksum exists)
==============  ======================================================================

Context words.  Nigeria's NIN and Kenya's national ID number have no public check digit, so a
bare 11- or 8-digit number is never reported as one; the number must follow one of the
multilingual keywords below (e.g. ``NIN``, ``National Identification Number``, ``nọ́mbà
ìdánimọ̀``, ``lambar shaida``; ``kitambulisho``, ``namba ya kitambulisho``, ``ID no``) with at
most ~30 non-digit characters between them.  Keywords are compared case- and accent-insensitively.
Context words also raise the score of other types (``simu``/``điện thoại``/``电话`` for phones,
``CPF``, ``Aadhaar``...), and some words veto a number (``ISBN``, ``order``, ``agizo``,
``pedido``, ``订单``...), as do currency signs next to it and date shapes (``12.05.2023``).

Each digit run (digits with single spaces, dashes, dots, slashes, ``(area)`` groups and an
optional leading ``+``) is classified once; when the whole run is not PII (two phone numbers
joined by ``/``, say) it is split at its separators and the parts are tried greedily.  Numbers
may use any Unicode decimal digits (Devanagari, Arabic-Indic, Bengali, full-width...).

Hash mode uses HMAC-SHA256 keyed by a caller-provided salt over a canonical form of the value
(E.164 for phones, digits/upper case for IDs, lower case for e-mail), so the same phone number
written two ways gets the same pseudonym, and pseudonyms cannot be reversed by hashing a
dictionary of phone numbers without the salt.  Hashing without a salt is refused.

National phone numbers are ambiguous (``0812 345 678`` is valid in Indonesia and South Africa):
the canonical E.164 form, used for hashing, comes from the first region in ``regions`` where the
number is valid, so list the deployment's main region first.

Speed (see ``bench/RESULTS.md``): the fast path is one character-class scan for clusters of
digits, the exact digit-run pattern only inside clusters with 7+ digits, and other scans only
when ``@``, ``[at]``, two ``:`` or an upper-case letter next to a digit occur; phonenumbers is
called only for runs that survive the prefilter.  :class:`PiiRedactor` is picklable.

Not covered: names, postal addresses, passport numbers and other free-form PII (they need a
language model); numbers whose only evidence is a context word in another sentence.

Why one file of ~970 lines: the recognisers are not independent plug-ins. One pass classifies
each digit run against every numeric type at once, with shared tables (context and veto words,
date/currency/version shapes, the type priority that resolves overlaps) that were tuned
together on ``bench/pii_eval.py``; a split by type would spread ~60 private tables over modules
that must still change together. The sections below keep the concerns apart: text helpers,
context keywords, validators and phones, then the redaction engine (:class:`PiiRedactor`).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import ipaddress
import itertools
import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

import phonenumbers
from phonenumbers import PhoneMetadata
from stdnum import iban as _iban
from stdnum import luhn
from stdnum.br import cpf as _cpf
from stdnum.cl import rut as _rut
from stdnum.cn import ric as _ric
from stdnum.id import nik as _nik
from stdnum.in_ import aadhaar as _aadhaar
from stdnum.in_ import pan as _pan
from stdnum.iso7064 import mod_97_10 as _mod97
from stdnum.ke import pin as _kra
from stdnum.mx import curp as _curp
from stdnum.my import nric as _nric
from stdnum.pk import cnic as _cnic
from stdnum.th import pin as _thpin
from stdnum.za import idnr as _zaid

from puhui.lang import strip_combining

__all__ = ["DEFAULT_REGIONS", "PII_TYPES", "Mode", "PiiFinding", "PiiRedactor"]

Mode = Literal["redact", "tag", "hash"]

# The order is also the tie-break order when two types score the same on the same span.
PII_TYPES: tuple[str, ...] = (
    "EMAIL",
    "IP_ADDRESS",
    "IBAN",
    "MX_CURP",
    "CN_RESIDENT_ID",
    "CL_RUT",
    "GH_CARD",
    "KE_KRA_PIN",
    "IN_PAN",
    "NG_NIN",
    "KE_ID",
    "ZA_ID",
    "PK_CNIC",
    "TH_ID",
    "MY_NRIC",
    "IN_AADHAAR",
    "CREDIT_CARD",
    "ID_NIK",
    "PHONE",
    "BR_CPF",
)
_PRIORITY = {t: i for i, t in enumerate(PII_TYPES)}

# National phone formats are tried for these regions (ISO 3166-1 alpha-2), in this order (the
# first region where a national number is valid gives its E.164 form).  International numbers
# written with "+" or "00" are found whatever this list says.  Measured in bench/RESULTS.md:
# the prefilter makes 50 regions cost about the same time as 8; recall on national numbers
# rises (0.94 -> 0.99 on the labelled set); the price is that most bare 10-digit numbers are
# valid mobiles somewhere (IN, MX, BD, NG...) and are reported as phones.  Deployments that
# know their regions should pass a shorter list.
DEFAULT_REGIONS: tuple[str, ...] = (
    # Africa
    "NG", "GH", "KE", "TZ", "UG", "ZA", "ET", "EG", "MA", "DZ", "TN", "SN", "CI", "CM", "RW",
    "CD", "ZM", "ZW", "MW", "MZ", "AO", "SD", "ML", "BF", "BJ", "TG", "NE",
    # Asia
    "IN", "PK", "BD", "LK", "NP", "ID", "PH", "VN", "TH", "MY", "MM", "KH", "CN",
    # Latin America
    "BR", "MX", "CO", "PE", "AR", "CL", "EC", "BO", "VE", "GT",
)  # fmt: skip

_MIN_SCORE = 2


@dataclass(frozen=True)
class PiiFinding:
    """One piece of PII: its type, its ``[start, end)`` span in the text, and the text itself.

    ``canonical`` is the normalised value used for hashing (E.164 phone, compact ID, lower-case
    e-mail); it does not take part in equality.
    """

    type: str
    start: int
    end: int
    text: str
    canonical: str = field(default="", compare=False, repr=False)


class _Cand(NamedTuple):
    score: int
    type: str
    start: int
    end: int
    canonical: str


# Returned by the run classifier for dates, amounts and the like: not PII, and not to be split.
_VETO = _Cand(-1, "", 0, 0, "")

# --------------------------------------------------------------------------------------------
# Text helpers

_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_DASHES = "\\-\u2010\u2011\u2012\u2013"
_SPACES = " \u00a0\u202f"

# A digit run: optional "+", optional "(area)", digits joined by single separators, optional
# "(0)"-style groups inside, and an optional CN "X" or CL "-K" check character at the end.
_RUN_RE = re.compile(
    rf"(?:(?=\(?\+)(?<!\+)|(?<![\d{_LATIN}.,+_#@&$€£¥₹₦₵₱₫฿₨৳₺₩{_DASHES}]))"
    rf"(?:\+[{_SPACES}]?|\(\+\d{{1,3}}\)[{_SPACES}{_DASHES}]?)?"
    rf"(?:\(\d{{1,5}}\)[{_SPACES}{_DASHES}.]?)?"
    rf"\d(?:\d|[{_SPACES}{_DASHES}./](?=\d)|[{_SPACES}]?\(\d{{1,5}}\)[{_SPACES}{_DASHES}.]?(?=\d))*+"
    rf"(?P<sfx>[{_DASHES}]?[Kk]|[Xx])?"
    rf"(?![\d{_LATIN}@])"
)
# Maximal stretches of characters a digit run can contain (starts with a digit, "+" or "(").
_CLUSTER_RE = re.compile(rf"[\d(+][\d{_SPACES}{_DASHES}()./+XxKk]*")
_GROUP_RE = re.compile(r"\d+")
_NONDIGIT_RE = re.compile(r"\D+")
_SHAPE_SEP = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013"} | {"\u00a0": " ", "\u202f": " "}
)

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9\u00c0-\u024f._%+\-])"
    r"[A-Za-z0-9\u00c0-\u024f_%+\-](?:[A-Za-z0-9\u00c0-\u024f._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
    r"@(?:[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f\-]{0,61}[A-Za-z0-9\u00c0-\u024f])?\.)+"
    r"[A-Za-z]{2,24}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)
# "name [at] domain [dot] org" - common on web pages that hide addresses from crawlers.
_OBF_AT = r"\s*[\[({<]\s*(?:at|AT)\s*[\])}>]\s*"
_OBF_DOT = r"(?:\s*[\[({<]\s*(?:dot|DOT)\s*[\])}>]\s*|\.)"
_EMAIL_OBF_RE = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-]{{1,64}}(?:{_OBF_DOT}[A-Za-z0-9_%+\-]{{1,64}})*"
    rf"{_OBF_AT}[A-Za-z0-9\-]{{1,63}}(?:{_OBF_DOT}[A-Za-z0-9\-]{{1,63}})*{_OBF_DOT}[A-Za-z]{{2,24}}"
    r"(?![A-Za-z0-9])"
)
_EMAIL_OBF_GUARD_RE = re.compile(r"[\[({<]\s*(?:at|AT)\s*[\])}>]")
_IPV4_SHAPE_RE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_IPV6_RE = re.compile(
    r"(?<![0-9A-Za-z:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)"
    r"[0-9A-Fa-f:]{3,39}(?:(?<=:)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})?"
    r"(?![0-9A-Za-z:]|\.\d)"
)
# Upper-case identifiers, one scan.  Lookahead guards keep the scan cheap on ordinary text.
_ALNUM_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<iban>[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,8}(?:[ \u00a0]?[A-Z0-9]{1,3})?)"
    r"|(?P<curp>[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d)"
    r"|(?P<pan>[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z])"
    r"|(?P<kra>[AP]\d{9}[A-Z])"
    r"|(?P<gh>GHA[\-\u2010\u2011 ]?\d{9}[\-\u2010\u2011 ]?\d)"
    r")(?![0-9A-Za-z])"
)
_ALNUM_GUARD_RE = re.compile(r"[A-Z][A-Z0-9]?\d|GHA")
_TOKEN_RE = re.compile(r"<[A-Z][A-Z_]*(?::[0-9a-f]{12})?>")

_DATE_RE = re.compile(
    r"(?P<d1>\d{1,2})[./\-](?P<m1>\d{1,2})[./\-](?:\d{2}|\d{4})"
    r"|(?:1[5-9]|20)\d\d[./\-](?P<m2>\d{1,2})[./\-](?P<d2>\d{1,2})"
    r"|(?:1[5-9]|20)\d\d[/\-](?:(?:1[5-9]|20)\d\d|\d\d)"
)
_CURRENCY_BEFORE_RE = re.compile(
    r"(?:[$€£¥₹₦₵₱₫฿₨৳₺₩﷼]|(?<![A-Za-z])(?:KSh|Ksh|KES|TSh|Tsh|TZS|USh|Ush|UGX|Rs|INR|Rp|IDR|"
    r"R\$|BRL|Tk|BDT|NGN|GHS|ZAR|EGP|MAD|ETB|Br|VND|USD|EUR|FCFA|CFA|XOF|XAF|MXN|PEN|S/|COP|ARS|"
    r"CLP|RM|MYR|PHP|PKR|THB|CNY|RMB|LE|Le)\.?)[ \u00a0]?\Z"
)
_CURRENCY_AFTER_RE = re.compile(
    r"[ \u00a0]?(?:%|‰|[$€£¥₹₦₵₱₫฿₨৳₺₩﷼元块円]|(?:FCFA|F CFA|CFA|naira|nairas|shillingi|"
    r"shilingi|shillings?|bob|cedis?|rand|rupees?|rupiah|Rp|taka|dong|đồng|đ|birr|dirhams?|"
    r"DH|dh|reais|real|pesos?|soles|francs?|dollars?|euros?|KSh|Tsh|ringgit|baht|yuan|"
    r"kwacha|leones?|XOF|XAF|VND|MAD|USD|EUR|MXN|PEN|COP|ARS|CLP|BRL|INR|KES|NGN|GHS|ZAR|EGP|"
    r"ETB|TZS|UGX|RWF|BDT|PKR|IDR|PHP|THB|MYR|CNY|RMB)(?!\w)|रुपये|रुपए|টাকা|ብር|جنيه|درهم|دولار)"
)
_VERSION_BEFORE_RE = re.compile(
    r"(?:(?<![^\W\d_])(?:version|versión|versão|ver|v|toleo|phiên bản|release|build|sigar|"
    r"النسخة|الإصدار|الاصدار)|版本|संस्करण)[\s.:]{0,3}\Z",
    re.IGNORECASE,
)
# 1.234.567 / 12 345 678 / 1,234,567: an amount or a count, not a phone unless a phone word
# precedes it (Peruvian mobiles are written 987 654 321).
_THOUSANDS_RE = re.compile(r"[1-9]\d{0,2}(?:[ .,\u00a0\u202f]\d{3}){2,}")
# 1.2.3.4567 (dotted, with a one-digit group): a version number.
_DOTTED_VERSION_RE = re.compile(r"\d+(?:\.\d+)*\.\d(?:\.\d+)*")
# Layouts of identity numbers: if the checksum fails, the number is not a phone either.
_ID_SHAPES = frozenset({"3.3.3-2", "5-7-1", "1-4-5-2-1", "6-2-4", "4-4-4-4", "4 4 4 4"})


def _fold(s: str) -> str:
    """Case- and accent-insensitive form used for keyword matching."""
    return strip_combining(s).casefold()


def _ascii_digits(s: str) -> str:
    """The decimal digits of ``s`` (any script) as ASCII digits."""
    if s.isascii():
        return _NONDIGIT_RE.sub("", s)
    out = []
    for c in s:
        v = unicodedata.decimal(c, -1)
        if v >= 0:
            out.append(chr(48 + v))
    return "".join(out)


def _to_ascii(s: str) -> str:
    """``s`` with non-ASCII decimal digits replaced by ASCII ones (other characters kept)."""
    if s.isascii():
        return s
    return "".join(chr(48 + v) if (v := unicodedata.decimal(c, -1)) >= 0 else c for c in s)


def _shape(run: str) -> str:
    """Digit-group lengths and separators: ``'123.456.789-09'`` -> ``'3.3.3-2'``."""
    s = _to_ascii(run).translate(_SHAPE_SEP)
    return _GROUP_RE.sub(lambda m: str(len(m.group())), s)


# --------------------------------------------------------------------------------------------
# Context keywords (written naturally; folded when compiled)

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "PHONE": (
        "tel", "tél", "telephone", "téléphone", "phone", "mobile", "mob", "cell", "call",
        "whatsapp", "simu", "namba ya simu", "nambari ya simu", "piga", "nipigie", "lambar waya",
        "waya", "fóònù", "nọ́mbà fóònù", "ስልክ", "هاتف", "الهاتف", "جوال", "موبايل", "फ़ोन",
        "फोन", "मोबाइल", "ফোন", "মোবাইল", "telepon", "telp", "hp", "ponsel", "điện thoại", "đt",
        "sđt", "电话", "手机", "telefone", "celular", "cel", "teléfono", "móvil", "portable",
        "contact", "contacto", "contato", "appelez", "joindre", "ligue", "llame", "llamar",
    ),
    # Generic "number" words: they only let a 987 654 321 layout count as a phone (no score).
    "PHONE_WEAK": (
        "número", "mi número", "mon numéro", "numéro", "nomor", "nambari", "namba", "lambar",
        "nọ́mbà", "my number", "number", "no.", "nº", "n°",
    ),
    "CREDIT_CARD": (
        "card", "credit card", "debit card", "kadi", "cartão", "tarjeta", "carte", "thẻ", "kartu",
        "卡号", "信用卡", "银行卡", "कार्ड", "কার্ড", "بطاقة", "visa", "mastercard", "verve", "rupay",
        "amex", "katin", "káàdì",
    ),
    "NG_NIN": (
        "nin", "national identification number", "national identity number", "nimc",
        "nọ́mbà ìdánimọ̀", "nomba idanimo", "ìdánimọ̀", "lambar shaida", "lambar shaidar",
        "lambar nin", "nọmba njirimara", "njirimara",
    ),
    "KE_ID": (
        "id no", "id number", "id num", "id card", "national id", "i.d.", "i.d. no",
        "kitambulisho", "namba ya kitambulisho", "nambari ya kitambulisho", "id yangu", "id namba",
        "kitambulisho cha taifa",
    ),
    "ZA_ID": (
        "id number", "identity number", "id no", "sa id", "i.d.", "inombolo kamazisi",
        "id-nommer", "identiteitsnommer", "nomoro ya boitsebiso", "omazisi",
    ),
    "IN_AADHAAR": ("aadhaar", "aadhar", "uidai", "आधार", "আধার", "ஆதார்"),
    "BR_CPF": ("cpf",),
    "ID_NIK": ("nik", "ktp", "e-ktp", "nomor induk kependudukan"),
    "PK_CNIC": ("cnic", "nic", "شناختی کارڈ", "قومی شناختی", "nadra", "id card"),
    "TH_ID": ("เลขประจำตัวประชาชน", "บัตรประชาชน", "เลขบัตร", "thai id", "id card"),
    "MY_NRIC": ("nric", "mykad", "ic", "ic no", "no. kp", "kad pengenalan", "i/c"),
    "CN_RESIDENT_ID": ("身份证", "身份证号", "公民身份号码", "resident id", "居民身份证"),
    "CL_RUT": ("rut", "run", "cédula", "cedula"),
}  # fmt: skip

# A number right after one of these is not personal data (or not one of our types).
_NEGATIVE_WORDS: tuple[str, ...] = (
    "isbn", "issn", "doi", "order", "order no", "invoice", "receipt", "ref", "reference",
    "tracking", "ticket", "sku", "oda", "agizo", "risiti", "ankara", "pedido", "commande",
    "facture", "reçu", "đơn hàng", "hóa đơn", "mã đơn", "订单", "发票", "单号", "pesanan",
    "faktur", "resi", "रसीद", "ऑर्डर", "transaction", "muamala", "txn", "factura", "boleta",
    "nota fiscal", "protocolo", "patent", "serial", "s/n", "model", "lot", "batch", "isbn-13",
    "cep", "código postal", "codigo postal", "postal code", "zip", "zip code", "pin code",
    "code postal", "kode pos", "邮编", "邮政编码",
    "isbn-10", "arxiv", "pmid", "no. de orden", "numéro de commande", "lambar oda",
)  # fmt: skip


def _keyword_alt(words: Iterable[str]) -> str:
    parts = []
    for w in sorted({_fold(w) for w in words}, key=len, reverse=True):
        esc = re.escape(w)
        latin = all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in w)
        parts.append(rf"(?<!\w){esc}(?!\w)" if latin else esc)
    return "|".join(parts)


_CONTEXT_WINDOW = 64
# A bare "ID:" right before a 7-8 digit number also counts for KE_ID, unless it is an order,
# user, transaction... ID.
_BARE_ID = "".join(
    f"(?<!{w} )"
    for w in ("order", "user", "transaction", "session", "customer", "product", "invoice",
              "device", "txn", "tracking", "chat", "app", "game", "video", "post", "message",
              "ticket", "reference", "ref", "payment", "request", "batch")
) + r"(?<!\w)id[\s:#.\-]{0,3}\Z"  # fmt: skip
_CONTEXT_RE: dict[str, re.Pattern[str]] = {
    t: re.compile(
        rf"(?:{_keyword_alt(ws)})[^\d\n]{{0,30}}\Z" + (f"|{_BARE_ID}" if t == "KE_ID" else "")
    )
    for t, ws in _KEYWORDS.items()
}
_NEGATIVE_RE = re.compile(rf"(?:{_keyword_alt(_NEGATIVE_WORDS)})[^\d\n]{{0,12}}\Z")
_NEGATIVE_TYPES = frozenset({"PHONE", "CREDIT_CARD", "IN_AADHAAR", "ZA_ID", "ID_NIK", "BR_CPF"})


# --------------------------------------------------------------------------------------------
# Validators


def _valid(check: Callable[[str], bool], number: str) -> bool:
    """``check(number)``, treating any exception inside a validator as "not valid"."""
    try:
        return bool(check(number))
    except Exception:  # stdnum validators occasionally raise on odd input (e.g. KeyError)
        return False


def _card_ok(d: str) -> bool:
    """Plausible issuer prefix for the length, then Luhn."""
    n = len(d)
    if not 13 <= n <= 19:
        return False
    p2, p3, p4 = int(d[:2]), int(d[:3]), int(d[:4])
    if d[0] == "4":  # Visa (incl. Elo/Visa co-brands)
        ok = n in (13, 16, 19)
    elif 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        ok = n == 16
    elif p2 in (34, 37):  # American Express
        ok = n == 15
    elif 2200 <= p4 <= 2204:  # Mir
        ok = n >= 16
    elif p2 in (36, 38, 39) or 300 <= p3 <= 305:  # Diners
        ok = n >= 14
    elif 3528 <= p4 <= 3589:  # JCB
        ok = n >= 16
    elif d[0] in "56":  # Maestro, Verve, Discover, UnionPay, RuPay, Elo, Hipercard
        ok = n >= 16 or (d[0] == "5" and n >= 13)
    elif p2 in (81, 82) or p4 == 9792:  # RuPay, Troy
        ok = n == 16
    else:
        ok = False
    return ok and _valid(luhn.is_valid, d)


# IBAN-format accounts used by banks of these countries although SWIFT's registry (and so
# stdnum.iban) does not list them yet (the UEMOA/CEMAC zones, Morocco, Algeria, ...): checked by
# length and the ISO 7064 mod 97-10 check only.
_IBAN_EXTRA = frozenset(
    {"SN", "CI", "ML", "BF", "BJ", "TG", "NE", "GW", "CM", "CF", "CG", "GA", "GQ", "TD", "MG",
     "DZ", "AO", "MZ", "CV", "KM", "MA", "IR"}
)  # fmt: skip


def _iban_ok(compact: str) -> bool:
    if _valid(_iban.is_valid, compact):
        return True
    return (
        compact[:2] in _IBAN_EXTRA
        and 24 <= len(compact) <= 30
        and _valid(_mod97.is_valid, compact[4:] + compact[:4])
    )


def _date_like(norm: str) -> bool:
    m = _DATE_RE.fullmatch(norm)
    if m is None:
        return False
    for dk, mk in (("d1", "m1"), ("d2", "m2")):
        if m.group(dk) is not None:
            a, b = int(m.group(dk)), int(m.group(mk))
            return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)
    return True  # year range


class _Region(NamedTuple):
    code: str
    cc: str
    nprefix: re.Pattern[str] | None
    lengths: frozenset[int]
    general: re.Pattern[str] | None
    always: bool


@lru_cache(maxsize=64)
def _regions(codes: tuple[str, ...]) -> tuple[_Region, ...]:
    out = []
    for code in codes:
        md = PhoneMetadata.metadata_for_region(code)
        if md is None:
            raise ValueError(f"unknown phone region {code!r} (use ISO 3166-1 alpha-2, e.g. 'KE')")
        gd = md.general_desc
        npfp = md.national_prefix_for_parsing or md.national_prefix
        pattern = gd.national_number_pattern if gd is not None else None
        out.append(
            _Region(
                code=code,
                cc=str(md.country_code),
                nprefix=re.compile(npfp) if npfp else None,
                lengths=frozenset(gd.possible_length or ()) if gd is not None else frozenset(),
                general=re.compile(pattern) if pattern else None,
                always=bool(md.national_prefix_transform_rule) or gd is None or not pattern,
            )
        )
    return tuple(out)


def _may_be_valid(reg: _Region, d: str) -> bool:
    """Necessary condition for ``parse(d, region)`` to give a valid number (cheap)."""
    if reg.always:
        return True
    cands = [d]
    if d.startswith(reg.cc):
        cands.append(d[len(reg.cc) :])
    if reg.nprefix is not None:
        for c in tuple(cands):
            m = reg.nprefix.match(c)
            if m is not None and m.end() > 0:
                cands.append(c[m.end() :])
    general = reg.general
    assert general is not None
    return any(len(c) in reg.lengths and general.fullmatch(c) is not None for c in cands)


def _e164(num: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _intl_phone(d: str) -> str | None:
    """E.164 form of ``+d`` if it is a valid phone number."""
    if not 8 <= len(d) <= 15:
        return None
    try:
        num = phonenumbers.parse("+" + d, None)
    except phonenumbers.NumberParseException:
        return None
    return _e164(num) if phonenumbers.is_valid_number(num) else None


def _national_phone(
    d: str, layout_ok: bool, regions: tuple[_Region, ...]
) -> tuple[str, int] | None:
    """``(E.164, strength)`` if ``d`` is a valid national number in one of ``regions``.

    Strength 2 (report): the written number carries the region's national prefix (``0...``)
    or country code, or is laid out like a phone number (``layout_ok``), or is a mobile number
    of 10+ digits (``13812345678``).  Strength 1 (report only with a context word): a bare
    8-9 digit number that merely fits some region's numbering plan - with 50 regions, most
    random 8-9 digit numbers do.
    """
    if not 7 <= len(d) <= 15:
        return None
    weak: str | None = None
    for reg in regions:
        if not _may_be_valid(reg, d):
            continue
        try:
            num = phonenumbers.parse(d, reg.code)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(num):
            continue
        nsn = phonenumbers.national_significant_number(num)
        if (
            layout_ok
            or len(nsn) < len(d)
            or (len(nsn) >= 10 and phonenumbers.number_type(num) in _MOBILE_TYPES)
        ):
            return _e164(num), 2
        if weak is None:
            weak = _e164(num)
    return (weak, 1) if weak is not None else None


# --------------------------------------------------------------------------------------------
# The redactor


class PiiRedactor:
    """Find PII in text and redact, tag or hash it.

    ``mode``: ``"redact"`` replaces each finding with ``<TYPE>``; ``"tag"`` leaves the text as
    it is and only counts; ``"hash"`` replaces with ``<TYPE:xxxxxxxxxxxx>``, the first 12 hex
    digits of HMAC-SHA256(salt, type + canonical value) - a ``salt`` is required.
    ``regions``: ISO 3166 regions whose national phone formats are recognised.
    ``types``: the subset of :data:`PII_TYPES` to report (default: all).  Detection still
    considers every type, so that, e.g., turning off ``PHONE`` does not make a phone number
    show up as a ``BR_CPF``.
    """

    def __init__(
        self,
        mode: Mode = "redact",
        *,
        regions: Sequence[str] = DEFAULT_REGIONS,
        types: Collection[str] | None = None,
        salt: bytes | None = None,
    ) -> None:
        if mode not in ("redact", "tag", "hash"):
            raise ValueError(f"mode must be 'redact', 'tag' or 'hash', not {mode!r}")
        if salt is not None and not isinstance(salt, bytes | bytearray):
            raise TypeError("salt must be bytes")
        if mode == "hash" and not salt:
            raise ValueError(
                "mode='hash' needs a secret salt (salt=b'...'): unsalted hashes of phone numbers, "
                "e-mails and ID numbers can be reversed by hashing every possible value"
            )
        if isinstance(regions, str):
            raise TypeError("regions must be a sequence of region codes, not a string")
        self.mode: Mode = mode
        self.regions: tuple[str, ...] = tuple(r.upper() for r in regions)
        chosen = tuple(PII_TYPES) if types is None else tuple(types)
        unknown = sorted(set(chosen) - set(PII_TYPES))
        if unknown:
            raise ValueError(f"unknown PII types {unknown}; known: {', '.join(PII_TYPES)}")
        self.types: frozenset[str] = frozenset(chosen)
        self.salt: bytes | None = bytes(salt) if salt is not None else None
        self._setup()

    def _setup(self) -> None:
        self._regions = _regions(self.regions)
        t = self.types
        self._want_email = "EMAIL" in t
        self._want_ip = "IP_ADDRESS" in t
        self._want_alnum = bool(t & {"IBAN", "MX_CURP", "IN_PAN", "KE_KRA_PIN", "GH_CARD"})

    def __getstate__(self) -> dict[str, object]:
        return {"mode": self.mode, "regions": self.regions, "types": self.types, "salt": self.salt}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __repr__(self) -> str:
        return (
            f"PiiRedactor(mode={self.mode!r}, regions={len(self.regions)}, types={len(self.types)})"
        )

    # -- public API ------------------------------------------------------------------------

    def find(self, text: str) -> list[PiiFinding]:
        """Non-overlapping findings of the enabled types, sorted by position."""
        cands: list[_Cand] = []
        self._scan_runs(text, cands)
        if self._want_email:
            if "@" in text:
                self._scan_email(text, cands)
            if _EMAIL_OBF_GUARD_RE.search(text):
                self._scan_email_obfuscated(text, cands)
        if self._want_ip and text.count(":") >= 2:
            self._scan_ipv6(text, cands)
        if self._want_alnum and _ALNUM_GUARD_RE.search(text):
            self._scan_alnum(text, cands)
        if not cands:
            return []
        taken = _resolve(cands)
        if "<" in text:  # never re-detect inside our own placeholders
            blocked = [m.span() for m in _TOKEN_RE.finditer(text)]
            if blocked:
                taken = [c for c in taken if not _overlaps_any(c.start, c.end, blocked)]
        return [
            PiiFinding(c.type, c.start, c.end, text[c.start : c.end], c.canonical)
            for c in taken
            if c.type in self.types
        ]

    def process(self, text: str) -> tuple[str, dict[str, int]]:
        """``(new text, counts by type)``; in tag mode the text is returned unchanged.

        In redact/hash mode the output is scanned again until nothing more is found (at most
        16 passes; one or two in practice) so that PII that only became separable after a
        neighbour was replaced is removed too.  Placeholders are never re-detected.
        """
        counts: dict[str, int] = {}
        for _ in range(1 if self.mode == "tag" else 16):
            findings = self.find(text)
            if not findings:
                break
            for f in findings:
                counts[f.type] = counts.get(f.type, 0) + 1
            if self.mode == "tag":
                break
            text = self._replace(text, findings)
        return text, counts

    def placeholder(self, finding: PiiFinding) -> str:
        """The replacement for one finding in the current mode."""
        if self.mode == "hash":
            assert self.salt is not None
            value = f"{finding.type}\x00{finding.canonical or finding.text}"
            digest = hmac.new(self.salt, value.encode("utf-8", "surrogatepass"), hashlib.sha256)
            return f"<{finding.type}:{digest.hexdigest()[:12]}>"
        return f"<{finding.type}>"

    # -- internals -------------------------------------------------------------------------

    def _replace(self, text: str, findings: Sequence[PiiFinding]) -> str:
        parts: list[str] = []
        pos = 0
        for f in findings:
            parts.append(text[pos : f.start])
            parts.append(self.placeholder(f))
            pos = f.end
        parts.append(text[pos:])
        return "".join(parts)

    def _scan_email(self, text: str, out: list[_Cand]) -> None:
        for m in _EMAIL_RE.finditer(text):
            out.append(_Cand(9, "EMAIL", m.start(), m.end(), m.group().lower()))

    def _scan_email_obfuscated(self, text: str, out: list[_Cand]) -> None:
        for m in _EMAIL_OBF_RE.finditer(text):
            s = m.group()
            if "@" in s:
                continue
            canonical = re.sub(_OBF_AT, "@", s)
            canonical = re.sub(_OBF_DOT, ".", canonical).lower()
            out.append(_Cand(9, "EMAIL", m.start(), m.end(), canonical))

    def _scan_ipv6(self, text: str, out: list[_Cand]) -> None:
        for m in _IPV6_RE.finditer(text):
            s = m.group()
            if s.count(":") < 2 or len(s.replace(":", "")) < 2:
                continue
            try:
                ip = ipaddress.IPv6Address(s)
            except ValueError:
                continue
            if ip.is_unspecified:
                continue
            out.append(_Cand(8, "IP_ADDRESS", m.start(), m.end(), ip.compressed))

    def _scan_alnum(self, text: str, out: list[_Cand]) -> None:
        for m in _ALNUM_RE.finditer(text):
            kind = m.lastgroup
            s = m.group()
            if kind == "iban":
                self._iban(text, m.start(), s, out)
            elif kind == "curp":
                if _valid(_curp.is_valid, s):
                    out.append(_Cand(8, "MX_CURP", m.start(), m.end(), s))
            elif kind == "pan":
                if _valid(_pan.is_valid, s):
                    out.append(_Cand(6, "IN_PAN", m.start(), m.end(), s))
            elif kind == "kra":
                if _valid(_kra.is_valid, s):
                    out.append(_Cand(7, "KE_KRA_PIN", m.start(), m.end(), s))
            elif kind == "gh":
                out.append(_Cand(8, "GH_CARD", m.start(), m.end(), "GHA" + s[3:].strip("- ")))

    def _iban(self, text: str, start: int, s: str, out: list[_Cand]) -> None:
        # The regex may swallow a following upper-case word or number group: trim from the end.
        ends = [len(s)] + [i for i in range(len(s) - 1, 14, -1) if s[i] in " \u00a0"]
        for end in ends:
            cand = s[:end].rstrip()
            compact = cand.replace(" ", "").replace("\u00a0", "")
            if len(compact) < 15:
                break
            if _iban_ok(compact):
                out.append(_Cand(8, "IBAN", start, start + len(cand), compact))
                return
        # a contiguous IBAN glued to more characters is not trimmed further (rare)

    def _scan_runs(self, text: str, out: list[_Cand]) -> None:
        # Fast path: a scan whose first character class lets the regex engine skip ahead,
        # then the exact digit-run pattern only inside clusters with 7+ digits.
        n = len(text)
        for c in _CLUSTER_RE.finditer(text):
            cs, ce = c.span()
            if ce - cs >= 7 and len(_NONDIGIT_RE.sub("", c.group())) >= 7:
                self._scan_cluster(text, cs, min(n, ce + 2), out)

    def _scan_cluster(self, text: str, cs: int, ce: int, out: list[_Cand]) -> None:
        for m in _RUN_RE.finditer(text, cs, ce):
            start, end = m.start(), m.end()
            sfx = m.group("sfx")
            body_end = end - len(sfx) if sfx else end
            digits = _ascii_digits(text[start:body_end])
            if not 7 <= len(digits) <= 48:
                continue  # too short for any type; or a long table of numbers
            cand = self._classify(text, start, end, digits, sfx)
            if cand is _VETO:
                continue
            if cand is not None:
                out.append(cand)
            elif not sfx and len(digits) > 9:
                self._split(text, start, end, out)

    def _split(self, text: str, start: int, end: int, out: list[_Cand]) -> None:
        """Greedy left-to-right split of a run that is not PII as a whole.

        Two numbers joined by ``/`` are split freely; at other separators a part is kept only
        when it scores >= 5 (an international number or a context word), so
        that fragments of account numbers and tables are not reported as phones.
        """
        groups = [(start + g.start(), start + g.end()) for g in _GROUP_RE.finditer(text[start:end])]
        if not 2 <= len(groups) <= 24:
            return
        i = 0
        while i < len(groups):
            found = False
            for j in range(min(len(groups) - 1, i + 7), i - 1, -1):
                if i == 0 and j == len(groups) - 1:
                    continue  # the whole run was already tried
                s = start if i == 0 else groups[i][0]
                if i > 0 and text[s - 1] == "(":
                    s -= 1
                e = groups[j][1]
                digits = _ascii_digits(text[s:e])
                if not 7 <= len(digits) <= 19:
                    continue
                cand = self._classify(text, s, e, digits, None)
                if cand is None or cand is _VETO:
                    continue
                slash_left = i == 0 or text[s - 1] == "/"
                slash_right = j == len(groups) - 1 or text[e] == "/"
                if cand.score >= 5 or (slash_left and slash_right):
                    out.append(cand)
                    i = j + 1
                    found = True
                    break
            if not found:
                i += 1

    def _classify(
        self, text: str, start: int, end: int, digits: str, sfx: str | None
    ) -> _Cand | None:
        """Best PII type for the digit run ``text[start:end]``.

        ``None``: nothing found (the caller may try parts of the run); ``_VETO``: the run is a
        date, an amount, an IP-shaped version number or follows a veto word (do not split it).
        """
        run = text[start:end]
        norm = _to_ascii(run)
        n = len(digits)
        before = text[max(0, start - _CONTEXT_WINDOW) : start]

        if sfx:
            up = sfx[-1].upper()
            if up == "X":
                if n == 17 and _valid(_ric.is_valid, digits + "X"):
                    return _Cand(7, "CN_RESIDENT_ID", start, end, digits + "X")
                return None
            if _rut_shape(norm) and _valid(_rut.is_valid, digits + "K"):
                return _Cand(7, "CL_RUT", start, end, digits + "K")
            return None

        if _IPV4_SHAPE_RE.fullmatch(norm):
            if not self._want_ip or _VERSION_BEFORE_RE.search(before[-16:]):
                return _VETO
            try:
                ip4 = ipaddress.IPv4Address(norm)
            except ValueError:
                return _VETO
            if ip4.is_unspecified:
                return _VETO
            return _Cand(8, "IP_ADDRESS", start, end, str(ip4))
        if (
            _date_like(norm)
            or _DOTTED_VERSION_RE.fullmatch(norm)
            or _VERSION_BEFORE_RE.search(before[-16:])
        ):
            return _VETO
        if _CURRENCY_BEFORE_RE.search(before[-8:]) or _CURRENCY_AFTER_RE.match(text, end):
            return _VETO

        folded = _fold(before)

        def ctx(t: str) -> bool:
            return _CONTEXT_RE[t].search(folded) is not None

        shape = _shape(run)
        stripped = norm.lstrip()
        intl = stripped.startswith(("+", "(+")) or (stripped.startswith("00") and n >= 10)
        cands: list[_Cand] = []

        def add(score: int, t: str, canonical: str) -> None:
            if score >= _MIN_SCORE:
                cands.append(_Cand(score, t, start, end, canonical))

        if intl:
            d = digits[2:] if stripped.startswith("00") else digits
            e164 = _intl_phone(d)
            if e164 is not None:
                add(5 + 3 * ctx("PHONE"), "PHONE", e164)
            # a "+" number is a phone number or nothing
            return cands[0] if cands else None

        if n == 11 and ctx("NG_NIN"):
            add(7, "NG_NIN", digits)
        if n in (7, 8) and ctx("KE_ID"):
            add(7, "KE_ID", digits)
        if n == 18 and _valid(_ric.is_valid, digits):
            add(7 + 3 * ctx("CN_RESIDENT_ID"), "CN_RESIDENT_ID", digits)
        if _rut_shape(norm) and _valid(_rut.is_valid, digits):
            add(7, "CL_RUT", digits)
        if n == 13:
            if _valid(_zaid.is_valid, digits):
                add(3 + 3 * ctx("ZA_ID"), "ZA_ID", digits)
            if _valid(_cnic.is_valid, digits):
                add(1 + 4 * (shape == "5-7-1") + 3 * ctx("PK_CNIC"), "PK_CNIC", digits)
            if _valid(_thpin.is_valid, digits):
                add(
                    1 + 4 * (shape in ("1-4-5-2-1", "1 4 5 2 1")) + 3 * ctx("TH_ID"),
                    "TH_ID",
                    digits,
                )
        if n == 12:
            if _valid(_aadhaar.is_valid, digits):
                add(
                    2 + 2 * (shape in ("4 4 4", "4-4-4")) + 3 * ctx("IN_AADHAAR"),
                    "IN_AADHAAR",
                    digits,
                )
            if _valid(_nric.is_valid, digits):
                add(1 + 4 * (shape == "6-2-4") + 3 * ctx("MY_NRIC"), "MY_NRIC", digits)
        if n == 11 and _valid(_cpf.is_valid, digits):
            add(2 + 4 * (shape == "3.3.3-2") + 3 * ctx("BR_CPF"), "BR_CPF", digits)
        if 13 <= n <= 19 and _card_ok(digits):
            card_shape = shape in _CARD_SHAPES
            add(2 + 2 * card_shape + 3 * ctx("CREDIT_CARD"), "CREDIT_CARD", digits)
        if n == 16 and _valid(_nik.is_valid, digits):
            add(2 + 3 * ctx("ID_NIK"), "ID_NIK", digits)
        if n <= 15 and shape not in _ID_SHAPES and not any(c.score >= 5 for c in cands):
            phone_ctx = ctx("PHONE")
            if phone_ctx or not _THOUSANDS_RE.fullmatch(norm) or ctx("PHONE_WEAK"):
                groups = _GROUP_RE.findall(run)
                # 3+ groups, one of them 3+ digits long ("12 34 56 78" is more often a table)
                layout_ok = "(" in run or (len(groups) >= 3 and max(map(len, groups)) >= 3)
                found = _national_phone(digits, layout_ok, self._regions)
                if found is not None:
                    add(found[1] + 3 * phone_ctx, "PHONE", found[0])
        negative = _NEGATIVE_RE.search(folded[-40:]) is not None
        if not cands:
            return _VETO if negative else None
        best = min(cands, key=lambda c: (-c.score, _PRIORITY[c.type]))
        if negative and best.type in _NEGATIVE_TYPES and best.score <= 4:
            return _VETO
        return best


def _overlaps_any(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (start, sys.maxsize))
    if i > 0 and spans[i - 1][1] > start:
        return True
    return i < len(spans) and spans[i][0] < end


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping subset, sorted by start: higher score, then longer span, then priority."""
    cands.sort(key=lambda c: (c.start, c.end))
    if all(a.end <= b.start for a, b in itertools.pairwise(cands)):
        return cands
    cands.sort(key=lambda c: (-c.score, -(c.end - c.start), _PRIORITY[c.type], c.start))
    spans: list[tuple[int, int]] = []
    taken: list[_Cand] = []
    for c in cands:
        if not _overlaps_any(c.start, c.end, spans):
            bisect.insort(spans, (c.start, c.end))
            taken.append(c)
    taken.sort(key=lambda c: c.start)
    return taken


_CARD_SHAPES = frozenset(
    {"4 4 4 4", "4-4-4-4", "4 6 5", "4-6-5", "4 6 4", "4 4 4 4 3", "4-4-4-4-3", "4 4 4 4 2",
     "4 4 4 1", "4 4 4 3", "4.4.4.4"}
)  # fmt: skip


def _rut_shape(norm: str) -> bool:
    return _RUT_SHAPE_RE.fullmatch(norm) is not None


_RUT_SHAPE_RE = re.compile(
    r"\d{1,2}\.\d{3}\.\d{3}(?:-[\dKk])?|\d{7,8}-[\dKk]|\d{1,2}\.\d{3}\.\d{3}[Kk]"
)
