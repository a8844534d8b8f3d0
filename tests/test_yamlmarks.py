"""puhui.yamlmarks: YAML values with the lines they were written on, keys written twice, and
strict scalars (NO stays Norway, dates stay text)."""

from __future__ import annotations

import datetime

import pytest
import yaml

from puhui.yamlmarks import parse

DOC = """\
code: NO
checked: 2026-12-03
transfer:
  personal:
    adequate: [EU, KE]
  personal: twice
flag: yes
"""


def test_lines_of_fields_and_list_items() -> None:
    m = parse(DOC)
    assert m.line(["code"]) == 1
    assert m.line(["transfer", "personal"]) == 4
    assert m.line(["transfer", "personal", "adequate", 1]) == 5
    assert m.line(["transfer", "nothing", "deeper"]) == 3  # the deepest part that exists
    assert parse(DOC, first_line=2).line(["checked"]) == 3  # front matter after its ---


def test_keys_written_twice_are_reported_with_their_line() -> None:
    assert parse(DOC).duplicates == ((("transfer", "personal"), 6),)


def test_strict_scalars_keep_codes_and_dates_as_written() -> None:
    plain, strict = parse(DOC).value, parse(DOC, strict_scalars=True).value
    assert plain["code"] is False and plain["checked"] == datetime.date(2026, 12, 3)
    assert strict["code"] == "NO" and strict["checked"] == "2026-12-03"
    assert strict["flag"] == "yes" and parse("a: true", strict_scalars=True).value["a"] is True


def test_bad_yaml_raises_yaml_error() -> None:
    with pytest.raises(yaml.YAMLError):
        parse("a: [\n")
