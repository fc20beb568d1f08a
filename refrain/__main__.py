"""`python -m refrain` is the `refrain` command."""

from refrain.cli import main

main()
