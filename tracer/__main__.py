"""`python -m tracer` is the `osflow` command."""

from tracer.cli import main

main()
