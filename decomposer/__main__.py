"""Run decomposer as `python -m decomposer`."""

from decomposer.cli import main

main()
