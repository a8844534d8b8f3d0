"""``puhui models``: list, add, remove, serve and chat with models."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, err_console, print_json, settings
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.models import (
    ChatResult,
    ModelSpec,
    add_model,
    get_model,
    list_models,
    open_model,
    remove_model,
)
from puhui.models.registry import EMBEDDED, registry_path
from puhui.models.server import serve_forever

app = typer.Typer(
    help=_(
        "Models Puhui can talk to. [bold]embedded[/] is the bundled SmolLM2-135M-Instruct, which "
        "runs offline on one CPU thread. Add your own: an OpenAI-compatible endpoint (Ollama, "
        "vLLM, llama.cpp server, a hosted API) or a local GGUF file."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

NAME_HELP = _("Model name from `puhui models list` (default: $PUHUI_MODEL, else embedded).")


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the embedded model and every registered model."""
    s = settings()
    specs = list_models(s)
    if json_out:
        print_json([{**m.as_dict(), "default": m.name == s.default_model} for m in specs])
        return
    table = Table(title=_("Models"), title_justify="left")
    for col in (_("name"), _("kind"), _("where"), _("key from"), _("description")):
        table.add_column(col, overflow="fold")
    for m in specs:
        mark = " *" if m.name == s.default_model else ""
        table.add_row(
            escape(m.name + mark),
            m.kind,
            escape(m.target()),
            escape("$" + m.api_key_env if m.api_key_env else "-"),
            escape(m.description),
        )
    console.print(table)
    console.print(_("* default model. Registry: {path}").format(path=registry_path(s)))


@app.command("add")
def add(
    name: str = typer.Argument(..., help=_("A short name, e.g. llama-local.")),
    endpoint: str = typer.Option(
        None, help=_("Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1.")
    ),
    model: str = typer.Option(None, help=_("Model id at the endpoint, e.g. llama3.2:1b.")),
    api_key_env: str = typer.Option(
        None, help=_("Name of the environment variable holding the API key (never the key).")
    ),
    gguf: Path = typer.Option(None, help=_("A local GGUF model file that Puhui serves itself.")),
    api: str = typer.Option(
        "chat",
        help=_(
            "chat: /v1/chat/completions (instruction-tuned models); completions: /v1/completions "
            "for base models without a chat template (the prompt is the system text, a blank "
            "line, then the user text)."
        ),
    ),
    description: str = typer.Option("", help=_("A note shown in `puhui models list`.")),
    replace: bool = typer.Option(False, help=_("Overwrite a model of the same name.")),
) -> None:
    """Register a model by name.

    Examples:

      puhui models add llama --endpoint http://127.0.0.1:11434/v1 --model llama3.2:1b

      puhui models add gpt --endpoint https://api.example.org/v1 --model m1 --api-key-env MY_KEY

      puhui models add base --endpoint http://127.0.0.1:8000/v1 --model m --api completions

      puhui models add qwen --gguf ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf
    """
    if (gguf is None) == (endpoint is None):
        raise PuhuiError(
            _("give either --gguf FILE or --endpoint URL with --model ID"),
            _("see `puhui models add --help`"),
        )
    if endpoint is not None and not model:
        raise PuhuiError(_("--endpoint needs --model, the model id at that endpoint"), None)
    if gguf is not None:
        spec = ModelSpec(name, "gguf", gguf=gguf.expanduser().resolve(), description=description)
    else:
        spec = ModelSpec(
            name,
            "endpoint",
            endpoint=endpoint,
            model=model,
            api_key_env=api_key_env,
            description=description,
            api=api,
        )
    path = add_model(settings(), spec, replace=replace)
    console.print(_("Added model {name!r} to {path}").format(name=name, path=path))


@app.command("card")
def card(
    name: str = typer.Argument(..., help=_("A registered model, or embedded.")),
    out: Path = typer.Option(..., "--out", "-o", help=_("New folder for the card.")),
    run: list[Path] = typer.Option(
        [], "--run", help=_("An eval run of this model to include (repeatable).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write a model card (card.md + model.json + manifest) with per-language results.

    Example: puhui models card embedded --out cards/embedded --run runs/sib200-embedded
    """
    from puhui.evals.card import write_card

    manifest = write_card(settings(), name, out, list(run))
    if json_out:
        print_json({"card": str(out), "id": manifest.id})
        return
    console.print(
        _("Model card {id} in {out}: edit card.md to fill in the marked blanks.").format(
            id=manifest.id, out=out
        )
    )


@app.command("remove")
def remove(name: str = typer.Argument(..., help=_("The model to forget."))) -> None:
    """Remove a registered model (its files and server are not touched)."""
    remove_model(settings(), name)
    console.print(_("Removed model {name!r}").format(name=name))


@app.command("serve")
def serve(
    name: str = typer.Argument(EMBEDDED, help=_("The embedded model or a registered GGUF model.")),
    port: int = typer.Option(
        None, "--port", "-p", help=_("Port on 127.0.0.1 (default: $PUHUI_PORT, 8080; 0 = any).")
    ),
    json_out: bool = typer.Option(
        False, "--json", help=_("Print one JSON line with the address when ready.")
    ),
) -> None:
    """Serve a local model over an OpenAI-compatible API on 127.0.0.1 until Ctrl-C.

    Any OpenAI client works against it, e.g. with the openai package:
    OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="none").
    Threads and context size come from PUHUI_THREADS and PUHUI_CONTEXT_SIZE.
    """
    s = settings()
    spec = get_model(s, name)
    chosen = s.port if port is None else port
    if not 0 <= chosen <= 65535:
        raise PuhuiError(_("--port {p} is not a port number").format(p=chosen), _("use 1-65535"))

    def ready(url: str) -> None:
        if json_out:
            print_json(
                {"name": spec.name, "base_url": url + "/v1", "model": spec.name}, one_line=True
            )
        else:
            console.print(
                _(
                    "Serving [bold]{name}[/] at [bold]{url}/v1[/] (OpenAI-compatible; model id "
                    "{name!r}). Press Ctrl-C to stop."
                ).format(name=escape(spec.name), url=url)
            )

    serve_forever(spec, s, port=chosen, on_ready=ready)


@app.command("chat")
def chat(
    name: str = typer.Argument(None, help=NAME_HELP),
    prompt: str = typer.Option(
        None, "--prompt", "-p", help=_("Ask one question and exit (otherwise: interactive).")
    ),
    system: str = typer.Option(
        _("You are a helpful assistant. Answer briefly, in the language of the question."),
        help=_("System message."),
    ),
    max_tokens: int = typer.Option(256, min=1, help=_("Longest answer, in tokens.")),
    temperature: float = typer.Option(0.0, min=0.0, max=2.0, help=_("Sampling temperature.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Chat with a model: one question with --prompt, or a conversation (empty line or Ctrl-D ends).

    A local model is started for the chat and stopped after it.
    """
    s = settings()
    label = name or s.default_model
    with contextlib.ExitStack() as stack:
        with err_console.status(_("Starting {name}…").format(name=label), spinner="dots"):
            model = stack.enter_context(open_model(label, s))
        history = [{"role": "system", "content": system}] if system else []
        while True:
            if prompt is not None:
                question = prompt
            else:
                try:
                    question = console.input("[bold]> [/]")
                except EOFError:
                    break
                if not question.strip():
                    break
            history.append({"role": "user", "content": question})
            result = model.chat(history, max_tokens=max_tokens, temperature=temperature)
            history.append({"role": "assistant", "content": result.text})
            if json_out:
                print_json(result.as_dict())
            else:
                console.print(escape(result.text.strip()))
                err_console.print(f"[dim]{_stats(result)}[/]")
            if prompt is not None:
                break


def _stats(result: ChatResult) -> str:
    speed = f"{result.tokens_per_second:.1f} tok/s" if result.tokens_per_second else "-"
    return f"({result.completion_tokens or '?'} tokens, {speed}, {result.seconds:.2f} s)"
