"""Models Puhui talks to: the bundled embedded model, local GGUF files and OpenAI-compatible
endpoints, all reached through one OpenAI-compatible client.

    from puhui.models import open_model
    with open_model("embedded") as model:      # starts the local server, stops it after
        print(model.chat([{"role": "user", "content": "Hello"}]).text)
"""

from puhui.models.client import ChatModel, ChatResult, open_model
from puhui.models.registry import ModelSpec, add_model, get_model, list_models, remove_model

__all__ = [
    "ChatModel",
    "ChatResult",
    "ModelSpec",
    "add_model",
    "get_model",
    "list_models",
    "open_model",
    "remove_model",
]
