"""Probe `decompose analyze` with mutated real files (issue 13): crashes, hangs, wrong writes.

    python benchmarks/probe.py SOURCE [SOURCE ...] [--rounds N] [--files K] [--seed S]
                               [--timeout SECONDS] [--jobs J] [--full]

Each SOURCE (a package such as Django's `django` folder, or a repository such as saleor) is
copied once into a temporary folder and analyzed clean, which fills a private facts cache. Then
every round mutates K of the files that clean run analyzed, all with one mutation family (the
families take turns), runs `python -m decomposer analyze COPY --out OUT` in a subprocess (with
`--graph-only` unless --full) and puts the mutated files back. A round counts

- a crash: exit code 3 (internal error), death by a signal, or a traceback in the output;
- a hang: the run took longer than --timeout and was killed;
- a wrong write: a file outside --out and the cache folder appeared, vanished or changed;
- data lost: a file that was not mutated is not a node of graph.json, or a mutated file is
  neither a node nor listed in graph.json's failures (with a line) or skipped (with a message).

It prints one row per family: probe family | inputs tried (mutated files) | crashes | hangs |
wrong writes | data lost, and the first problems it saw. The same mutations drive the normal
suite's fuzz test (tests/functional/test_fuzz_files.py) at a small scale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Coding cookies: valid, forbidden (not text encodings, or encodings CPython refuses in source),
# and unknown.
CODECS = (
    "punycode",
    "rot13",
    "rot_13",
    "hex",
    "base64",
    "zlib_codec",
    "bz2",
    "uu",
    "utf-16",
    "utf-32",
    "utf-7",
    "idna",
    "unicode_escape",
    "raw_unicode_escape",
    "latin-1",
    "cp037",
    "cp1252",
    "utf-8-sig",
    "ascii",
    "mbcs",
    "no-such-codec",
    "",
)
BOM = b"\xef\xbb\xbf"

Mutation = Callable[[random.Random, Path, Path], None]
"""Mutate the file at `path` in place; `outside` is a folder outside the analyzed tree."""


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _line_start(rng: random.Random, data: bytes) -> int:
    """The offset of a random line's start."""
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A and i + 1 < len(data)]
    return rng.choice(starts)


def byte_flip(rng: random.Random, path: Path, outside: Path) -> None:
    data = bytearray(path.read_bytes() or b" ")
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    path.write_bytes(bytes(data))


def truncate(rng: random.Random, path: Path, outside: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randint(0, max(len(data) - 1, 0))])


def delete_line(rng: random.Random, path: Path, outside: Path) -> None:
    lines = _lines(path.read_bytes())
    del lines[rng.randrange(len(lines))]
    path.write_bytes(b"".join(lines))


def duplicate_line(rng: random.Random, path: Path, outside: Path) -> None:
    lines = _lines(path.read_bytes())
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at] if lines[at].endswith(b"\n") else lines[at] + b"\n")
    path.write_bytes(b"".join(lines))


def deep_nesting(rng: random.Random, path: Path, outside: Path) -> None:
    data = path.read_bytes()
    depth = rng.choice((100, 1_000, 10_000, 100_000))
    opener = rng.choice("([{")
    closer = {"(": ")", "[": "]", "{": "}"}[opener]
    inner = opener * depth + (closer * depth if rng.random() < 0.5 else "")
    at = _line_start(rng, data)
    path.write_bytes(data[:at] + f"x = {inner}\n".encode() + data[at:])


def nul_bytes(rng: random.Random, path: Path, outside: Path) -> None:
    data = path.read_bytes()
    at = rng.randint(0, len(data))
    path.write_bytes(data[:at] + b"\x00" * rng.randint(1, 4) + data[at:])


def coding_cookie(rng: random.Random, path: Path, outside: Path) -> None:
    lines = _lines(path.read_bytes())
    cookie = f"# -*- coding: {rng.choice(CODECS)} -*-\n".encode()
    at = rng.randint(0, min(1, len(lines) - 1))
    if lines[at].lstrip().startswith(b"#") and b"coding" in lines[at]:
        lines[at] = cookie
    else:
        lines.insert(at, cookie)
    path.write_bytes(b"".join(lines))


def bom_cookie(rng: random.Random, path: Path, outside: Path) -> None:
    codec = rng.choice([c for c in CODECS if c not in ("utf-8-sig", "")])
    path.write_bytes(BOM + f"# coding: {codec}\n".encode() + path.read_bytes())


def symlink_self(rng: random.Random, path: Path, outside: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


def symlink_outside(rng: random.Random, path: Path, outside: Path) -> None:
    target = outside / "target.py"
    if not target.exists():
        target.write_text("import os\nSECRET = 1\n")
    path.unlink()
    path.symlink_to(rng.choice((target, outside, Path("/etc/passwd"), Path("/dev/zero"))))


def named_pipe(rng: random.Random, path: Path, outside: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def huge_line(rng: random.Random, path: Path, outside: Path) -> None:
    data = path.read_bytes()
    size = rng.choice((100_000, 1_000_000, 4_000_000))
    line = rng.choice(
        (
            "x = '" + "a" * size + "'",
            "x = " + "1 + " * (size // 4) + "1",
            "# " + "z" * size,
            "y = [" + "0, " * (size // 3) + "]",
        )
    )
    at = _line_start(rng, data)
    path.write_bytes(data[:at] + line.encode() + b"\n" + data[at:])


FAMILIES: dict[str, Mutation] = {
    "byte flip": byte_flip,
    "truncation": truncate,
    "line deleted": delete_line,
    "line duplicated": duplicate_line,
    "deep nesting": deep_nesting,
    "NUL bytes": nul_bytes,
    "coding cookie": coding_cookie,
    "BOM + cookie": bom_cookie,
    "symlink to itself": symlink_self,
    "symlink outside": symlink_outside,
    "huge line": huge_line,
    "named pipe": named_pipe,
}


def listing(root: Path, skip: Iterable[Path]) -> dict[str, str]:
    """{relative path: what it is} of everything under `root` but `skip`: a file by its hash,
    a symbolic link by its target, a folder or a pipe as such."""
    skipped = {p.resolve() for p in skip}
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [
            d for d in dirs if (here / d).resolve() not in skipped or (here / d).is_symlink()
        ]
        for name in [*dirs, *files]:
            path = here / name
            relative = str(path.relative_to(root))
            if path.is_symlink():
                found[relative] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[relative] = "dir"
            elif not path.is_file():
                found[relative] = "special"
            else:
                found[relative] = hashlib.sha1(path.read_bytes()).hexdigest()
    return found


@dataclass(frozen=True)
class Run:
    code: int | None  # None: killed after the time limit
    output: str
    seconds: float


def decompose(
    *args: str, cache: Path, timeout: float, cwd: Path | None = None, root: Path | None = None
) -> Run:
    """Run `python -m decomposer ARGS` in a subprocess, importing decomposer from `root`."""
    env = dict(os.environ, DECOMPOSER_CACHE_DIR=str(cache), COLUMNS="200")
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "decomposer", *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=env,
            cwd=cwd,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or b""
        text = out.decode(errors="replace") if isinstance(out, bytes) else out
        return Run(None, text, time.perf_counter() - start)
    return Run(done.returncode, done.stdout + done.stderr, time.perf_counter() - start)


def graph_files(out: Path) -> tuple[set[str], dict[str, dict[str, object]]]:
    """The paths of graph.json's module nodes, and {path: entry} of its failures and skipped."""
    graph = json.loads((out / "graph.json").read_text())
    nodes = {n["path"] for n in graph["nodes"] if n.get("kind") == "module"}
    listed = {entry["path"]: entry for entry in graph["failures"] + graph["skipped"]}
    return nodes, listed


def problems(run: Run, out: Path, good: set[str], mutated: set[str]) -> dict[str, list[str]]:
    """What went wrong in one run of `analyze`, by kind (crash, hang, data lost)."""
    found: dict[str, list[str]] = {"crash": [], "hang": [], "data lost": []}
    if run.code is None:
        found["hang"].append(f"killed after {run.seconds:.0f} s")
        return found
    if run.code != 0 or "Traceback" in run.output or "internal error" in run.output:
        found["crash"].append(f"exit {run.code}: {run.output[-2000:]}")
        return found
    nodes, listed = graph_files(out)
    found["data lost"] += [f"{path}: not a node of graph.json" for path in sorted(good - nodes)]
    for path in sorted(mutated - nodes):
        entry = listed.get(path)
        if entry is None:
            found["data lost"].append(f"{path}: neither a node nor a failure nor skipped")
        elif not entry.get("message") or ("line" in entry and not int(str(entry["line"])) >= 1):
            found["data lost"].append(f"{path}: listed without a message or position: {entry}")
    return found


@dataclass
class Row:
    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    wrong_writes: int = 0
    data_lost: int = 0
    examples: list[str] = field(default_factory=list)


def restore(copy: Path, source: Path, relative: str) -> None:
    path = copy / relative
    if path.is_symlink() or path.exists():
        path.unlink()
    shutil.copy2(source / relative, path)


def probe_source(
    source: Path, args: argparse.Namespace, work: Path, table: dict[str, Row], rng: random.Random
) -> None:
    copy = work / "repo" / source.name
    shutil.copytree(source, copy, symlinks=True)
    outside, cache, out = work / "outside", work / "cache", work / "out"
    outside.mkdir(exist_ok=True)
    mode = [] if args.full else ["--graph-only"]
    common = ["--jobs", str(args.jobs), *mode]
    clean = decompose(
        "analyze", str(copy), "--out", str(out), *common, cache=cache, timeout=600, cwd=work
    )
    if clean.code != 0:
        sys.exit(f"the clean run on {source} failed (exit {clean.code}):\n{clean.output}")
    analyzed = sorted(graph_files(out)[0])
    print(f"{source}: {len(analyzed)} files analyzed clean in {clean.seconds:.1f} s", flush=True)
    names = list(FAMILIES)
    for number in range(args.rounds):
        family = names[number % len(names)]
        chosen = set(rng.sample(analyzed, min(args.files, len(analyzed))))
        for relative in sorted(chosen):
            FAMILIES[family](rng, copy / relative, outside)
        before = listing(work, [out, cache])
        shutil.rmtree(out, ignore_errors=True)
        run = decompose(
            "analyze",
            str(copy),
            "--out",
            str(out),
            *common,
            cache=cache,
            timeout=args.timeout,
            cwd=work,
        )
        row = table.setdefault(family, Row())
        row.inputs += len(chosen)
        found = problems(run, out, set(analyzed) - chosen, chosen)
        after = listing(work, [out, cache])
        changed = sorted(set(before.items()) ^ set(after.items()))
        found["wrong write"] = [f"{path}: {what}" for path, what in changed]
        row.crashes += bool(found["crash"])
        row.hangs += bool(found["hang"])
        row.wrong_writes += len({path for path, _ in changed})
        row.data_lost += len(found["data lost"])
        for kind, items in found.items():
            if items and len(row.examples) < 3:
                row.examples.append(f"{kind} (round {number}, {sorted(chosen)}): {items[0][:600]}")
        for relative in chosen:
            restore(copy, source, relative)
        if number % 10 == 9:
            print(f"  {number + 1} rounds, last {run.seconds:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=44, help="rounds per source")
    parser.add_argument("--files", type=int, default=5, help="files mutated per round")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--timeout", type=float, default=120.0, help="a hang, in seconds")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="the whole analysis, not --graph-only")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    table: dict[str, Row] = {}
    start = time.perf_counter()
    for source in args.sources:
        with tempfile.TemporaryDirectory(prefix="decomposer-probe-") as folder:
            probe_source(source.resolve(), args, Path(folder), table, rng)
    print(
        f"\n{sum(r.inputs for r in table.values())} inputs in {time.perf_counter() - start:.0f} s"
    )
    header = ("probe family", "inputs tried", "crashes", "hangs", "wrong writes", "data lost")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for family, row in table.items():
        cells = (family, row.inputs, row.crashes, row.hangs, row.wrong_writes, row.data_lost)
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for family, row in table.items():
        for example in row.examples:
            print(f"{family}: {example}")
    if any(r.crashes or r.hangs or r.wrong_writes or r.data_lost for r in table.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
