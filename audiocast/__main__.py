"""``python -m audiocast`` runs the command line."""

from .cli import main

main()
