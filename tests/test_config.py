from __future__ import annotations

from pathlib import Path

import pytest

from puhui.config import SETTINGS, load_settings
from puhui.errors import ConfigError

from conftest import Run, assert_one_line_error


def test_defaults(tmp_path: Path) -> None:
    s = load_settings({"PUHUI_HOME": str(tmp_path)})
    assert s.home == tmp_path
    assert s.threads == 1
    assert s.default_model == "embedded"
    assert s.sources["threads"] == "default"
    assert s.config_file is None


def test_every_setting_is_documented_and_has_an_env_var() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert s.env.startswith("PUHUI_") and s.doc.endswith(".")


def test_home_defaults_to_dot_puhui() -> None:
    assert load_settings({}).home == Path("~/.puhui").expanduser()


def test_file_then_env_precedence(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('threads = 3\ndefault_model = "mine"\n')
    s = load_settings({"PUHUI_HOME": str(tmp_path), "PUHUI_THREADS": "2"})
    assert s.threads == 2 and s.sources["threads"] == "env PUHUI_THREADS"
    assert s.default_model == "mine" and s.sources["default_model"].startswith("file ")
    assert s.config_file == tmp_path / "config.toml"


def test_explicit_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text("request_timeout = 5\n")
    s = load_settings({"PUHUI_HOME": str(tmp_path / "h"), "PUHUI_CONFIG": str(cfg)})
    assert s.request_timeout == 5.0


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PUHUI_THREADS": "abc"}, "PUHUI_THREADS='abc' is not a whole number"),
        ({"PUHUI_THREADS": "0"}, "out of range"),
        ({"PUHUI_PORT": "70000"}, "PUHUI_PORT"),
        ({"PUHUI_REQUEST_TIMEOUT": "soon"}, "PUHUI_REQUEST_TIMEOUT"),
        ({"PUHUI_CONFIG": "/nonexistent/puhui.toml"}, "not a file"),
    ],
)
def test_bad_env_values(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings({"PUHUI_HOME": str(tmp_path), **env})
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("threads = [\n", "not valid TOML"),
        ("thread = 2\n", "unknown setting 'thread'"),
        ('threads = "two"\n', "threads='two' is not a whole number"),
        ("threads = 1.5\n", "threads=1.5 is not a whole number"),
        ('home = "/x"\n', "set the environment variable PUHUI_HOME"),
    ],
)
def test_bad_file_values(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as e:
        load_settings({"PUHUI_HOME": str(tmp_path)})
    assert needle in str(e.value)
    assert str(tmp_path / "config.toml") in str(e.value)


def test_bad_config_value_is_a_one_line_cli_error(puhui: Run) -> None:
    proc = puhui("models", "list", env={"PUHUI_THREADS": "many"})
    assert_one_line_error(proc, "PUHUI_THREADS", "whole number")


def test_config_show_json(puhui: Run, home: Path) -> None:
    import json

    proc = puhui("config", "show", "--json", env={"PUHUI_CONTEXT_SIZE": "4096"})
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)["settings"]}
    assert rows["context_size"]["value"] == 4096
    assert rows["context_size"]["source"] == "env PUHUI_CONTEXT_SIZE"
    assert rows["home"]["value"] == str(home)


def test_config_show_hides_secrets(puhui: Run) -> None:
    import json

    env = {
        "PUHUI_HUB_SECRET_KEY": "s3cr3t-signing-key",
        "PUHUI_HUB_DATABASE_URL": "postgresql://hub:pa55word@db.example:5432/hub",
    }
    for args in (("config", "show", "--json"), ("config", "show")):
        proc = puhui(*args, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "s3cr3t" not in proc.stdout and "pa55word" not in proc.stdout
    rows = {
        r["name"]: r
        for r in json.loads(puhui("config", "show", "--json", env=env).stdout)["settings"]
    }
    assert rows["hub_secret_key"]["value"] == "(set, hidden)"
    assert rows["hub_database_url"]["value"] == "postgresql://hub:***@db.example:5432/hub"


def test_config_show_says_not_set_rather_than_none(puhui: Run) -> None:
    proc = puhui("config", "show", env={"COLUMNS": "250"})
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if "PUHUI_HUB_URL" in line)
    assert "(not set)" in row and "None" not in row
