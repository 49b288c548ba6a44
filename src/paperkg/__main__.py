"""``python -m paperkg`` runs the command line, as ``paperkg`` does."""

from .cli import main

main()
