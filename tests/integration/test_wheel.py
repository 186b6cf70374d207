"""The wheel ships the templates: render from an installed copy, not from the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_report_renders_from_the_built_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            str(ROOT),
            "-w",
            str(tmp_path / "dist"),
        ],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("decomposer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "decomposer/_templates/report/report.html.j2" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys; from pathlib import Path;"
        "from decomposer import pipeline, templating;"
        "from decomposer.config import Settings;"
        f"assert templating.templates_dir() == Path({str(site)!r}) / 'decomposer' / '_templates', templating.templates_dir();"
        f"result = pipeline.analyze(Path({str(ROOT / 'examples' / 'shop')!r}), Settings(cache=False), out=Path({str(tmp_path / 'out')!r}));"
        "print(len(Path(result.outputs[-1]).read_text()))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {script}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
