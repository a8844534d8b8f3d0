"""Turn Puhui's declared settings into Django settings for the hub (no Django import here).

The database comes from ``hub_database_url``: ``sqlite:///PATH`` (WAL mode, created on first
start) or ``postgresql://USER:PASSWORD@HOST:PORT/NAME``. The secret key is read from
``$PUHUI_HOME/hub/secret_key``, created once with mode 0600, unless ``PUHUI_HUB_SECRET_KEY`` gives
one. Everything else is fixed here: secure defaults (DEBUG off, HttpOnly cookies, frame denial,
argon2 password hashing, an upload size limit).

The hub's folder holds the database (with session keys), the secret key and every uploaded file,
private ones included: it is kept 0700 and its files 0600, so other users of the machine read
none of it. :func:`secure_hub` checks and tightens that at every start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from puhui.config import Settings
from puhui.errors import ConfigError
from puhui.i18n import _

HERE = Path(__file__).resolve().parent

#: The UI languages: (Django code, name in that language). Arabic is right-to-left.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("sw", "Kiswahili"),
    ("pt", "Português"),
)


#: Modes of the hub's folders and files: nothing for the group or other users.
DIR_MODE = 0o700
FILE_MODE = 0o600
#: What the hub process creates (SQLite's -wal/-shm files, logs, uploads) gets no group or
#: other permissions either.
UMASK = 0o077


def hub_dir(settings: Settings) -> Path:
    """``$PUHUI_HOME/hub``, created (mode 0700) if missing."""
    path = settings.home / "hub"
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(
            _("cannot create {path}: {why}").format(path=path, why=e.strerror),
            _("set PUHUI_HOME to a folder you can write to"),
        ) from None
    return path


def _tighten(path: Path, mode: int) -> tuple[Path, int] | None:
    """chmod ``path`` to ``mode`` when the group or others have any right; (path, old mode)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if path.is_symlink():
        return None
    old = st.st_mode & 0o777
    if old & 0o077 == 0:
        return None
    try:
        os.chmod(path, mode)
    except PermissionError:
        raise ConfigError(
            _("{p} is readable by other users (mode {m:o}) and cannot be made private").format(
                p=path, m=old
            ),
            _("run the hub as the user who owns {p}, or chown it to the hub's user").format(p=path),
        ) from None
    return path, old


def secure_hub(settings: Settings) -> list[tuple[Path, int]]:
    """Make the hub's folder 0700 and its files 0600; return what was looser (path, old mode).

    Checked at every start: a hub folder made by an older version, copied, or restored from a
    backup may be readable by everyone, and a session key read from the database signs another
    person in. The folder's own mode already keeps other users out of everything below it;
    its top-level files, the database's files (wherever ``hub_database_url`` puts them) and the
    store's folders are fixed one by one. Blobs are written 0600 (see ``storage.keep``).
    """
    hub = hub_dir(settings)
    fixed = [_tighten(hub, DIR_MODE)]
    for child in sorted(hub.iterdir()):
        if child.is_dir() and not child.is_symlink():
            fixed.append(_tighten(child, DIR_MODE))
            if child.name == "blobs":
                fixed += [_tighten(d, DIR_MODE) for d in sorted(child.iterdir()) if d.is_dir()]
        else:
            fixed.append(_tighten(child, FILE_MODE))
    db = database(settings)
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            f = name.with_name(name.name + suffix)
            if f.parent != hub:
                fixed.append(_tighten(f, FILE_MODE))
    return [f for f in fixed if f is not None]


def secret_key(settings: Settings) -> str:
    """The configured key, or the one in ``hub/secret_key`` (created once, mode 0600)."""
    if settings.hub_secret_key != "generated":
        if len(settings.hub_secret_key) < 32:
            raise ConfigError(
                _("PUHUI_HUB_SECRET_KEY is shorter than 32 characters"),
                _("use a long random value, or unset it to use a generated key"),
            )
        return settings.hub_secret_key
    path = hub_dir(settings) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
        raise ConfigError(
            _("{path} is empty or too short").format(path=path),
            _("delete it; a new key is generated on the next start (sessions are then lost)"),
        ) from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def database(settings: Settings) -> dict[str, Any]:
    """Django's ``DATABASES['default']`` from ``hub_database_url``."""
    url = settings.hub_database_url.replace("{home}", str(settings.home))
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = unquote(parts.path)
        if parts.netloc or not raw.startswith("/") or raw == "/":
            raise ConfigError(
                _("hub database URL {u!r}: expected sqlite:///ABSOLUTE/PATH").format(u=url),
                _("e.g. PUHUI_HUB_DATABASE_URL=sqlite:////srv/hub/hub.sqlite3"),
            )
        path = Path("/" + raw.lstrip("/"))
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # WAL: readers never block the writer; IMMEDIATE: no lock upgrades mid-write.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # keep each server thread's connection (and SQLite's page cache with it) between
            # requests: opening one per request cost ~5-10 ms of every search page
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(
                _("hub database URL {u!r} names no database").format(u=url),
                _("e.g. postgresql://puhui:SECRET@127.0.0.1:5432/puhui"),
            )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ConfigError(
        _("hub database URL {u!r}: unknown scheme {s!r}").format(u=url, s=parts.scheme),
        _("use sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/NAME"),
    )


def django_settings(settings: Settings) -> dict[str, Any]:
    """Every Django setting the hub needs, as a dict of upper-case names."""
    hub = hub_dir(settings)
    max_bytes = settings.hub_max_upload_mb * 1024 * 1024
    https = bool(settings.hub_https)
    db = database(settings)
    apps = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "puhui.hub.catalog",
        "puhui.hub.learn",
        "puhui.hub.programmes",
        "puhui.hub.federation",
        "puhui.hub.sharing",
        "puhui.hub.rating",
    ]
    if db["ENGINE"].endswith("postgresql"):
        apps.insert(3, "django.contrib.postgres")
    return {
        "DEBUG": False,
        "SECRET_KEY": secret_key(settings),
        "ALLOWED_HOSTS": [h.strip() for h in settings.hub_allowed_hosts.split(",") if h.strip()],
        "INSTALLED_APPS": apps,
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "puhui.hub.catalog.middleware.upload_limit",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "puhui.hub.catalog.middleware.HubLocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "puhui.hub.urls",
        "WSGI_APPLICATION": "puhui.hub.wsgi.application",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.i18n",
                        "django.contrib.auth.context_processors.auth",
                        "puhui.hub.catalog.views.hub_context",
                    ],
                },
            }
        ],
        "DATABASES": {"default": db},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ],
        "LOGIN_URL": "catalog:login",
        "LOGIN_REDIRECT_URL": "catalog:home",
        "LOGOUT_REDIRECT_URL": "catalog:home",
        "LANGUAGE_CODE": "en",
        "LANGUAGES": list(LANGUAGES),
        "LANGUAGES_BIDI": ["ar", "fa", "he", "ur"],
        "LOCALE_PATHS": [str(HERE / "locale")],
        "USE_I18N": True,
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "LANGUAGE_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if https else None,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 2 * 1024 * 1024,
        "DATA_UPLOAD_MAX_NUMBER_FILES": 100_000,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 2 * 1024 * 1024,
        "FILE_UPLOAD_TEMP_DIR": str(_mkdir(hub / "tmp")),
        "FILE_UPLOAD_PERMISSIONS": FILE_MODE,
        "FILE_UPLOAD_DIRECTORY_PERMISSIONS": DIR_MODE,
        # The hub's own values, read by the catalog as settings.PUHUI["..."]. Derived from the
        # declared settings (puhui.config), never read from the environment themselves.
        "PUHUI": {
            "hub_dir": str(hub),
            "blob_dir": str(_mkdir(hub / "blobs")),
            "max_upload_bytes": max_bytes,
            "search_window": settings.hub_search_window,
        },
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "loggers": {
                "django": {"handlers": ["console"], "level": "WARNING"},
                # a 404 is an answer, not a problem worth a log line; 5xx still are logged
                "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            },
        },
    }


def _mkdir(path: Path) -> Path:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path
