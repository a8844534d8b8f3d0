"""Write bench/pii_labelled.jsonl: a synthetic, labelled PII evaluation set (multilingual, non-US).

Every value is generated here: phone numbers are random numbers that phonenumbers' metadata
accepts for the region, identity numbers are random digits completed with a valid check digit
(or, for look-alike negatives, with a wrong one).  None belongs to a real person.

Each output line: ``{"text", "lang", "spans": [{"start", "end", "type"}]}``.  Span conventions:
a phone span covers the whole written number, including a leading ``+``/``00`` and ``(area)``
parentheses; IDs cover their separators; e-mail spans cover ``local@domain``.

Run:  .venv/bin/python bench/pii_make_labelled.py  (deterministic; seed below)

One file (~670 lines) on purpose: a benchmark is a script a reader runs and reads top to
bottom (setup, the tools side by side, the report), and splitting it would scatter that story.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import phonenumbers
from stdnum import ean, iban, isbn, luhn
from stdnum.br import cpf
from stdnum.cl import rut
from stdnum.cn import ric
from stdnum.id import nik
from stdnum.in_ import aadhaar, pan
from stdnum.mx import curp
from stdnum.my import nric
from stdnum.pk import cnic
from stdnum.th import pin as thpin
from stdnum.za import idnr

OUT = Path(__file__).with_name("pii_labelled.jsonl")
rng = random.Random(20250611)
DIG = "0123456789"


def rdigits(n: int, first: str = DIG) -> str:
    return rng.choice(first) + "".join(rng.choice(DIG) for _ in range(n - 1))


def complete(body: str, valid: Callable[[str], bool], alphabet: str = DIG) -> str:
    """``body`` plus the check character that makes it valid."""
    for c in alphabet:
        if valid(body + c):
            return body + c
    raise ValueError(body)


def wrong_last(number: str, valid: Callable[[str], bool], alphabet: str = DIG) -> str:
    """``number`` with its last character changed so that the check fails."""
    for c in rng.sample(alphabet, len(alphabet)):
        cand = number[:-1] + c
        if cand != number and not valid(cand):
            return cand
    raise ValueError(number)


# ---------------------------------------------------------------------------------- phones

NATIVE_DIGITS = {"deva": "०१२३४५६७८९", "arab": "٠١٢٣٤٥٦٧٨٩", "beng": "০১২৩৪৫৬৭৮৯"}


def phone(region: str, fmt: str) -> str:
    ptype = phonenumbers.PhoneNumberType.MOBILE
    if fmt.startswith("fixed"):
        ptype = phonenumbers.PhoneNumberType.FIXED_LINE
        fmt = fmt.split("-", 1)[1] if "-" in fmt else "nat"
    ex = phonenumbers.example_number_for_type(region, ptype)
    assert ex is not None, region
    nsn = phonenumbers.national_significant_number(ex)
    for _ in range(1000):
        k = min(6, len(nsn) - 3)
        cand = nsn[:-k] + rdigits(k)
        num = phonenumbers.parse("+" + str(ex.country_code) + cand, None)
        if phonenumbers.is_valid_number(num) and cand != nsn:
            break
    else:
        raise ValueError(region)
    nat = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
    intl = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if fmt == "nat":
        return nat
    if fmt == "intl":
        return intl
    if fmt == "e164":
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if fmt == "compact":
        return re.sub(r"\D", "", nat)
    if fmt == "dots":
        return ".".join(re.findall(r"\d+", nat))
    if fmt == "dashes":
        return "-".join(re.findall(r"\d+", nat))
    if fmt == "00":
        return "00" + intl[1:]
    if fmt == "paren_cc":  # (+254) 712 345678
        cc, rest = intl[1:].split(" ", 1)
        return f"(+{cc}) {rest}"
    if fmt == "cc_zero":  # +234 (0) 803 123 4567
        cc, rest = intl.split(" ", 1)
        return f"{cc} (0) {rest}"
    if fmt == "intl_dashes":
        return "-".join(re.findall(r"\+?\d+", intl))
    if fmt in NATIVE_DIGITS:
        table = str.maketrans(DIG, NATIVE_DIGITS[fmt])
        return nat.translate(table)
    raise ValueError(fmt)


# ----------------------------------------------------------------------------- identifiers


def aadhaar_num() -> str:
    while True:
        a = complete(rdigits(11, "23456789"), aadhaar.is_valid)
        if aadhaar.is_valid(a):
            return a


def fmt_aadhaar(a: str) -> str:
    return rng.choice([f"{a[:4]} {a[4:8]} {a[8:]}", a, f"{a[:4]}-{a[4:8]}-{a[8:]}"])


CN_PLACES = ["110105", "310104", "440305", "510107", "420106", "330106", "320102", "610113"]


def cn_ric() -> str:
    while True:
        y = rng.randint(1960, 2004)
        body = f"{rng.choice(CN_PLACES)}{y}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body += rdigits(3)
        try:
            return complete(body, ric.is_valid, DIG + "X")
        except ValueError:
            continue  # place code not in use for that birth year


def cpf_num() -> str:
    base = rdigits(9)
    for a in DIG:
        for b in DIG:
            if cpf.is_valid(base + a + b):
                return base + a + b
    raise ValueError(base)


def fmt_cpf(c: str) -> str:
    return f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}"


def za_id() -> str:
    while True:
        y, m, d = rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28)
        body = f"{y:02d}{m:02d}{d:02d}{rdigits(4)}{rng.choice('01')}8"
        try:
            return complete(body, idnr.is_valid)
        except ValueError:
            continue


NIK_PLACES = ["317101", "317403", "327301", "357801", "347101", "517101", "737101", "127101"]


def nik_num() -> str:
    while True:
        d = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
        n = f"{rng.choice(NIK_PLACES)}{d:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}"
        n += rdigits(4, "0")
        if nik.is_valid(n):
            return n


def cnic_num() -> str:
    while True:
        n = rng.choice(["35202", "42101", "61101", "37405", "17301"]) + rdigits(8)
        if cnic.is_valid(n):
            return f"{n[:5]}-{n[5:12]}-{n[12]}"


def th_id() -> str:
    n = complete(rdigits(12, "12345678"), thpin.is_valid)
    return f"{n[0]}-{n[1:5]}-{n[5:10]}-{n[10:12]}-{n[12]}"


def my_nric() -> str:
    while True:
        n = f"{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        n += f"{rng.randint(1, 14):02d}{rdigits(4)}"
        if nric.is_valid(n):
            return f"{n[:6]}-{n[6:8]}-{n[8:]}"


CONS = "BCDFGHJKLMNPQRSTVWXYZ"


def curp_num() -> str:
    while True:
        body = (
            rng.choice("BCDGHLMPRSTV")
            + rng.choice("AEIOU")
            + rng.choice(CONS)
            + rng.choice("AEIOU")
            + f"{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + rng.choice("HM")
            + rng.choice(["DF", "JC", "NL", "PL", "VZ", "OC", "GR", "MC"])
            + "".join(rng.choice(CONS) for _ in range(3))
            + rng.choice(DIG)
        )
        try:
            return complete(body, curp.is_valid)
        except ValueError:
            continue


def rut_num() -> str:
    body = str(rng.randint(8_000_000, 24_999_999))
    n = complete(body, rut.is_valid, DIG + "K")
    b = n[:-1]
    return f"{b[:-6]}.{b[-6:-3]}.{b[-3:]}-{n[-1]}"


def pan_num() -> str:
    while True:
        n = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
        n += "P" + rng.choice("ABCDEFGHIJKLMNOPRSTUVWY") + rdigits(4) + rng.choice("ABCDEFGHJKLZ")
        if pan.is_valid(n):
            return n


def kra_pin() -> str:
    return "A" + rdigits(9, "0") + rng.choice("ABCDEFGHJKLMNPQRSTWXYZ")


def gh_card() -> str:
    return f"GHA-{rdigits(9, '1234567')}-{rng.choice(DIG)}"


IBAN_FORMS = {
    "EG": lambda: "0019" + rdigits(4) + rdigits(17),
    "BR": lambda: rdigits(8) + rdigits(5) + rdigits(10) + "C1",
    "PK": lambda: rng.choice(["SCBL", "HABB", "MUCB"]) + rdigits(16),
    "TN": lambda: "10" + rdigits(3) + rdigits(13) + rdigits(2),
    "SA": lambda: "80" + rdigits(18),
    "MR": lambda: "00020" + rdigits(5) + rdigits(11) + rdigits(2),
    "SN": lambda: "SN" + rdigits(22),
    "CI": lambda: "CI" + rdigits(22),
}


def iban_num(cc: str, valid: bool = True) -> str:
    bban = IBAN_FORMS[cc]()
    check = iban.calc_check_digits(cc + "00" + bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}"
        if check == iban.calc_check_digits(cc + "00" + bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    compact = cc + check + bban
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


CARD_PREFIXES = ["4", "51", "53", "55", "2221", "506099", "650002", "6521", "62", "636368", "37"]


def card_num(valid: bool = True) -> str:
    p = rng.choice(CARD_PREFIXES)
    n = 15 if p == "37" else 16
    body = p + rdigits(n - len(p) - 1)
    c = complete(body, luhn.is_valid)
    if not valid:
        c = wrong_last(c, luhn.is_valid)
    if n == 15:
        return rng.choice([f"{c[:4]} {c[4:10]} {c[10:]}", c])
    return rng.choice(
        [
            " ".join(c[i : i + 4] for i in range(0, 16, 4)),
            c,
            "-".join(c[i : i + 4] for i in range(0, 16, 4)),
        ]
    )


NAMES = [
    "amina.yusuf", "kwame.mensah", "fatou.diop", "nguyen.van.an", "wang.fang", "siti.rahma",
    "priya.sharma", "rahim.uddin", "abebe.kebede", "juma.hassan", "adebayo.ola", "chidi.okeke",
    "maria.silva", "juan.perez", "ana.quispe", "k.otieno", "moussa.traore", "aisha_bello",
    "tran.thi.mai", "li.wei88", "dewi.lestari", "rohan.k", "nomvula.dlamini", "yaw.boateng",
]  # fmt: skip
DOMAINS = [
    "gmail.com", "yahoo.fr", "mfano.co.ke", "shule.ac.tz", "unilag.edu.ng", "empresa.com.br",
    "correo.pe", "ucad.sn", "vnu.edu.vn", "ui.ac.id", "163.com", "qq.com", "iitb.ac.in",
    "du.ac.bd", "aau.edu.et", "uonbi.ac.ke", "outlook.com", "orange.ci", "unam.mx", "ug.edu.gh",
]  # fmt: skip


def email() -> str:
    local = rng.choice(NAMES)
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(DOMAINS)}"


def ipv4() -> str:
    first = rng.choice([41, 102, 105, 154, 196, 197, 103, 110, 177, 186, 200, 181])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6() -> str:
    pre = rng.choice(["2c0f:fe38", "2001:4860", "2405:200", "2800:3f0", "2c0f:f8f0", "fe80:0"])
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(4)]
    return pre + "::" + ":".join(groups) if rng.random() < 0.5 else pre + ":0:0:" + ":".join(groups)


# ------------------------------------------------------------------------- negatives


def neg(kind: str) -> str:
    r = rng
    if kind == "DATE":
        d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(1998, 2026)
        return r.choice(
            [f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}", f"{d}-{m}-{y}"]
        )
    if kind == "YEAR":
        y = r.randint(1990, 2022)
        return r.choice([str(y), f"{y}-{y + r.randint(1, 4)}", f"{y}/{(y + 1) % 100:02d}"])
    if kind.startswith("PRICE"):
        cur = kind.split("_", 1)[1] if "_" in kind else "KE"
        big = r.randint(1_000_000, 99_000_000)
        small = r.randint(100, 99_999)
        forms = {
            "KE": [f"KSh {big:,}", f"KSh {small:,}", f"KES {big:,}".replace(",", " ")],
            "NG": [f"₦{big:,}", f"₦ {big}", f"N{small:,}"],
            "ET": [f"{big:,} ብር", f"{small} ብር"],
            "EG": [f"{big:,} جنيه", f"EGP {big}"],
            "IN": [f"₹ {big:,}", f"Rs. {big}"],
            "BD": [f"৳ {big:,}", f"{big} টাকা"],
            "ID": [f"Rp {big:,}".replace(",", "."), f"Rp{big}"],
            "VN": [f"{big:,} đồng".replace(",", "."), f"{big:,} VND".replace(",", ".")],
            "CN": [f"{big}元", f"¥{big}"],
            "BR": [f"R$ {big:,}".replace(",", "."), f"R$ {small},99"],
            "MX": [f"$ {big:,} pesos", f"{big} MXN"],
            "XOF": [f"{big:,} FCFA".replace(",", " "), f"{big} F CFA"],
        }
        return r.choice(forms[cur])
    if kind == "ORDER":
        return r.choice([rdigits(8), rdigits(10), rdigits(9), "20" + rdigits(10)])
    if kind == "ORDER_DIGITS":
        return rdigits(8)
    if kind == "VERSION":
        return r.choice(
            [
                f"{r.randint(1, 15)}.{r.randint(0, 20)}.{r.randint(0, 30)}",
                f"v{r.randint(1, 5)}.{r.randint(0, 9)}",
                f"{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(100, 9999)}",
            ]
        )
    if kind == "POP":
        n = r.randint(2_000_000, 230_000_000)
        return r.choice([f"{n:,}", f"{n:,}".replace(",", "."), f"{n:,}".replace(",", " ")])
    if kind == "POP_IN":
        return "1,40,00,00,000"
    if kind == "ISBN":
        body = "978" + rng.choice(["9966", "978", "602", "604", "85", "607"])
        body += rdigits(12 - len(body))
        code = complete(body, isbn.is_valid)
        return f"{code[:3]}-{code[3:-5]}-{code[-5:-1]}-{code[-1]}"
    if kind == "CEP":
        return f"{rdigits(5, '0123')}-{rdigits(3)}"
    if kind == "MPESA":
        return "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
    if kind == "EXP":
        return f"{r.randint(1, 12):02d}/{r.randint(25, 31)}"
    if kind == "EAN":
        body = "600" + rdigits(9)
        return body + ean.calc_check_digit(body)
    if kind == "BAD_AADHAAR":
        a = wrong_last(aadhaar_num(), aadhaar.is_valid)
        return f"{a[:4]} {a[4:8]} {a[8:]}"
    if kind == "BAD_CPF":
        return fmt_cpf(wrong_last(cpf_num(), cpf.is_valid))
    if kind == "BAD_CARD":
        return card_num(valid=False)
    if kind == "BAD_CN":
        return wrong_last(cn_ric(), ric.is_valid, DIG + "X")
    if kind == "BAD_IBAN":
        return iban_num(rng.choice(["EG", "BR", "PK", "TN"]), valid=False)
    if kind == "BAD_ZA":
        return wrong_last(za_id(), idnr.is_valid)
    if kind == "TIME":
        return f"{r.randint(6, 21):02d}:{r.choice(['00', '15', '30', '45'])}"
    raise ValueError(kind)


def value(slot: str, arg: str | None) -> tuple[str, str | None]:
    """Surface text and gold type (None for negatives) for one template slot."""
    if slot == "PHONE":
        region, fmt = (arg or "KE:nat").split(":")
        return phone(region, fmt), "PHONE"
    if slot.startswith("NEG_"):
        return neg(slot[4:]), None
    makers: dict[str, Callable[[], str]] = {
        "EMAIL": email,
        "IPV4": ipv4,
        "IPV6": ipv6,
        "AADHAAR": lambda: fmt_aadhaar(aadhaar_num()),
        "CN_RIC": cn_ric,
        "CPF": lambda: fmt_cpf(cpf_num()),
        "CPF_PLAIN": cpf_num,
        "ZA_ID": za_id,
        "NIK": nik_num,
        "PK_CNIC": cnic_num,
        "TH_ID": th_id,
        "MY_NRIC": my_nric,
        "CURP": curp_num,
        "CL_RUT": rut_num,
        "PAN": pan_num,
        "KRA_PIN": kra_pin,
        "GH_CARD": gh_card,
        "CARD": card_num,
        "NG_NIN": lambda: rdigits(11, "123456789"),
        "KE_ID": lambda: rdigits(8, "123") if rng.random() < 0.8 else rdigits(7, "123456789"),
        "IBAN": lambda: iban_num(arg or "EG"),
        "ZA_ID_SPACED": lambda: (lambda z: f"{z[:6]} {z[6:10]} {z[10:]}")(za_id()),
        "AADHAAR_DEVA": lambda: fmt_aadhaar(aadhaar_num()).translate(
            str.maketrans(DIG, NATIVE_DIGITS["deva"])
        ),
        "EMAIL_OBF": lambda: email().replace("@", " [at] ").replace(".", " [dot] "),
        "EMAIL_TAGGED": lambda: email().replace("@", f"+{rng.choice(['shule', 'kazi'])}@"),
    }
    types = {
        "IPV4": "IP_ADDRESS", "IPV6": "IP_ADDRESS", "AADHAAR": "IN_AADHAAR",
        "CN_RIC": "CN_RESIDENT_ID", "CPF": "BR_CPF", "CPF_PLAIN": "BR_CPF", "NIK": "ID_NIK",
        "CURP": "MX_CURP", "PAN": "IN_PAN", "KRA_PIN": "KE_KRA_PIN", "CARD": "CREDIT_CARD",
        "ZA_ID_SPACED": "ZA_ID", "AADHAAR_DEVA": "IN_AADHAAR", "EMAIL_OBF": "EMAIL",
        "EMAIL_TAGGED": "EMAIL",
    }  # fmt: skip
    return makers[slot](), types.get(slot, slot)


# ------------------------------------------------------------------------- templates
# (lang, template).  {SLOT} or {SLOT:arg}; NEG_* slots are hard negatives (no span).

TEMPLATES: list[tuple[str, str]] = [
    # Swahili
    ("sw", "Kwa maelezo zaidi, nipigie kwa simu {PHONE:KE:nat} au nitumie barua pepe {EMAIL}."),
    ("sw", "Namba yangu ya kitambulisho ni {KE_ID} na simu ni {PHONE:KE:compact}."),
    ("sw", "Mkutano wa wazazi utafanyika tarehe {NEG_DATE}. Piga {PHONE:TZ:nat} kwa maswali."),
    ("sw", "Bei ya mbolea imepanda hadi {NEG_PRICE_KE} kwa gunia, kwa mujibu wa ripoti ya "
           "{NEG_YEAR}."),
    ("sw", "Wasiliana na mratibu kupitia WhatsApp {PHONE:KE:intl} kabla ya {NEG_DATE}."),
    ("sw", "Kitambulisho cha taifa nambari {KE_ID} kimepotea karibu na soko; mwenye kukiokota "
           "apige {PHONE:KE:dashes}."),
    ("sw", "Tuma ada ya shule kupitia Paybill 247247, akaunti {PHONE:KE:compact}."),
    ("sw", "Ripoti ya mtandao: seva {IPV4} ilijibu polepole, na anwani {IPV6} haikupatikana."),
    ("sw", "Agizo namba {NEG_ORDER} limetumwa; litafika baada ya siku tatu."),
    ("sw", "Nambari ya KRA PIN {KRA_PIN} inahitajika pamoja na kitambulisho {KE_ID}."),
    ("sw", "Simu ya ofisi ya Dodoma ni {PHONE:TZ:intl}, na barua pepe ni {EMAIL}."),
    ("sw", "Toleo {NEG_VERSION} la programu lina hitilafu; pakua toleo {NEG_VERSION} badala yake."),
    ("sw", "Idadi ya watu ni {NEG_POP} kulingana na sensa ya {NEG_YEAR}."),
    ("sw", "Mpigie Bi. Achieng kwa {PHONE:UG:nat} au {PHONE:KE:00}."),
    ("sw", "Kadi yake {CARD} iliibiwa jana jijini Mombasa."),
    ("sw", "Muamala {NEG_MPESA} umethibitishwa. {NEG_PRICE_KE} zimetumwa saa {NEG_TIME}."),
    ("sw", "Simu: {PHONE:KE:nat} / {PHONE:TZ:compact}. Ofisi hufunguliwa saa {NEG_TIME}."),
    # Yoruba
    ("yo", "Ẹ pè mí lórí fóònù {PHONE:NG:nat} tàbí kí ẹ fi lẹ́tà ránṣẹ́ sí {EMAIL}."),
    ("yo", "Nọ́mbà ìdánimọ̀ orílẹ̀-èdè (NIN) mi ni {NG_NIN}."),
    ("yo", "Ìpàdé àwọn òbí yóò wáyé ní {NEG_DATE}; owó ìforúkọsílẹ̀ jẹ́ {NEG_PRICE_NG}."),
    ("yo", "Fún ìrànlọ́wọ́, ẹ kàn sí {PHONE:NG:intl} ní àárọ̀."),
    ("yo", "Káàdì ìfowópamọ́ rẹ̀ {CARD} ti sọnù ní ọjà Ọ̀yìngbò."),
    ("yo", "NIN: {NG_NIN}, fóònù: {PHONE:NG:compact}, ímeèlì: {EMAIL}."),
    ("yo", "Ilé-ìwé náà ní akẹ́kọ̀ọ́ {NEG_POP} ní ọdún {NEG_YEAR}."),
    ("yo", "Ẹ fi owó ránṣẹ́ sí {PHONE:NG:dashes} lórí WhatsApp."),
    ("yo", "Ìwé yìí ní ISBN {NEG_ISBN}, a sì tẹ̀ ẹ́ ní {NEG_YEAR}."),
    # Hausa
    ("ha", "Don ƙarin bayani, a kira lambar waya {PHONE:NG:nat} ko a aika imel zuwa {EMAIL}."),
    ("ha", "Lambar shaidar ɗan ƙasa (NIN) ta ita ce {NG_NIN}."),
    ("ha", "Farashin buhun shinkafa ya kai {NEG_PRICE_NG} a kasuwar Kano a ranar {NEG_DATE}."),
    ("ha", "Ku tuntuɓe mu ta {PHONE:NG:intl} ko {PHONE:NE:intl}."),
    ("ha", "Lambar NIN {NG_NIN} da lambar waya {PHONE:NG:compact} suna cikin fom ɗin."),
    ("ha", "Sigar {NEG_VERSION} ta manhajar ta gyara matsalolin da aka samu."),
    ("ha", "An buga littafin a shekarar {NEG_YEAR} da lambar ISBN {NEG_ISBN}."),
    ("ha", "Lambar waya ta ofishin Niamey ita ce {PHONE:NE:nat}."),
    # Amharic
    ("am", "ለበለጠ መረጃ በስልክ ቁጥር {PHONE:ET:nat} ይደውሉ ወይም በ{EMAIL} ይጻፉ።"),
    ("am", "የቢሮው ስልክ {PHONE:ET:intl} ነው።"),
    ("am", "ስብሰባው {NEG_DATE} ይካሄዳል፤ የመግቢያ ክፍያ {NEG_PRICE_ET} ነው።"),
    ("am", "እባክዎ በ{PHONE:ET:compact} ወይም በ{PHONE:ET:00} ያግኙን።"),
    ("am", "የአገልጋዩ አድራሻ {IPV4} ነው።"),
    ("am", "የሕዝብ ብዛት {NEG_POP} ደርሷል።"),
    ("am", "የዩኒቨርሲቲው የቢሮ ስልክ {PHONE:ET:fixed-nat} ነው።"),
    # Arabic
    ("ar", "للاستفسار يرجى الاتصال على الرقم {PHONE:EG:nat} أو مراسلتنا على {EMAIL}."),
    ("ar", "رقم الهاتف المحمول: {PHONE:MA:intl}"),
    ("ar", "رقم الهاتف: {PHONE:EG:arab}"),
    ("ar", "يرجى التحويل إلى الحساب البنكي {IBAN:EG} قبل نهاية الشهر."),
    ("ar", "تم إصدار النسخة {NEG_VERSION} من التطبيق في {NEG_DATE}."),
    ("ar", "بلغ سعر الطن {NEG_PRICE_EG} في السوق."),
    ("ar", "عنوان IP الخاص بالخادم هو {IPV4} وعنوان IPv6 هو {IPV6}."),
    ("ar", "اتصل بنا على {PHONE:TN:intl} أو {PHONE:DZ:nat}."),
    ("ar", "رقم الحساب الدولي {IBAN:SA} مسجل باسم الجمعية."),
    ("ar", "للتواصل في الخرطوم: {PHONE:SD:intl}"),
    ("ar", "رقم الحساب {NEG_BAD_IBAN} غير صحيح."),
    # Hindi
    ("hi", "मेरा आधार नंबर {AADHAAR} है और मोबाइल नंबर {PHONE:IN:nat} है।"),
    ("hi", "किसी भी जानकारी के लिए {PHONE:IN:intl} पर फ़ोन करें या {EMAIL} पर लिखें।"),
    ("hi", "फ़ोन: {PHONE:IN:deva}"),
    ("hi", "पैन कार्ड संख्या {PAN} और आधार {AADHAAR} दोनों ज़रूरी हैं।"),
    ("hi", "इस योजना के तहत {NEG_PRICE_IN} तक की सहायता {NEG_DATE} से मिलेगी।"),
    ("hi", "भारत की जनसंख्या {NEG_POP_IN} से अधिक है।"),
    ("hi", "कार्ड {CARD} से भुगतान सफल रहा।"),
    ("hi", "गलत आधार {NEG_BAD_AADHAAR} दर्ज करने पर फॉर्म अस्वीकार होगा।"),
    ("hi", "हेल्पलाइन नंबर {PHONE:IN:compact} पर सुबह {NEG_TIME} बजे से संपर्क करें।"),
    # Bengali
    ("bn", "যোগাযোগের জন্য {PHONE:BD:nat} নম্বরে ফোন করুন অথবা {EMAIL} ঠিকানায় ইমেইল করুন।"),
    ("bn", "মোবাইল: {PHONE:BD:beng}"),
    ("bn", "আমার আধার নম্বর {AADHAAR}।"),
    ("bn", "সভাটি {NEG_DATE} তারিখে অনুষ্ঠিত হবে; প্রবেশ মূল্য {NEG_PRICE_BD}।"),
    ("bn", "হেল্পলাইন {PHONE:BD:intl} সকাল থেকে খোলা।"),
    ("bn", "দেশের জনসংখ্যা {NEG_POP} জন।"),
    ("bn", "অফিসের ফোন {PHONE:BD:dashes}, ইমেইল {EMAIL}।"),
    # Indonesian
    ("id", "Silakan hubungi kami di {PHONE:ID:nat} atau kirim email ke {EMAIL}."),
    ("id", "NIK saya {NIK} dan nomor HP {PHONE:ID:dashes}."),
    ("id", "Harga beras naik menjadi {NEG_PRICE_ID} per karung sejak {NEG_DATE}."),
    ("id", "Nomor KTP: {NIK}"),
    ("id", "WA: {PHONE:ID:intl}"),
    ("id", "Kartu kredit {CARD} telah diblokir."),
    ("id", "Nomor pesanan {NEG_ORDER} sedang dikirim."),
    ("id", "Jumlah penduduk {NEG_POP} jiwa pada sensus {NEG_YEAR}."),
    ("id", "Server {IPV4} tidak dapat dijangkau sejak pukul {NEG_TIME}."),
    ("id", "Kantor desa dapat dihubungi di {PHONE:ID:fixed-nat}."),
    # Vietnamese
    ("vi", "Số điện thoại liên hệ: {PHONE:VN:nat}, email: {EMAIL}."),
    ("vi", "Vui lòng gọi {PHONE:VN:intl} hoặc {PHONE:VN:dots}."),
    ("vi", "Giá vé là {NEG_PRICE_VN} và hội nghị diễn ra ngày {NEG_DATE}."),
    ("vi", "Mã đơn hàng {NEG_ORDER} đã được giao."),
    ("vi", "Phiên bản {NEG_VERSION} đã sửa lỗi bảo mật."),
    ("vi", "Địa chỉ IP của máy chủ là {IPV6}."),
    ("vi", "Dân số cả nước là {NEG_POP} người."),
    ("vi", "Thẻ {CARD} đã bị khóa, vui lòng gọi {PHONE:VN:compact}."),
    # Chinese
    ("zh", "如有疑问请拨打{PHONE:CN:compact}或发邮件至{EMAIL}。"),
    ("zh", "身份证号：{CN_RIC}，手机：{PHONE:CN:nat}"),
    ("zh", "订单号{NEG_ORDER}已发货，预计{NEG_DATE}送达。"),
    ("zh", "联系电话 {PHONE:CN:intl}"),
    ("zh", "银行卡号 {CARD}"),
    ("zh", "服务器地址为{IPV4}。"),
    ("zh", "本书ISBN {NEG_ISBN}，定价{NEG_PRICE_CN}。"),
    ("zh", "公民身份号码{CN_RIC}已登记。"),
    ("zh", "错误的身份证号{NEG_BAD_CN}无法通过校验。"),
    ("zh", "办公室电话{PHONE:CN:fixed-nat}，工作时间{NEG_TIME}开始。"),
    # Portuguese (Brazil)
    ("pt-BR", "Meu CPF é {CPF} e meu celular é {PHONE:BR:nat}."),
    ("pt-BR", "Entre em contato pelo e-mail {EMAIL} ou pelo telefone {PHONE:BR:intl}."),
    ("pt-BR", "CPF: {CPF_PLAIN}"),
    ("pt-BR", "O boleto de {NEG_PRICE_BR} vence em {NEG_DATE}."),
    ("pt-BR", "Nosso endereço: Av. Paulista, 1000, CEP {NEG_CEP}, São Paulo."),
    ("pt-BR", "O cartão {CARD} foi recusado."),
    ("pt-BR", "Faça a transferência para a conta IBAN {IBAN:BR}."),
    ("pt-BR", "Pedido nº {NEG_ORDER} confirmado."),
    ("pt-BR", "CPF inválido {NEG_BAD_CPF} não será aceito."),
    ("pt-BR", "WhatsApp: {PHONE:BR:compact}"),
    # Spanish (Mexico, Peru, Colombia, Chile)
    ("es-MX", "Mi CURP es {CURP} y mi teléfono es {PHONE:MX:nat}."),
    ("es-MX", "Para más información escriba a {EMAIL} o llame al {PHONE:MX:intl}."),
    ("es-MX", "El precio es de {NEG_PRICE_MX} a partir del {NEG_DATE}."),
    ("es-PE", "Llame al {PHONE:PE:nat} o al {PHONE:PE:intl}."),
    ("es-CL", "RUT {CL_RUT}, teléfono {PHONE:CL:intl}."),
    ("es-MX", "La tarjeta {CARD} fue bloqueada."),
    ("es-PE", "Número de pedido {NEG_ORDER}."),
    ("es-MX", "La versión {NEG_VERSION} ya está disponible."),
    ("es-CO", "Celular: {PHONE:CO:nat}"),
    ("es-PE", "Población: {NEG_POP} habitantes según el censo de {NEG_YEAR}."),
    ("es-PE", "Escríbanos a {EMAIL}; atendemos desde las {NEG_TIME}."),
    ("es-AR", "Llamame al {PHONE:AR:intl} después de las {NEG_TIME}."),
    # French (Senegal, Côte d'Ivoire, Cameroon, Morocco)
    ("fr-SN", "Pour tout renseignement, appelez le {PHONE:SN:nat} ou écrivez à {EMAIL}."),
    ("fr-CI", "Contact : {PHONE:CI:intl}"),
    ("fr-SN", "Virement sur le compte IBAN {IBAN:SN}."),
    ("fr-SN", "Le sac de riz coûte {NEG_PRICE_XOF} depuis le {NEG_DATE}."),
    ("fr-CI", "Numéro de commande {NEG_ORDER}."),
    ("fr-CI", "Tél. {PHONE:CI:nat} / {PHONE:CI:compact}"),
    ("fr-CM", "Appelez-nous au {PHONE:CM:nat} ou au {PHONE:SN:00}."),
    ("fr-CI", "Carte bancaire {CARD}, expiration {NEG_EXP}."),
    ("fr-SN", "La population est de {NEG_POP} habitants."),
    ("fr-MA", "Téléphone : {PHONE:MA:nat}"),
    ("fr-CI", "Le compte {IBAN:CI} est domicilié à Abidjan."),
    # English (Nigeria, Kenya, India, South Africa, Ghana, ...)
    ("en-NG", "Call me on {PHONE:NG:nat} or email {EMAIL}."),
    ("en-NG", "My NIN is {NG_NIN} and my phone is {PHONE:NG:intl}."),
    ("en-ZA", "ID number: {ZA_ID}, cell {PHONE:ZA:nat}."),
    ("en-KE", "Send the KES 2,500 fee to {PHONE:KE:compact} via M-Pesa."),
    ("en-IN", "Her Aadhaar number is {AADHAAR}, PAN {PAN}."),
    ("en-KE", "Transaction {NEG_MPESA} confirmed. {NEG_PRICE_KE} sent on {NEG_DATE} at "
              "{NEG_TIME}."),
    ("en-NG", "The card was charged {NEG_PRICE_NG} on {NEG_DATE}."),
    ("en-GH", "Ghana Card number {GH_CARD}, phone {PHONE:GH:nat}."),
    ("en-UG", "Contact the clinic on {PHONE:UG:intl} or {PHONE:RW:intl}."),
    ("en-KE", "The server at {IPV4} logged the request from {IPV6}."),
    ("en-PK", "CNIC {PK_CNIC}, mobile {PHONE:PK:nat}."),
    ("en-MY", "NRIC {MY_NRIC}, tel {PHONE:MY:nat}."),
    ("th", "เลขประจำตัวประชาชน {TH_ID} โทร {PHONE:TH:nat}"),
    ("en-KE", "Version {NEG_VERSION} fixes the bug reported on {NEG_DATE}."),
    ("en-NG", "Order #{NEG_ORDER_DIGITS} shipped on {NEG_DATE}."),
    ("en-IN", "ISBN {NEG_ISBN}, price {NEG_PRICE_IN}."),
    ("en-KE", "The card {NEG_BAD_CARD} was declined."),
    ("en-ZA", "The ID {NEG_BAD_ZA} failed verification."),
    ("en-ZA", "Population {NEG_POP} in {NEG_YEAR}; barcode {NEG_EAN}."),
    ("fil", "Tawagan ako sa {PHONE:PH:nat} o mag-email sa {EMAIL}."),
    ("en-KE", "Kindly confirm your ID no. {KE_ID} and KRA PIN {KRA_PIN} before {NEG_DATE}."),
    ("en-IN", "Card {CARD} exp {NEG_EXP}; call {PHONE:IN:intl} for help."),
    ("en-ZA", "South African ID {ZA_ID} was registered on {NEG_DATE}."),
    ("en-NG", "Pay into account 0123456789 and text {PHONE:NG:nat}."),
    ("zh", "请联系{PHONE:CN:dashes}，邮箱{EMAIL}。"),
    ("id", "NIK {NIK}, alamat email {EMAIL}."),
    ("es-MX", "CURP: {CURP}"),
    ("es-CL", "Mi RUT es {CL_RUT} y vivo en Santiago desde {NEG_YEAR}."),
    ("ur", "شناختی کارڈ نمبر {PK_CNIC} اور فون {PHONE:PK:intl}"),
    # harder layouts (some are known misses; kept to measure them)
    ("sw", "Jina: Wanjiku Kamau, ID: {KE_ID}, Simu: {PHONE:KE:nat}"),
    ("sw", "Simu ya dharura: {PHONE:KE:paren_cc} (saa 24)."),
    ("en-NG", "Reach the secretariat on {PHONE:NG:cc_zero} or {PHONE:NG:intl_dashes}."),
    ("en-KE", "Email {EMAIL_OBF} or {EMAIL} for the forms."),
    ("en-ZA", "Applicant ID {ZA_ID_SPACED}; tel. {PHONE:ZA:intl}."),
    ("hi", "आधार: {AADHAAR_DEVA}"),
    ("en-KE", "The API runs on {IPV4}:8080 behind the proxy."),
    ("sw", "Barua pepe ya idara: {EMAIL_TAGGED}"),
    ("fr-SN", "Joignable au {PHONE:SN:compact} du lundi au vendredi."),
    ("pt-BR", "Ligue {PHONE:BR:fixed-nat} ou {PHONE:BR:fixed-nat}."),
    ("es-PE", "Mi número es {PHONE:PE:nat}, escríbeme por WhatsApp."),
]  # fmt: skip

SLOT_RE = re.compile(r"\{([A-Z_0-9]+)(?::([^}]*))?\}")
REPEATS = 2


def render(lang: str, template: str) -> dict[str, Any]:
    parts: list[str] = []
    spans: list[dict[str, Any]] = []
    pos = 0
    length = 0
    for m in SLOT_RE.finditer(template):
        lit = template[pos : m.start()]
        parts.append(lit)
        length += len(lit)
        surface, typ = value(m.group(1), m.group(2))
        if typ is not None:
            spans.append({"start": length, "end": length + len(surface), "type": typ})
        parts.append(surface)
        length += len(surface)
        pos = m.end()
    parts.append(template[pos:])
    text = "".join(parts)
    for s in spans:
        assert isinstance(s["start"], int) and isinstance(s["end"], int)
    return {"text": text, "lang": lang, "spans": spans}


def main() -> None:
    docs = [render(lang, t) for _ in range(REPEATS) for lang, t in TEMPLATES]
    with OUT.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    n_spans = sum(len(d["spans"]) for d in docs)
    print(f"wrote {len(docs)} documents, {n_spans} spans -> {OUT}")


if __name__ == "__main__":
    main()
