"""The `decompose` program: `python -m decomposer`, and the console script."""

import gc
import os
import sys


def run() -> None:
    """The CLI, with the cyclic garbage collector off from its first import: the imports build
    hundreds of classes (pydantic's models among them), and the collector's passes over them
    cost about 40 ms of every command; `cli.run` keeps it off to the process's end.

    If a server of this installation runs (`decompose server start`), the command runs there
    instead, with everything imported already, and this process exits with its status."""
    gc.disable()
    from decomposer import server

    code = server.forward(sys.argv[1:])
    if code is not None:
        os._exit(code)
    from decomposer.cli import run as program

    program()


if __name__ == "__main__":
    run()
