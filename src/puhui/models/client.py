"""A small client for OpenAI-compatible chat endpoints, and :func:`open_model` to get one by name.

Every failure a user can fix (server down, wrong URL, missing key, timeout, a reply that is not
a chat completion) becomes a one-line :class:`~puhui.errors.ModelError`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from puhui._version import __version__
from puhui.config import Settings, load_settings
from puhui.errors import ModelError
from puhui.i18n import _
from puhui.models.registry import ModelSpec, api_key, get_model
from puhui.models.server import spawned

Message = Mapping[str, str]


class TransientModelError(ModelError):
    """A failure worth retrying: rate limit (429), server error (5xx), timeout, connection
    refused, or a reply that is not a chat completion. ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


@dataclass(frozen=True)
class ChatResult:
    """One answer. ``tokens_per_second`` is the server's decode speed when it reports one
    (llama.cpp does), else completion tokens divided by wall time."""

    text: str
    model: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_per_second: float | None = None
    finish_reason: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "model": self.model,
            "seconds": round(self.seconds, 4),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens_per_second": (
                round(self.tokens_per_second, 2) if self.tokens_per_second is not None else None
            ),
            "finish_reason": self.finish_reason,
        }


class ChatModel:
    """A model reachable at an OpenAI-compatible ``base_url`` (ending in ``/v1``)."""

    def __init__(self, spec: ModelSpec, base_url: str, key: str, timeout: float) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/")
        self._model_id = spec.model or spec.name
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Authorization": f"Bearer {key}", "User-Agent": f"puhui/{__version__}"},
            trust_env=False,  # never route a local model through a proxy
        )
        self._timeout = timeout

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        name, url = self.spec.name, self.base_url + path
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as e:
            raise TransientModelError(
                _("cannot reach model {name!r} at {url} ({why})").format(
                    name=name, url=url, why=_reason(e)
                ),
                _("check that its server is running and the URL is right (`puhui models list`)"),
            ) from None
        except httpx.TimeoutException:
            raise TransientModelError(
                _("model {name!r} did not answer within {t:g} s at {url}").format(
                    name=name, t=self._timeout, url=url
                ),
                _("raise PUHUI_REQUEST_TIMEOUT or check the server's load"),
            ) from None
        except httpx.HTTPError as e:
            raise ModelError(
                _("request to model {name!r} at {url} failed: {why}").format(
                    name=name, url=url, why=_reason(e)
                ),
                _("check the endpoint URL"),
            ) from None
        if response.status_code in (401, 403):
            raise ModelError(
                _("model {name!r} at {url} refused the API key (HTTP {code})").format(
                    name=name, url=url, code=response.status_code
                ),
                _("set a valid key in ${env}").format(env=self.spec.api_key_env or "API_KEY"),
            )
        if response.status_code == 404:
            raise ModelError(
                _("model {name!r}: {url} answered 404 Not Found").format(name=name, url=url),
                _(
                    "the endpoint should be the server's base URL ending in /v1, and the model id "
                    "one that `GET /v1/models` lists"
                ),
            )
        if response.status_code >= 400:
            body = " ".join(response.text.split())[:200]
            transient = response.status_code == 429 or response.status_code >= 500
            message = _("model {name!r} at {url} answered HTTP {code}: {body}").format(
                name=name, url=url, code=response.status_code, body=body
            )
            if transient:
                raise TransientModelError(message, _("see the server's log"), response.status_code)
            raise ModelError(message, _("see the server's log"))
        try:
            return response.json()
        except ValueError:
            raise TransientModelError(
                _("model {name!r} at {url} did not answer with JSON").format(name=name, url=url),
                _("check that this is an OpenAI-compatible endpoint"),
            ) from None

    def models(self) -> list[str]:
        """Model ids the server lists at ``GET /v1/models``."""
        data = self._request("GET", "/models")
        try:
            return [str(m["id"]) for m in data["data"]]
        except (KeyError, TypeError):
            raise ModelError(
                _("model {name!r}: /models did not return a model list").format(
                    name=self.spec.name
                ),
                _("check that this is an OpenAI-compatible endpoint"),
            ) from None

    def chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        **params: Any,
    ) -> ChatResult:
        """Send one request and return the first choice.

        Chat models get ``/chat/completions``; models registered with ``api = "completions"``
        (base models without a chat template) get ``/completions`` with the messages laid out
        by :func:`completion_prompt`.
        """
        body: dict[str, Any] = {
            "model": self._model_id,
            "max_tokens": max_tokens,
            "temperature": temperature,
            **params,
        }
        completions = self.spec.api == "completions"
        if completions:
            body["prompt"] = completion_prompt(messages)
        else:
            body["messages"] = [dict(m) for m in messages]
        started = time.perf_counter()
        data = self._request(
            "POST", "/completions" if completions else "/chat/completions", json=body
        )
        seconds = time.perf_counter() - started
        try:
            choice = data["choices"][0]
            text = (choice["text"] if completions else choice["message"]["content"]) or ""
        except (KeyError, IndexError, TypeError):
            raise TransientModelError(
                _("model {name!r} returned something that is not a {what}").format(
                    name=self.spec.name,
                    what=_("text completion") if completions else _("chat completion"),
                ),
                _("check that this is an OpenAI-compatible endpoint"),
            ) from None
        usage = data.get("usage") or {}
        completion = usage.get("completion_tokens")
        speed = (data.get("timings") or {}).get("predicted_per_second")
        if speed is None and completion and seconds > 0:
            speed = completion / seconds
        return ChatResult(
            text=str(text),
            model=str(data.get("model") or self._model_id),
            seconds=seconds,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=completion,
            tokens_per_second=float(speed) if speed is not None else None,
            finish_reason=choice.get("finish_reason"),
            raw=data,
        )


def completion_prompt(messages: Sequence[Message]) -> str:
    """Lay chat messages out as one prompt for a base model.

    A single user turn (with or without a system message) becomes the system text, a blank line
    and the user text: what a base model continues naturally. Longer conversations label each
    turn ("User:", "Assistant:") and end with "Assistant:" so the model answers next.
    """
    system = [m["content"] for m in messages if m["role"] == "system"]
    turns = [m for m in messages if m["role"] != "system"]
    head = "\n\n".join(system)
    if len(turns) == 1 and turns[0]["role"] == "user":
        return f"{head}\n\n{turns[0]['content']}" if head else turns[0]["content"]
    labels = {"user": "User", "assistant": "Assistant"}
    lines = [f"{labels.get(m['role'], m['role'].title())}: {m['content']}" for m in turns]
    body = "\n\n".join([*([head] if head else []), *lines, "Assistant:"])
    return body


def _reason(e: Exception) -> str:
    text = str(e) or type(e).__name__
    if "Connection refused" in text:
        return _("connection refused")
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return _("host name not found")
    return " ".join(text.split())[:120]


@contextlib.contextmanager
def open_model(name: str | None = None, settings: Settings | None = None) -> Iterator[ChatModel]:
    """Yield a :class:`ChatModel` for a registered name (default: the configured default model).

    Local models (``embedded`` and GGUF files) are started in a child process and stopped when
    the block ends; endpoints are used as they are.
    """
    settings = settings or load_settings()
    spec = get_model(settings, name or settings.default_model)
    if spec.local:
        with spawned(spec, settings) as url:
            model = ChatModel(spec, url + "/v1", "none", settings.request_timeout)
            try:
                yield model
            finally:
                model.close()
    else:
        assert spec.endpoint is not None
        model = ChatModel(spec, spec.endpoint, api_key(spec), settings.request_timeout)
        try:
            yield model
        finally:
            model.close()
