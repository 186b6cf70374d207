"""Run decomposer as `python -m decomposer`."""

from decomposer.cli import run

run()
