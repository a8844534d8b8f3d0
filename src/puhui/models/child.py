"""Entry point of the child process that :func:`puhui.models.server.spawned` starts.

``python -m puhui.models.child GGUF ALIAS THREADS CONTEXT`` (internal use).
"""

import sys

from puhui.models.server import child_main

child_main(sys.argv[1:])
