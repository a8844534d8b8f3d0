"""Tests for puhui.corpus.pii: checksummed IDs, phones, modes, hard negatives, properties."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.cl import rut
from stdnum.cn import ric
from stdnum.in_ import aadhaar
from stdnum.mx import curp
from stdnum.th import pin as thpin
from stdnum.za import idnr

from puhui.corpus.pii import DEFAULT_REGIONS, PII_TYPES, PiiFinding, PiiRedactor

RED = PiiRedactor()
DIGITS = "0123456789"


def complete(body: str, valid: Callable[[str], bool], alphabet: str = DIGITS) -> str:
    """``body`` plus the check character(s) that make it valid (brute force)."""
    for c in alphabet:
        if valid(body + c):
            return body + c
    for a in alphabet:  # two check digits (CPF)
        for b in alphabet:
            if valid(body + a + b):
                return body + a + b
    raise AssertionError(f"no check digit for {body}")


def change_digit(number: str, index: int) -> str:
    """``number`` with the digit at ``index`` replaced by the next digit (mod 10)."""
    d = number[index]
    assert d.isdigit()
    return number[:index] + str((int(d) + 1) % 10) + number[index + 1 :]


def types_in(text: str, red: PiiRedactor = RED) -> list[str]:
    return [f.type for f in red.find(text)]


def only(text: str, red: PiiRedactor = RED) -> PiiFinding:
    found = red.find(text)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- checksums

CARD = complete("453201511283036", luhn.is_valid)
AADHAAR = complete("23456789012", aadhaar.is_valid)
CN_ID = complete("11010519900307451", ric.is_valid, DIGITS + "X")
CPF = complete("529982247", cpf.is_valid)
ZA_ID = complete("800101500908", idnr.is_valid)
TH_ID = complete("110070012345", thpin.is_valid)
CURP = complete("BOXW310820HNERXN0", curp.is_valid)
RUT = complete("12531909", rut.is_valid, DIGITS + "K")
IBAN_EG = "EG" + iban.calc_check_digits("EG00" + "0019" + "0005" + "12345678901234567")
IBAN_EG += "0019000512345678901234567"


def spaced(s: str, n: int = 4) -> str:
    return " ".join(s[i : i + n] for i in range(0, len(s), n))


# (type, how the valid number is written in a sentence, index of a digit to change)
CHECKSUM_CASES: list[tuple[str, str, int]] = [
    ("CREDIT_CARD", spaced(CARD), 5),
    ("CREDIT_CARD", CARD, 7),
    ("IN_AADHAAR", spaced(AADHAAR), 6),
    ("IN_AADHAAR", AADHAAR, 3),
    ("CN_RESIDENT_ID", CN_ID, 15),
    ("BR_CPF", f"{CPF[:3]}.{CPF[3:6]}.{CPF[6:9]}-{CPF[9:]}", 5),
    ("BR_CPF", CPF, 9),
    ("ZA_ID", ZA_ID, 10),
    ("TH_ID", f"{TH_ID[0]}-{TH_ID[1:5]}-{TH_ID[5:10]}-{TH_ID[10:12]}-{TH_ID[12]}", 9),
    ("MX_CURP", CURP, 17),
    ("CL_RUT", f"{RUT[:2]}.{RUT[2:5]}.{RUT[5:8]}-{RUT[8:]}", 1),
    ("IBAN", spaced(IBAN_EG), 12),
]


@pytest.mark.parametrize(("typ", "written", "index"), CHECKSUM_CASES)
def test_valid_checksum_is_found_and_one_changed_digit_is_not(
    typ: str, written: str, index: int
) -> None:
    text = f"Taarifa: {written} imeandikwa hapa."
    f = only(text)
    assert (f.type, f.text) == (typ, written)
    assert text[f.start : f.end] == written

    broken = change_digit(written, index)
    assert typ not in types_in(f"Taarifa: {broken} imeandikwa hapa.")


def test_cn_resident_id_with_x_check_character() -> None:
    for seq in range(100, 200):
        n = f"11010519491231{seq}"
        if ric.calc_check_digit(n + "0") == "X":
            break
    else:  # pragma: no cover - the loop always finds one
        pytest.fail("no X check digit in range")
    found = only(f"身份证号码：{n}X，已登记。")
    assert found.type == "CN_RESIDENT_ID"
    assert found.text == n + "X"


def test_card_needs_plausible_issuer_prefix() -> None:
    not_a_card = complete("912345678901234", luhn.is_valid)  # no issuer starts with 91
    assert "CREDIT_CARD" not in types_in(f"Nambari {spaced(not_a_card)} ni hii.")


# ----------------------------------------------------------------- context-only IDs


@pytest.mark.parametrize(
    "text",
    [
        "My NIN is 12345678901.",
        "Nọ́mbà ìdánimọ̀ orílẹ̀-èdè (NIN) mi ni 12345678901.",
        "Lambar shaidar ɗan ƙasa ta ita ce 12345678901.",
        "NOMBA IDANIMO: 12345678901",  # accents and case do not matter
    ],
)
def test_nigeria_nin_with_context(text: str) -> None:
    assert types_in(text) == ["NG_NIN"]


@pytest.mark.parametrize(
    "text",
    [
        "Kitambulisho changu ni 23456789.",
        "Namba ya kitambulisho: 2345678",
        "National ID no. 23456789",
        "Jina: Wanjiku, ID: 23456789",
    ],
)
def test_kenya_id_with_context(text: str) -> None:
    assert types_in(text) == ["KE_ID"]


@pytest.mark.parametrize(
    "text",
    [
        "Bei ni 12345678901 tu.",  # no keyword
        "NIN: 12345678901 imepokelewa. Nambari nyingine 23456789012 ni ya oda.",
    ],
)
def test_nin_needs_keyword_right_before(text: str) -> None:
    assert types_in(text).count("NG_NIN") == (1 if text.startswith("NIN") else 0)


def test_order_id_is_not_a_kenyan_id() -> None:
    assert "KE_ID" not in types_in("Order ID: 23456789")
    assert "KE_ID" not in types_in("Tafadhali lipa 23456789 leo")


# ---------------------------------------------------------------------------- phones


def example(region: str) -> phonenumbers.PhoneNumber:
    num = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert num is not None
    return num


PHONE_REGIONS = ["NG", "KE", "TZ", "GH", "ZA", "ET", "EG", "SN", "IN", "BD", "ID", "VN", "BR"]
FORMATS = [
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
]


@pytest.mark.parametrize("region", PHONE_REGIONS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_phone_formats(region: str, fmt: int) -> None:
    written = phonenumbers.format_number(example(region), fmt)
    text = f"Kwa maswali piga {written} kesho asubuhi."
    f = only(text)
    assert (f.type, f.text) == ("PHONE", written)
    if fmt != phonenumbers.PhoneNumberFormat.NATIONAL:  # national numbers are ambiguous
        e164 = phonenumbers.format_number(example(region), phonenumbers.PhoneNumberFormat.E164)
        assert f.canonical == e164


def test_national_number_canonical_form_follows_region_order() -> None:
    text = "Piga 0812 345 678 leo."  # valid in Indonesia and in South Africa
    assert PiiRedactor(regions=["ID", "ZA"]).find(text)[0].canonical.startswith("+62")
    assert PiiRedactor(regions=["ZA", "ID"]).find(text)[0].canonical.startswith("+27")


@pytest.mark.parametrize(
    "written",
    [
        "0712-345-678",
        "0712.345.678",
        "0712345678",
        "00254 712 345 678",
        "(+254) 712 345 678",
        "+254-712-345-678",
    ],
)
def test_phone_separators(written: str) -> None:
    f = only(f"Simu: {written}.")
    assert f.type == "PHONE"
    assert f.canonical == "+254712345678"


def test_phone_in_native_digits_and_without_spaces() -> None:
    assert types_in("फ़ोन: ९८७६५ ४३२१०") == ["PHONE"]
    assert types_in("মোবাইল: ০১৭১২-৩৪৫৬৭৮") == ["PHONE"]
    assert types_in("如有疑问请拨打13812345678或来电咨询") == ["PHONE"]


def test_two_phones_joined_by_slash_are_split() -> None:
    found = RED.find("Tel. 0712345678/0733123456")
    assert [f.text for f in found] == ["0712345678", "0733123456"]


def test_glued_international_number_is_found_in_one_pass() -> None:
    found = RED.find("0712 345 678+254 733 123456")
    assert [f.text for f in found] == ["0712 345 678", "+254 733 123456"]


def test_validator_exceptions_do_not_escape() -> None:
    # stdnum's CN check raises KeyError for some place codes; this digit run reaches it
    RED.process("0712 345 6782023-05-124532 0151 1283 0366")


def test_national_format_needs_a_configured_region() -> None:
    text = "Simu 0712 345 678 au +254 733 123 456"
    assert len(PiiRedactor(regions=["KE"]).find(text)) == 2
    intl_only = PiiRedactor(regions=[]).find(text)
    assert [f.text for f in intl_only] == ["+254 733 123 456"]


def test_bare_short_number_needs_context() -> None:
    # a bare 9-digit number without national prefix fits many numbering plans: not reported
    assert types_in("Kiasi ni 771234567 tu.") == []
    assert types_in("Appelez le 771234567 demain.") == ["PHONE"]


# -------------------------------------------------------------- other simple types


def test_email_ip_and_alphanumeric_ids() -> None:
    text = (
        "Barua pepe amina.juma+shule@mfano.co.ke, seva 41.90.64.12 na 2c0f:fe38::1a2b:3c4d, "
        "KRA PIN A004416331M, Ghana Card GHA-123456789-0, PAN ABCPE1234F."
    )
    assert types_in(text) == [
        "EMAIL",
        "IP_ADDRESS",
        "IP_ADDRESS",
        "KE_KRA_PIN",
        "GH_CARD",
        "IN_PAN",
    ]


def test_obfuscated_email() -> None:
    f = only("Andika kwa amina [at] mfano [dot] co [dot] ke leo.")
    assert f.type == "EMAIL"
    assert f.canonical == "amina@mfano.co.ke"


def test_indonesian_nik_pakistani_cnic_malaysian_nric() -> None:
    assert types_in("NIK saya 3171011708450001.") == ["ID_NIK"]
    assert types_in("CNIC 34201-0891231-8 hai.") == ["PK_CNIC"]
    assert types_in("NRIC 770305-02-1234.") == ["MY_NRIC"]
    # the CNIC validator is weak: a bare 13-digit number without layout or keyword is not one
    assert "PK_CNIC" not in types_in("Nambari 3420108912318 tu.")


# ---------------------------------------------------------------- hard negatives


@pytest.mark.parametrize(
    "text",
    [
        "Mkutano ni tarehe 12.05.2023 saa 14:30.",
        "Ripoti ya 2019-2023 na 2023/24 imetoka.",
        "Bei ni KSh 1,500,000 au KES 12 500 000.",
        "Giá vé là 15.000.000 đồng.",
        "Le sac coûte 2 500 000 FCFA.",
        "Harga Rp 12.500.000 per karung.",
        "Population 47 564 296 in 2019.",
        "Toleo 2.3.1 na version 10.0.19041.1234 zimetoka.",
        "Android 14.0.0.1 imewekwa.",
        "Order #48392017 shipped.",
        "Agizo namba 8843890899 limetumwa.",
        "ISBN 978-9966-25-123-4 na ISBN 9789966251234.",
        "CEP 01310-100, São Paulo.",
        "M-Pesa QGH4K2L9PZ confirmed.",
        "Ukurasa wa 12 hadi 45, sura ya 3.",
        "Coordinates -1.2921, 36.8219.",
        "Matokeo: 12 34 56 78 kwenye jedwali.",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert RED.find(text) == []


def test_invalid_checksum_lookalikes() -> None:
    bad_cpf = change_digit(CPF, 10)
    assert not cpf.is_valid(bad_cpf)
    assert RED.find(f"CPF {bad_cpf[:3]}.{bad_cpf[3:6]}.{bad_cpf[6:9]}-{bad_cpf[9:]}") == []
    bad_card = change_digit(CARD, 15)
    assert RED.find(f"Kadi {spaced(bad_card)}") == []
    bad_iban = IBAN_EG[:2] + change_digit(IBAN_EG[2:4], 1) + IBAN_EG[4:]
    assert "IBAN" not in types_in(f"IBAN {spaced(bad_iban)}")


# ----------------------------------------------------------------------------- modes


def test_redact_mode() -> None:
    out, counts = RED.process("Piga 0712 345 678 au andika amina@mfano.co.ke.")
    assert out == "Piga <PHONE> au andika <EMAIL>."
    assert counts == {"PHONE": 1, "EMAIL": 1}


def test_tag_mode_keeps_text() -> None:
    text = "Piga 0712 345 678 au andika amina@mfano.co.ke."
    out, counts = PiiRedactor("tag").process(text)
    assert out == text
    assert counts == {"PHONE": 1, "EMAIL": 1}


def test_hash_mode_requires_salt() -> None:
    with pytest.raises(ValueError, match="salt"):
        PiiRedactor("hash")
    with pytest.raises(ValueError, match="salt"):
        PiiRedactor("hash", salt=b"")


def test_hash_mode_is_keyed_and_stable() -> None:
    text = "Simu 0712 345 678."
    a1, _ = PiiRedactor("hash", salt=b"project-secret").process(text)
    a2, _ = PiiRedactor("hash", salt=b"project-secret").process(text)
    b, _ = PiiRedactor("hash", salt=b"other-secret").process(text)
    assert a1 == a2
    assert a1 != b
    assert a1.startswith("Simu <PHONE:") and a1.endswith(">.")
    token = a1[len("Simu <PHONE:") : -2]
    assert len(token) == 12 and all(c in "0123456789abcdef" for c in token)
    # the same number written two ways gets the same pseudonym
    c, _ = PiiRedactor("hash", salt=b"project-secret").process("Simu +254 712 345678.")
    assert c == a1


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode"):
        PiiRedactor("mask")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown PII types"):
        PiiRedactor(types={"PASSPORT"})
    with pytest.raises(ValueError, match="region"):
        PiiRedactor(regions=["XX"])


def test_types_filter() -> None:
    red = PiiRedactor(types={"EMAIL"})
    assert types_in("Piga 0712 345 678 au andika amina@mfano.co.ke.", red) == ["EMAIL"]


def test_picklable() -> None:
    red = PiiRedactor("hash", salt=b"s3cret", regions=("KE", "NG"))
    copy = pickle.loads(pickle.dumps(red))
    text = "Simu 0712 345 678, NIN 12345678901, barua amina@mfano.co.ke"
    assert copy.process(text) == red.process(text)
    assert copy.find(text) == red.find(text)


def test_constants() -> None:
    assert len(set(PII_TYPES)) == len(PII_TYPES)
    assert {"NG", "KE", "IN", "BR", "ID", "VN", "SN"} <= set(DEFAULT_REGIONS)


# ------------------------------------------------------------------------- properties

PII_ALPHABET = st.sampled_from(list("0123456789 +-./()@:[]<>_abcdefXKHMAGPNIN.co\n"))
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_invariants(red: PiiRedactor, text: str) -> None:
    found = red.find(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(f.text == text[f.start : f.end] and f.start < f.end for f in found)
    out, counts = red.process(text)
    assert sum(counts.values()) >= len(found)
    assert red.find(out) == []


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_process_never_crashes_on_arbitrary_text(text: str) -> None:
    check_invariants(RED, text)


@PROPERTY_SETTINGS
@given(st.text(alphabet=PII_ALPHABET, max_size=120))
def test_redacted_output_has_no_findings(text: str) -> None:
    check_invariants(RED, text)


@PROPERTY_SETTINGS
@given(st.text(alphabet=PII_ALPHABET, max_size=120))
def test_hashed_output_has_no_findings(text: str) -> None:
    check_invariants(PiiRedactor("hash", salt=b"k"), text)


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.sampled_from(
            ["Simu ", "0712 345 678", "+254 712 345678", " na ", "amina@mfano.co.ke", "/", " ",
             "NIN ", "12345678901", spaced(CARD), "2023-05-12", "KSh 1,500,000", "<PHONE>"]
        ),
        max_size=12,
    )
)  # fmt: skip
def test_redacted_output_has_no_findings_for_pii_pieces(pieces: list[str]) -> None:
    check_invariants(RED, "".join(pieces))
