"""The `decompose` program: `python -m decomposer`, and the console script."""

import gc


def run() -> None:
    """The CLI, with the cyclic garbage collector off from its first import: the imports build
    hundreds of classes (pydantic's models among them), and the collector's passes over them
    cost about 40 ms of every command; `cli.run` keeps it off to the process's end."""
    gc.disable()
    from decomposer.cli import run as program

    program()


if __name__ == "__main__":
    run()
