"""Puhui's settings: one declared schema, read from defaults, a TOML file and the environment.

Every setting is declared once in :data:`SETTINGS` with its name, type, default, environment
variable and documentation. Values are resolved in this order, later winning:

1. the default;
2. the config file (``$PUHUI_CONFIG``, else ``$PUHUI_HOME/config.toml`` if it exists);
3. the environment variable.

Every environment variable named ``PUHUI_*`` that Puhui reads is declared here, including those
only the environment may set (where the file lives, hub tokens, secret salts); a test greps the
sources for ``PUHUI_`` names and fails on any that is not. The few variables only the tests and
benchmarks read are declared apart, in tests/conftest.py (``TEST_VARIABLES``).

All state lives under ``PUHUI_HOME`` (default ``~/.puhui``). A bad value raises
:class:`~puhui.errors.ConfigError` naming the variable or file and key, and what to do.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puhui.errors import ConfigError
from puhui.i18n import _


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    name: str
    type: type
    default: Any
    env: str
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    in_file: bool = True  # False: only the environment may set it (e.g. where the file lives)
    secret: bool = False  # True: `puhui config show` never prints its value
    # The default is None (unset) and an empty variable also means unset.


def shown(setting: Setting, value: Any) -> Any:
    """The value as `puhui config show` prints it: secrets hidden, passwords in URLs masked."""
    if setting.secret and value is not None and value != setting.default:
        return "(set, hidden)"
    if isinstance(value, str) and "://" in value and "@" in value.split("://", 1)[1]:
        scheme, rest = value.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        Path,
        "~/.puhui",
        "PUHUI_HOME",
        "Folder holding all Puhui state: model registry, logs, caches, hub database.",
        in_file=False,
    ),
    Setting(
        "config_file",
        Path,
        None,
        "PUHUI_CONFIG",
        "The TOML config file; unset: $PUHUI_HOME/config.toml when it exists.",
        in_file=False,
    ),
    Setting(
        "default_model",
        str,
        "embedded",
        "PUHUI_MODEL",
        "Model used when a command is not given --model. 'embedded' is the bundled model.",
    ),
    Setting(
        "threads",
        int,
        1,
        "PUHUI_THREADS",
        "CPU threads for a local GGUF model. 1 is safest on a small, busy machine.",
        minimum=1,
        maximum=256,
    ),
    Setting(
        "context_size",
        int,
        2048,
        "PUHUI_CONTEXT_SIZE",
        "Context window, in tokens, of a local GGUF model.",
        minimum=256,
        maximum=1_048_576,
    ),
    Setting(
        "port",
        int,
        8080,
        "PUHUI_PORT",
        "Port on 127.0.0.1 that `puhui models serve` listens on when --port is not given.",
        minimum=0,
        maximum=65535,
    ),
    Setting(
        "request_timeout",
        float,
        120.0,
        "PUHUI_REQUEST_TIMEOUT",
        "Seconds to wait for one answer from a model before giving up.",
        minimum=0.1,
    ),
    Setting(
        "start_timeout",
        float,
        120.0,
        "PUHUI_START_TIMEOUT",
        "Seconds to wait for a local model server to load and become ready.",
        minimum=1,
    ),
    Setting(
        "hub_database_url",
        str,
        "sqlite:///{home}/hub/hub.sqlite3",
        "PUHUI_HUB_DATABASE_URL",
        "Database of `puhui hub serve`: sqlite:///PATH (WAL mode) or "
        "postgresql://USER:PASSWORD@HOST:PORT/NAME; {home} stands for PUHUI_HOME.",
    ),
    Setting(
        "hub_secret_key",
        str,
        "generated",
        "PUHUI_HUB_SECRET_KEY",
        "Key signing the hub's sessions and CSRF tokens; 'generated' reads (or creates once, "
        "mode 0600) PUHUI_HOME/hub/secret_key.",
        secret=True,
    ),
    Setting(
        "hub_max_upload_mb",
        int,
        512,
        "PUHUI_HUB_MAX_UPLOAD_MB",
        "Largest request, in MB, the hub accepts (an artifact upload with all its files).",
        minimum=1,
        maximum=1_048_576,
    ),
    Setting(
        "hub_port",
        int,
        8421,
        "PUHUI_HUB_PORT",
        "Port that `puhui hub serve` listens on when --port is not given.",
        minimum=0,
        maximum=65535,
    ),
    Setting(
        "hub_allowed_hosts",
        str,
        "127.0.0.1,localhost",
        "PUHUI_HUB_ALLOWED_HOSTS",
        "Comma-separated host names the hub answers to (Django ALLOWED_HOSTS).",
    ),
    Setting(
        "hub_https",
        int,
        0,
        "PUHUI_HUB_HTTPS",
        "1 when the hub is reached over https (behind a TLS proxy): cookies are then "
        "sent over https only.",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "hub_search_window",
        int,
        500,
        "PUHUI_HUB_SEARCH_WINDOW",
        "How many of the newest matches a hub search looks at: its pages, its total ('more "
        "than N') and its facet counts come from them. Larger is exact further down and "
        "slower per search.",
        minimum=1,
        maximum=100_000,
    ),
    Setting(
        "hub_url",
        str,
        None,
        "PUHUI_HUB_URL",
        "The hub that `puhui hub publish` and `puhui hub issuer` talk to when --url is not "
        "given; unset: the local hub on hub_port.",
        in_file=False,
    ),
    Setting(
        "hub_token",
        str,
        None,
        "PUHUI_HUB_TOKEN",
        "API token for `puhui hub publish` and `puhui hub issuer` when --token is not given.",
        in_file=False,
        secret=True,
    ),
    Setting(
        "pii_salt",
        str,
        None,
        "PUHUI_PII_SALT",
        "Secret salt of a corpus build's pii mode 'hash' (a pipeline may name another "
        "variable in pii.salt_env).",
        in_file=False,
        secret=True,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_TYPE_WORDS = {int: "a whole number", float: "a number", str: "text", Path: "a folder path"}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. ``sources`` maps each name to where its value came from."""

    home: Path
    default_model: str
    threads: int
    context_size: int
    port: int
    request_timeout: float
    start_timeout: float
    hub_database_url: str
    hub_secret_key: str
    hub_max_upload_mb: int
    hub_port: int
    hub_allowed_hosts: str
    hub_https: int
    hub_search_window: int
    hub_url: str | None = None
    hub_token: str | None = None
    pii_salt: str | None = None
    config_file: Path | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: getattr(self, s.name) for s in SETTINGS}


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    """Turn ``raw`` (from TOML or an env var string) into the setting's type, or fail clearly."""
    if raw is None and setting.default is None:
        return None
    want = _TYPE_WORDS[setting.type]
    fix = _("set {where} to {want}").format(where=where, want=want)
    if setting.minimum is not None and setting.maximum is not None:
        fix += f" from {setting.minimum:g} to {setting.maximum:g}"
    elif setting.minimum is not None:
        fix += f" of at least {setting.minimum:g}"
    value: Any
    try:
        if setting.type is int:
            if isinstance(raw, bool | float):
                raise ValueError
            value = int(raw.strip()) if isinstance(raw, str) else int(raw)
        elif setting.type is float:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw.strip()) if isinstance(raw, str) else float(raw)
        elif setting.type is Path:
            if not isinstance(raw, str) or not raw.strip():
                raise ValueError
            value = Path(raw).expanduser()
        else:
            if not isinstance(raw, str) or not raw.strip():
                raise ValueError
            value = raw.strip()
    except (TypeError, ValueError):
        raise ConfigError(
            _("{where}={raw!r} is not {want} ({doc})").format(
                where=where, raw=raw, want=want, doc=setting.doc.rstrip(".")
            ),
            fix,
        ) from None
    if isinstance(value, int | float) and (
        (setting.minimum is not None and value < setting.minimum)
        or (setting.maximum is not None and value > setting.maximum)
    ):
        raise ConfigError(_("{where}={raw!r} is out of range").format(where=where, raw=raw), fix)
    return value


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(
            _("cannot read config file {path}: {why}").format(path=path, why=e.strerror),
            _("fix the path in PUHUI_CONFIG or create the file"),
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            _("config file {path} is not UTF-8 text").format(path=path),
            _("save it as UTF-8"),
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            _("config file {path} is not valid TOML: {why}").format(path=path, why=e),
            _("fix the TOML syntax at that line"),
        ) from None
    for key in data:
        setting = _BY_NAME.get(key)
        if setting is None:
            known = ", ".join(s.name for s in SETTINGS if s.in_file)
            raise ConfigError(
                _("config file {path}: unknown setting {key!r}").format(path=path, key=key),
                _("use one of: {known}").format(known=known),
            )
        if not setting.in_file:
            raise ConfigError(
                _("config file {path}: {key!r} cannot be set in a file").format(path=path, key=key),
                _("set the environment variable {env} instead").format(env=setting.env),
            )
    return data


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve every setting from defaults, the config file and ``environ`` (os.environ)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        values[s.name] = _coerce(s, s.default, "default " + s.name)
        sources[s.name] = "default"
    del values["config_file"]  # resolved below, before the file is read
    home_raw = env.get("PUHUI_HOME", "").strip()
    if home_raw:
        values["home"] = _coerce(_BY_NAME["home"], home_raw, "PUHUI_HOME")
        sources["home"] = "env PUHUI_HOME"

    config_file: Path | None = None
    explicit = env.get("PUHUI_CONFIG", "").strip()
    if explicit:
        config_file = Path(explicit).expanduser()
        if not config_file.is_file():
            raise ConfigError(
                _("PUHUI_CONFIG points to {path}, which is not a file").format(path=config_file),
                _("create it or unset PUHUI_CONFIG"),
            )
    elif (values["home"] / "config.toml").is_file():
        config_file = values["home"] / "config.toml"
        sources["config_file"] = "default"
    if explicit:
        sources["config_file"] = "env PUHUI_CONFIG"
    if config_file is not None:
        for key, raw in _read_file(config_file).items():
            values[key] = _coerce(_BY_NAME[key], raw, f"{config_file}: {key}")
            sources[key] = f"file {config_file}"

    for s in SETTINGS:
        if s.name in ("home", "config_file") or s.env not in env:
            continue
        raw = env[s.env]
        if (s.type is not str or s.default is None) and raw.strip() == "":
            continue  # an empty variable means "not set"
        values[s.name] = _coerce(s, raw, s.env)
        sources[s.name] = f"env {s.env}"
    return Settings(**values, config_file=config_file, sources=sources)


def state_dir(settings: Settings, *parts: str) -> Path:
    """Return (and create) a folder under PUHUI_HOME, e.g. ``state_dir(s, "logs")``."""
    path = settings.home.joinpath(*parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(
            _("cannot create {path}: {why}").format(path=path, why=e.strerror),
            _("set PUHUI_HOME to a folder you can write to"),
        ) from None
    return path
