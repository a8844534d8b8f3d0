"""``puhui share policy create/validate/show`` and ``puhui share check`` through the real command
(on the bundled jurisdiction profiles)."""

from __future__ import annotations

import json
from pathlib import Path

from puhui.sharing.policy import load, preset

from conftest import Run, assert_one_line_error


def test_policy_create_validate_show(puhui: Run, tmp_path: Path) -> None:
    out = tmp_path / "policy.json"
    made = puhui(
        "share", "policy", "create", "--preset", "research-only", "--recipients", "au,KE",
        "--assigner", "UG Lab", "--out", str(out), "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    info = json.loads(made.stdout)
    assert info["preset"] == "research-only" and info["out"] == str(out)
    policy = load(out)
    expected = preset("research-only", uid=info["uid"], assigner="UG Lab", recipients=["AU", "KE"])
    assert policy == expected

    valid = puhui("share", "policy", "validate", str(out))
    assert valid.returncode == 0 and "valid" in valid.stdout

    shown = puhui("share", "policy", "show", str(out), "--json")
    doc = json.loads(shown.stdout)
    assert doc["terms"]["purposes"] == ["education", "research"]
    assert doc["terms"]["delete_after_days"] == 365
    assert doc["odrl"]["permission"][0]["action"] == "use"
    words = puhui("share", "policy", "show", str(out)).stdout
    assert "delete the copy within 365 days" in words and "AU, KE" in words

    again = puhui("share", "policy", "create", "--preset", "open", "--out", str(out))
    assert_one_line_error(again, "already exists", "--out")


def test_policy_create_prints_odrl_without_out(puhui: Run) -> None:
    made = puhui("share", "policy", "create", "--preset", "on-request", "--uid", "urn:x")
    doc = json.loads(made.stdout)
    assert doc["uid"] == "urn:x" and doc["@context"][0] == "http://www.w3.org/ns/odrl.jsonld"
    actions = [d["action"] for d in doc["permission"][0]["duty"]]
    assert "obtainConsent" in actions


def test_policy_errors_are_one_line(puhui: Run, tmp_path: Path) -> None:
    assert_one_line_error(
        puhui("share", "policy", "create", "--preset", "regional"), "--recipients"
    )
    assert_one_line_error(
        puhui("share", "policy", "create", "--preset", "closed"), "unknown preset", "--preset"
    )
    bad = tmp_path / "bad.json"
    doc = json.loads(puhui("share", "policy", "create", "--preset", "open").stdout)
    doc["permission"][0]["constraint"] = [
        {"leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": ["Kenya"]}
    ]
    bad.write_text(json.dumps(doc), encoding="utf-8")
    line = assert_one_line_error(puhui("share", "policy", "validate", str(bad)))
    assert f"{bad}: permission[0].constraint[0].rightOperand[0]: 'Kenya'" in line
    broken = tmp_path / "broken.json"
    broken.write_text("{\n", encoding="utf-8")
    assert_one_line_error(puhui("share", "policy", "show", str(broken)), "broken.json:2")


def _policy(tmp_path: Path, puhui: Run, name: str, *extra: str) -> Path:
    out = tmp_path / f"{name}.json"
    made = puhui("share", "policy", "create", "--preset", name, *extra, "--out", str(out))
    assert made.returncode == 0, made.stderr
    return out


def test_check_json(puhui: Run, tmp_path: Path) -> None:
    research = _policy(tmp_path, puhui, "research-only")
    args = ("share", "check", str(research), "--from", "GH", "--to", "KE", "--json")
    ok = json.loads(puhui(*args, "--purpose", "research", "--category", "personal").stdout)
    assert ok["decision"] == "conditional"
    names = {r["name"] for r in ok["reasons"]}
    assert {"export-personal", "duty-delete", "duty-attribution"} <= names
    assert all(set(r) == {"name", "text", "cite", "verdict"} for r in ok["reasons"])
    assert all(set(c) == {"id", "text", "cite"} for c in ok["conditions"])
    export = next(r for r in ok["reasons"] if r["name"] == "export-personal")
    assert export["cite"]
    assert "Not legal advice" in ok["note"]

    sold = json.loads(puhui(*args, "--purpose", "commercial").stdout)
    assert sold["decision"] == "deny"
    assert "policy-commercial" in {r["name"] for r in sold["reasons"]}


def test_check_without_a_profile_and_at_home(puhui: Run, tmp_path: Path) -> None:
    open_ = _policy(tmp_path, puhui, "open")
    far = puhui(
        "share", "check", str(open_), "--from", "MX", "--to", "KE", "--purpose", "research",
        "--json",
    )  # fmt: skip
    result = json.loads(far.stdout)
    assert result["decision"] == "conditional"
    assert "no-profile" in {r["name"] for r in result["reasons"]}
    assert any("MX" in c["text"] and "legal advice" in c["text"] for c in result["conditions"])
    home = json.loads(
        puhui(
            "share",
            "check",
            str(open_),
            "--from",
            "KE",
            "--to",
            "KE",
            "--purpose",
            "commercial",
            "--category",
            "children",
            "--json",
        ).stdout
    )
    assert {r["name"] for r in home["reasons"]} == {
        "domestic",
        "duty-attribution",
        "duty-no-reidentification",
    }


def test_check_artifact_folder_reads_policy_and_audit(puhui: Run, tmp_path: Path) -> None:
    item = tmp_path / "corpus"
    item.mkdir()
    _policy(item, puhui, "open")
    (item / "open.json").rename(item / "policy.json")
    (item / "audit.json").write_text(
        json.dumps({"pii": {"total": 3, "step_ran": True}, "totals": {"documents": 5}}),
        encoding="utf-8",
    )
    args = ("share", "check", str(item), "--from", "GH", "--to", "KE", "--purpose", "research")
    result = json.loads(puhui(*args, "--json").stdout)
    assert result["categories"] == ["personal"] and result["records"] == 5
    assert result["policy"].startswith("urn:uuid:")
    with_children = json.loads(puhui(*args, "--category", "children", "--json").stdout)
    assert with_children["categories"] == ["children", "personal"]
    assert "export-children" in {r["name"] for r in with_children["reasons"]}

    (item / "audit.json").write_text(
        json.dumps({"pii": {"total": 0, "step_ran": True}, "totals": {"documents": 5}}),
        encoding="utf-8",
    )
    clean = json.loads(puhui(*args, "--json").stdout)
    assert clean["categories"] == ["non-personal"]

    words = puhui(*args)
    assert words.returncode == 0
    assert "PERMIT WITH CONDITIONS" in words.stdout and "Not legal advice" in words.stdout
    assert "Conditions:" in words.stdout

    (item / "audit.json").write_text("[", encoding="utf-8")
    assert_one_line_error(puhui(*args), "audit.json")


def test_check_bad_arguments(puhui: Run, tmp_path: Path) -> None:
    research = _policy(tmp_path, puhui, "research-only")
    base = ("share", "check", str(research), "--from", "GH", "--to", "KE")
    assert_one_line_error(puhui(*base, "--purpose", "war"), "unknown purpose", "--purpose")
    assert_one_line_error(
        puhui(*base, "--purpose", "research", "--category", "health"), "--category"
    )
    assert_one_line_error(
        puhui("share", "check", str(tmp_path / "none.json"), "--from", "GH", "--to", "KE",
              "--purpose", "research"),
        "cannot read",
    )  # fmt: skip
