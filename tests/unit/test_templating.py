"""Templates are compiled once per machine, not once per run (the golden files check what the
compiled templates render)."""

from __future__ import annotations

import subprocess
import sys

from decomposer import templating

FOUND = """
from decomposer import templating
environment = templating._environment()
name = {name!r}
source, filename, _ = environment.loader.get_source(environment, name)
bucket = environment.bytecode_cache.get_bucket(environment, name, filename, source)
print("kept" if bucket.code is not None else "compiled")
environment.get_template(name)
"""


def test_a_template_compiled_by_one_run_is_loaded_by_the_next() -> None:
    assert templating._environment().bytecode_cache is not None
    probe = FOUND.format(name="report/report.html.j2")
    runs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[1].stdout.strip() == "kept"
