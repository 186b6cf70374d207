"""Speed of `decompose analyze` beside `grimp.build_graph`, side by side, on the same files.

    python benchmarks/speed.py [SOURCE_ROOT PACKAGE] [--runs N] [--full [--baseline DIR] [--server]]

Without arguments it downloads Django 5.2's sdist from PyPI (once, into a temporary folder)
and measures the `django` package (about 160k lines). Every measurement runs in a fresh Python
process, alternating the tools so that machine noise hits both alike, and the script prints
medians and ratios:

- call: the time inside the process of `grimp.build_graph(PACKAGE, cache_dir=None)` against
  `decomposer.pipeline.build_graph(...)` (discover, parse in a process pool, graph, graph.json);
- process: the whole command, interpreter start and imports included:
  `python -c "import grimp; grimp.build_graph(...)"` against `decompose analyze --graph-only`;
- cold is `--no-cache`; warm is a re-run on unchanged files with the facts cache filled.

With --full it measures the whole `decompose analyze` instead (graph, contexts, plan, report,
exports) on a copy of the package: cold (`--no-cache` into an empty folder), warm (again,
unchanged files, into the same folder) and with one file changed, three ways: `comment` (the
text of a comment made longer: no fact changes), `body` (a statement inserted at the top of a
function's body: every line below it moves, no dependency changes) and `line` (a comment line
appended: the module's size changes), each after the one before; as processes, with each
one's peak memory, beside grimp's `build_graph` on the same copy. Then `decompose check`
against the plan just written into a fresh folder (facts cache warm: a CI job's or a pre-commit
hook's run, which builds the graph again), and again into the same folder (`check-kept`: nothing
changed, the last result kept), beside `lint-imports` with one layers contract (the package's
largest subpackage above its second largest; import-linter's own cache warm) on the same copy.
--baseline DIR measures the decomposer package under DIR (another
checkout, e.g. `git worktree add /tmp/before main`) beside this one, alternating, with ratios.
--server adds this checkout's commands handed to a `decompose server` started for the run
(`served`), beside the same commands run alone.

With --curve N it builds synthetic monoliths of 1 to N copies of the repository (--repo, or
ROOT/PACKAGE): copy k renames each top-level package P of the repository to P_k and every
import of it (`P.x`, `from P import`, "P.settings") to match, so the copies are independent
apps of one code base, as big as k times the original. It prints, for each size, the lines of
Python, the cold `decompose analyze` (`--no-cache`) wall time, CPU time and peak memory: how
time and memory grow with size (the issue's 4-million-line point is 5 copies of saleor).
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from collections.abc import Callable
from pathlib import Path

GRIMP = """
import sys, time
sys.path.insert(0, {root!r})
import grimp
start = time.perf_counter()
grimp.build_graph({package!r}, cache_dir=None)
print(time.perf_counter() - start)
"""

DECOMPOSER = """
import time
from pathlib import Path
from decomposer import pipeline
from decomposer.config import Settings
start = time.perf_counter()
pipeline.build_graph(Path({target!r}), Settings(cache={cache!r}), out=Path({out!r}))
print(time.perf_counter() - start)
"""


def main() -> int:
    # Every process measured keeps its compiled bytecode, as an installed tool does (pip
    # compiles it; grimp's is in site-packages): with PYTHONDONTWRITEBYTECODE set, as on some
    # CI images, decomposer's 50 modules were compiled from source in every run (0.25 s).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path)
    parser.add_argument("package", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="the whole analyze, cold and warm")
    parser.add_argument("--baseline", type=Path, help="a decomposer checkout to compare with")
    parser.add_argument(
        "--server",
        action="store_true",
        help="with --full: also this checkout's commands handed to `decompose server`",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        help="with --full: the folder `decompose analyze` reads (default ROOT/PACKAGE); e.g. the"
        " saleor repository, with ROOT the same folder and PACKAGE saleor for grimp",
    )
    parser.add_argument(
        "--curve",
        type=int,
        metavar="N",
        help="cold analyze of synthetic monoliths of 1 to N copies of the repository",
    )
    args = parser.parse_args()
    if args.curve and args.repo:
        return curve(args.repo.resolve(), args.curve)
    root, package = (args.root, args.package) if args.root else (django_source(), "django")
    target = str((root / package).resolve())
    if args.curve:
        return curve((root / package).resolve(), args.curve)
    if args.full:
        repo = (args.repo or root / package).resolve()
        return full(repo, root.resolve(), package, args.runs, args.baseline, server=args.server)
    out = Path(tempfile.mkdtemp(prefix="decomposer-bench-"))
    timings: dict[str, list[float]] = {}
    for _ in range(args.runs):
        _record(
            timings, "grimp call", _call(GRIMP.format(root=str(root.resolve()), package=package))
        )
        _record(
            timings,
            "grimp process",
            _wall([sys.executable, "-c", GRIMP.format(root=str(root.resolve()), package=package)]),
        )
        shutil.rmtree(out / "cold", ignore_errors=True)
        _record(
            timings,
            "cold call",
            _call(DECOMPOSER.format(target=target, cache=False, out=str(out / "cold"))),
        )
        _record(timings, "cold process", _wall(_decompose(target, out / "cold-cli", "--no-cache")))
        _call(DECOMPOSER.format(target=target, cache=True, out=str(out / "warm")))  # fill the cache
        _record(
            timings,
            "warm call",
            _call(DECOMPOSER.format(target=target, cache=True, out=str(out / "warm"))),
        )
        _record(timings, "warm process", _wall(_decompose(target, out / "warm")))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"{package} at {root} ({args.runs} runs each, medians):")
    for name, value in medians.items():
        print(f"  {name:14} {value:7.3f} s   (all: {', '.join(f'{v:.3f}' for v in timings[name])})")
    for kind in ("call", "process"):
        grimp = medians[f"grimp {kind}"]
        print(
            f"  ratio ({kind}): cold {medians[f'cold {kind}'] / grimp:5.1f}x grimp (goal <= 12x), "
            f"warm {medians[f'warm {kind}'] / grimp:5.1f}x grimp (goal <= 5x)"
        )
    shutil.rmtree(out, ignore_errors=True)
    return 0


def full(
    repo: Path,
    root: Path,
    package: str,
    runs: int,
    baseline: Path | None,
    *,
    server: bool = False,
) -> int:
    """The whole `decompose analyze`, cold, warm and with one file changed, for this checkout
    (and `baseline`), beside grimp's graph alone; each with its peak memory. With `server`,
    also this checkout's commands run by a `decompose server` (as `served`; the peak memory
    and CPU time are then the caller's only: the command runs in the server's child)."""
    this = Path(__file__).resolve().parents[1]
    versions = {"this": this}
    if baseline is not None:
        versions["baseline"] = baseline.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="decomposer-bench-"))
    environments = {
        name: {
            **os.environ,
            "PYTHONPATH": str(checkout),
            "DECOMPOSER_CACHE_DIR": str(scratch / name / "cache"),
            "DECOMPOSER_SERVER": "off",
        }
        for name, checkout in versions.items()
    }
    if server:
        versions["served"] = this
        runtime = scratch / "served" / "run"
        runtime.mkdir(parents=True, mode=0o700)
        environments["served"] = {
            **environments["this"],
            "DECOMPOSER_CACHE_DIR": str(scratch / "served" / "cache"),
            "DECOMPOSER_SERVER": "on",
            "XDG_RUNTIME_DIR": str(runtime),
        }
        start = [sys.executable, "-m", "decomposer", "server", "start", "--idle-timeout", "900"]
        subprocess.run(start, env=environments["served"], cwd=this, check=True)
    # a copy for each checkout, so that the one-file changes never touch the measured
    # repository itself, and each checkout's run sees only its own edit since its last run
    copies = {name: scratch / name / "repo" / repo.name for name in versions}
    for copy in copies.values():
        shutil.copytree(repo, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    copy = copies["this"]
    changed = _file_to_change(copy).relative_to(copy)
    grimp_root = copy / root.relative_to(repo) if root.is_relative_to(repo) else copy.parent
    grimp_code = GRIMP.format(root=str(grimp_root), package=package)
    timings: dict[str, list[float]] = {}
    peaks: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    # import-linter with its own cache, as a CI job keeps it (filled here: a broken contract
    # exits 1 after the same work)
    linter, contract = _layers_contract(grimp_root, package, scratch)
    _measured(linter, dict(os.environ), cwd=grimp_root, allowed=(0, 1))
    for _ in range(runs):
        _record(timings, "grimp", _wall([sys.executable, "-c", grimp_code]))
        _record(
            timings,
            "lint-imports",
            _measured(linter, dict(os.environ), cwd=grimp_root, allowed=(0, 1))[0],
        )
        for name, checkout in versions.items():
            environment = environments[name]
            out = scratch / name / "out"
            shutil.rmtree(out, ignore_errors=True)
            command = _decompose(str(copies[name]), out, full=True)
            edited = 0.0
            # run from the checkout: `python -m` puts the working folder before PYTHONPATH
            for kind, flags in (
                ("cold", ("--no-cache",)),
                ("fill", ()),  # fills the facts cache and the record
                ("warm", ()),
                *((edit, ()) for edit in EDITS),
            ):
                if kind in EDITS:
                    EDITS[kind](copies[name] / changed)
                    edited = time.time()
                seconds, peak, cpu = _measured([*command, *flags], environment, cwd=checkout)
                if kind != "fill":
                    _record(timings, f"{name} {kind}", seconds)
                    _record(peaks, f"{name} {kind}", peak)
                    _record(cpus, f"{name} {kind}", cpu)
            # `decompose check` against the plan just written, facts cache warm: what a CI job
            # or a pre-commit hook runs on every push
            # (into a fresh folder: a run that finds its own last outputs unchanged reuses them)
            # a file changed in the last 2 s is not trusted by its stat (discover._SETTLED_NS),
            # and a check that cannot trust it records nothing for the next one to keep: both
            # checks run once the last edit has settled
            time.sleep(max(0.0, edited + 2.1 - time.time()))
            checked = scratch / name / "checked"
            shutil.rmtree(checked, ignore_errors=True)
            checking = [*command[:3], "check", str(copies[name]), "--plan", str(out / "plan.json")]
            checking += ["--out", str(checked)]
            # (exit 4: violations found, after the same work)
            seconds, peak, cpu = _measured(
                [*checking, "-q"], environment, cwd=checkout, allowed=(0, 4)
            )
            _record(timings, f"{name} check", seconds)
            _record(peaks, f"{name} check", peak)
            _record(cpus, f"{name} check", cpu)
            seconds, peak, cpu = _measured(
                [*checking, "-q"], environment, cwd=checkout, allowed=(0, 4)
            )
            _record(timings, f"{name} check-kept", seconds)
            _record(peaks, f"{name} check-kept", peak)
            _record(cpus, f"{name} check-kept", cpu)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"decompose analyze {package} ({runs} runs each, medians; changed: {changed.name}):")
    print(f"  lint-imports: one layers contract, {contract}")
    for name, value in medians.items():
        usage = (
            f"   cpu {statistics.median(cpus[name]):7.3f} s   peak"
            f" {statistics.median(peaks[name]):4.0f} MiB"
            if name in peaks
            else ""
        )
        every = ", ".join(f"{v:.3f}" for v in timings[name])
        print(f"  {name:18} {value:7.3f} s{usage}   (all: {every})")
    for kind in ("cold", "warm", *EDITS, "check", "check-kept"):
        against = "lint-imports" if kind.startswith("check") else "grimp"
        line = f"  {kind}: this {medians[f'this {kind}'] / medians[against]:5.2f}x {against}"
        if baseline is not None:
            line += (
                f", this / baseline = {medians[f'this {kind}'] / medians[f'baseline {kind}']:5.2f}"
            )
        if server:
            line += f", served {medians[f'served {kind}'] / medians[against]:5.2f}x {against}"
        print(line)
    if server:
        stop = [sys.executable, "-m", "decomposer", "server", "stop"]
        subprocess.run(stop, env=environments["served"], cwd=this, check=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def curve(repo: Path, copies: int) -> int:
    """Cold `decompose analyze` of 1..`copies` copies of `repo` under renamed packages: lines
    against seconds and peak memory."""
    scratch = Path(tempfile.mkdtemp(prefix="decomposer-curve-"))
    monolith = scratch / repo.name
    packages = sorted(
        p.name for p in repo.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    )
    print(f"synthetic monoliths of {repo.name} (packages renamed: {', '.join(packages)}):")
    print(f"  {'copies':>6} {'lines':>10} {'seconds':>8} {'cpu s':>8} {'peak MiB':>9}")
    try:
        shutil.copytree(repo, monolith, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        lines = _python_lines(monolith)
        for k in range(1, copies + 1):
            if k > 1:
                lines += _add_copy(repo, monolith, packages, k)
            out = scratch / f"out-{k}"
            environment = {**os.environ, "DECOMPOSER_CACHE_DIR": str(scratch / "cache")}
            command = _decompose(str(monolith), out, "--no-cache", full=True)
            seconds, peak, cpu = _measured(command, environment, cwd=Path(__file__).parents[1])
            print(f"  {k:>6} {lines:>10,} {seconds:>8.1f} {cpu:>8.1f} {peak:>9.0f}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _add_copy(repo: Path, monolith: Path, packages: list[str], k: int) -> int:
    """Copy `repo`'s packages into `monolith` as copy `k` (each package P as P_k, the imports of
    them renamed alike); the lines of Python added."""
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, packages)) + r")\b")
    lines = 0
    for name in packages:
        for source in (repo / name).rglob("*"):
            if not source.is_file() or source.is_symlink():
                continue
            target = monolith / f"{name}_{k}" / source.relative_to(repo / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix != ".py":
                shutil.copyfile(source, target)
                continue
            text = source.read_text(encoding="utf-8", errors="surrogateescape")
            renamed = pattern.sub(lambda m: f"{m.group(1)}_{k}", text)
            target.write_text(renamed, encoding="utf-8", errors="surrogateescape")
            lines += renamed.count("\n")
    return lines


def _python_lines(root: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in root.rglob("*.py") if p.is_file())


def _edit_a_comment(path: Path) -> None:
    """The first comment's text made longer: no fact of the file changes, no line moves."""
    text = path.read_text(encoding="utf-8")
    comment = next(
        token
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    )
    lines = text.splitlines(keepends=True)
    row, col = comment.end
    lines[row - 1] = f"{lines[row - 1][:col]} (edited){lines[row - 1][col:]}"
    path.write_text("".join(lines), encoding="utf-8")


def _insert_a_statement(path: Path) -> None:
    """A statement inserted at the top of the first function's body (after its docstring):
    every line below it moves, and the function and the module grow by one line."""
    text = path.read_text(encoding="utf-8")
    function = min(
        (
            node
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ),
        key=lambda node: node.lineno,
    )
    first = function.body[0]
    if ast.get_docstring(function) is not None and len(function.body) > 1:
        first = function.body[1]
    lines = text.splitlines(keepends=True)
    lines.insert(first.lineno - 1, " " * first.col_offset + "edited_by_benchmark = None\n")
    path.write_text("".join(lines), encoding="utf-8")


def _append_a_comment_line(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n# changed by benchmarks/speed.py\n")


# The one-file changes --full measures, in order, each from the state the one before left.
EDITS: dict[str, Callable[[Path], None]] = {
    "comment": _edit_a_comment,
    "body": _insert_a_statement,
    "line": _append_a_comment_line,
}


def _file_to_change(root: Path) -> Path:
    """A mid-sized module of the application: the first of the 20 largest, by name."""
    files = sorted(
        (
            p
            for p in root.rglob("*.py")
            if "test" not in p.as_posix() and "migrations" not in p.parts
        ),
        key=lambda p: -p.stat().st_size,
    )
    return sorted(files[:20])[0]


def _measured(
    command: list[str], environment: dict[str, str], cwd: Path, allowed: tuple[int, ...] = (0,)
) -> tuple[float, float, float]:
    """Wall seconds, peak memory (MiB, of the largest process of the run) and CPU seconds (user
    and system, worker processes included: what a loaded machine inflates least) of a
    command."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, cwd=cwd
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in allowed:
        raise subprocess.CalledProcessError(process.returncode, command)
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _layers_contract(root: Path, package: str, scratch: Path) -> tuple[list[str], str]:
    """The `lint-imports` command for one layers contract on `package` (under `root`): its
    largest subpackage above its second largest, as a team would start; and the contract."""
    sizes = {
        folder.name: sum(p.stat().st_size for p in folder.rglob("*.py"))
        for folder in (root / package).iterdir()
        if (folder / "__init__.py").is_file()
    }
    upper, lower = sorted(sizes, key=lambda name: (-sizes[name], name))[:2]
    config = scratch / "importlinter.ini"
    config.write_text(
        f"[importlinter]\nroot_package = {package}\n\n"
        f"[importlinter:contract:layers]\nname = benchmark\ntype = layers\n"
        f"layers =\n    {package}.{upper}\n    {package}.{lower}\n",
        encoding="utf-8",
    )
    command = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(config)]
    return command, f"{package}.{upper} above {package}.{lower}"


def _decompose(target: str, out: Path, *flags: str, full: bool = False) -> list[str]:
    return [
        sys.executable,
        "-m",
        "decomposer",
        "analyze",
        target,
        "--out",
        str(out),
        "-q",
        *(() if full else ("--graph-only",)),
        *flags,
    ]


def _call(code: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def _wall(
    command: list[str], environment: dict[str, str] | None = None, cwd: Path | None = None
) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=environment, cwd=cwd)
    return time.perf_counter() - start


def _record(timings: dict[str, list[float]], name: str, value: float) -> None:
    timings.setdefault(name, []).append(value)


def django_source() -> Path:
    """A folder holding Django 5.2's `django` package (its sdist, downloaded once)."""
    cache = Path(tempfile.gettempdir()) / "decomposer-bench-django"
    if not (cache / "django").is_dir():
        download = cache / "sdist"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                "django==5.2.*",
                "-d",
                str(download),
            ],
            check=True,
        )
        archive = next(download.glob("*.tar.gz"))
        shutil.unpack_archive(archive, download)
        shutil.move(
            str(next(p for p in download.iterdir() if p.is_dir()) / "django"), cache / "django"
        )
    return cache


if __name__ == "__main__":
    raise SystemExit(main())
