"""Allow ``python -m puhui``."""

from puhui.cli import main

main()
