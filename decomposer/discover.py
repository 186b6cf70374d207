"""Stage 1: a repository folder -> SourceTree (source roots, files, dotted module names)."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from decomposer.config import DEFAULT_EXCLUDED_DIRS, SCRIPT_DIRS, TEST_DIRS, Settings
from decomposer.errors import UserError
from decomposer.models import Exclusion, SkippedFile, SourceFile, SourceTree
from decomposer.models.facts import ExclusionKind

ROOT_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py"})

# Public functions


def find_sources(repo: Path, settings: Settings) -> SourceTree:
    """Walk `repo` and map every analyzable Python file to its dotted module name.

    Raises:
        UserError: the folder does not exist, a configured source root is missing, or there is
            no Python file to analyze.
    """
    repo = repo.resolve()
    if not repo.is_dir():
        raise UserError(f"{repo} is not a folder", hint="pass the repository's root folder")
    walk = _Walk(repo=repo, settings=settings)
    roots = _source_roots(repo, settings)
    for root, prefix in roots:
        # The package-itself case (prefix set) has its root above the repo: call it "..".
        walk.current_root = ".." if prefix else (walk._rel(root) or ".")
        walk.source_root(root, prefix)
    walk.skipped.extend(_left_out(repo, [root for root, _ in roots]))
    files = _dedupe(walk.files, walk.skipped)
    if not files:
        excluded = ", ".join(name for name, _ in walk.excluded.most_common(6)) or "nothing"
        raise UserError(
            f"no Python files under {repo} (excluded: {excluded})",
            hint="pass the folder that contains the top-level package, or set source_roots",
        )
    return SourceTree(
        name=repo.name,
        roots=tuple(sorted({f.root for f in files})),
        files=tuple(sorted(files, key=lambda f: f.path)),
        skipped=tuple(sorted(walk.skipped, key=lambda s: s.path)),
        excluded=tuple(sorted(walk.exclusions, key=lambda e: (e.path, e.kind))),
    )


def fingerprint(repo: Path, *, salt: str, skip: Path | None = None) -> str | None:
    """A digest of what discovery and extraction read, by stat alone: the modification time of
    every folder below `repo` (a file added, removed or renamed changes its folder's), and the
    size, modification and change times and inode of every Python file, with `salt` (versions,
    settings). Hidden folders, node_modules and `skip` (the output folder) are not entered, as
    discovery enters none of them.

    None when no fingerprint can be trusted: a symbolic link to a folder or a `.py` file (its
    target changes out of sight),
    a folder that cannot be listed, or anything modified in the last seconds (a later write in
    the same clock tick would keep the same stat)."""
    recent = time.time_ns() - _SETTLED_NS
    digest = hashlib.sha256(salt.encode())
    folders = [str(repo)]
    skipped = str(skip) if skip is not None else None
    while folders:
        folder = folders.pop()
        try:
            status = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return None
        if status.st_mtime_ns > recent:
            return None
        digest.update(f"{folder}\0{status.st_mtime_ns}\n".encode())
        for entry in entries:
            name = entry.name
            if entry.is_symlink():
                # discovery follows a link to a folder or named .py: its target changes out of
                # sight; a link to anything else (a README) it never reads
                try:
                    if name.endswith(".py") or entry.is_dir():
                        return None
                    link = entry.stat(follow_symlinks=False)
                except OSError:
                    return None
                digest.update(f"{name}\0{link.st_ino}\0{link.st_mtime_ns}\n".encode())
                continue
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith(".") and name != "node_modules" and entry.path != skipped:
                    folders.append(entry.path)
            elif name.endswith(".py"):
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    return None
                if max(stat.st_mtime_ns, stat.st_ctime_ns) > recent:
                    return None
                digest.update(
                    f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}"
                    f"\0{stat.st_ino}\n".encode()
                )
    return digest.hexdigest()


# Files and folders changed this recently are not fingerprinted (see `fingerprint`).
_SETTLED_NS = 2_000_000_000


def read_source(repo: Path, source: SourceFile) -> bytes:
    """The bytes of one discovered file (OSError propagates to the caller, who records it)."""
    return (repo / source.path).read_bytes()


def read_cochanges(repo: Path, *, commits: int = 2000) -> tuple[tuple[str, ...], ...]:
    """Paths (relative to `repo`) changed together, one tuple per commit, newest first.

    Raises:
        UserError: `repo` is not inside a git work tree, or git is missing.
    """
    command = [
        "git",
        "-C",
        str(repo),
        "log",
        f"-{commits}",
        "--no-merges",
        "--relative",
        "--name-only",
        "--pretty=format:%x00",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UserError(
            f"cannot run git: {exc.strerror}", hint="install git or drop --git"
        ) from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["git log failed"])[-1]
        raise UserError(
            f"{repo} has no git history to read: {last}",
            hint="drop --git, or point at a git work tree",
        )
    return tuple(
        tuple(sorted(line for line in chunk.splitlines() if line.endswith(".py")))
        for chunk in result.stdout.split("\x00")
        if chunk.strip()
    )


# Private functions


def _source_roots(repo: Path, settings: Settings) -> list[tuple[Path, str]]:
    """(folder, module prefix) pairs to walk."""
    if settings.source_roots:
        roots = []
        for name in settings.source_roots:
            root = (repo / name).resolve()
            if not root.is_dir() or not root.is_relative_to(repo):
                raise UserError(
                    f"source root {name!r} is not a folder inside {repo}",
                    hint="fix source_roots in [tool.decomposer]",
                )
            roots.append((root, ""))
        return roots
    if (repo / "__init__.py").is_file() and repo.name.isidentifier() and not _is_project(repo):
        # The user pointed at a package itself: its name is the first part of every module.
        # (A project root that merely holds a stray __init__.py is still a project root.)
        return [(repo, repo.name)]
    return [(_project_root(repo), "")]


def _project_root(repo: Path) -> Path:
    """The folder the application's modules are named from.

    The repository root, or `src/` beside it, unless the application lives further down: a
    Django project whose `manage.py` sits in a subfolder (`repo/project/manage.py`, apps beside
    it), or a monorepo whose application is declared by a `pyproject.toml`/`setup.py`/
    `setup.cfg` in a subfolder (`server/`), with tooling, SDKs and scripts beside it. Of the
    candidate folders, the one whose packages hold the most code wins; a subfolder must hold
    more package code than the repository root itself to be chosen.
    """
    sizes = _package_sizes(repo)
    candidates = [repo] + [folder for folder in _project_folders(repo) if folder != repo]
    best, best_size = _app_root(repo), sizes.get(_app_root(repo), 0)
    for folder in candidates[1:]:
        root = _app_root(folder)
        size = sizes.get(root, 0)
        if size > best_size:
            best, best_size = root, size
    return best


def _left_out(repo: Path, roots: list[Path]) -> list[SkippedFile]:
    """Python folders beside a project root found below the repository (tooling, SDKs, other
    projects of a monorepo): one entry per top-level folder, with its count of files."""
    if any(root in (repo, repo / "src") or not root.is_relative_to(repo) for root in roots):
        return []
    counts: Counter[str] = Counter()
    for folder, names, files in os.walk(repo):
        path = Path(folder)
        names[:] = sorted(
            n
            for n in names
            if not n.startswith(".")
            and n not in DEFAULT_EXCLUDED_DIRS
            and not any((path / n) == root for root in roots)
        )
        if path == repo:
            continue
        top = path.relative_to(repo).parts[0]
        counts[top] += sum(1 for name in files if name.endswith(".py"))
    where = ", ".join(root.relative_to(repo).as_posix() for root in roots)
    return [
        SkippedFile(
            path=top,
            reason="outside-project",
            message=f"{count} Python files beside the application ({where}): tooling, SDKs or"
            " other projects; set source_roots to analyze them",
        )
        for top, count in sorted(counts.items())
        if count
    ]


def _app_root(folder: Path) -> Path:
    src = folder / "src"
    if src.is_dir() and not (src / "__init__.py").exists():
        return src
    return folder


_PROJECT_FILES = ("manage.py", "pyproject.toml", "setup.py", "setup.cfg")
_PROJECT_SEARCH_DEPTH = 4


def _project_folders(repo: Path) -> list[Path]:
    """Folders (down to a few levels, outside tests, docs and hidden or build folders) that
    declare a project: a `manage.py`, `pyproject.toml`, `setup.py` or `setup.cfg`."""
    found: list[Path] = []
    for folder, names, files in os.walk(repo):
        depth = len(Path(folder).relative_to(repo).parts)
        names[:] = sorted(
            n
            for n in names
            if depth < _PROJECT_SEARCH_DEPTH
            and n.isidentifier()
            and n not in DEFAULT_EXCLUDED_DIRS
            and n not in TEST_DIRS
            and n not in ("testing", "test", "examples", "example")
            and not os.path.isfile(os.path.join(folder, n, "__init__.py"))
        )
        if any(name in files for name in _PROJECT_FILES):
            found.append(Path(folder))
    return found


def _package_sizes(repo: Path) -> dict[Path, int]:
    """For every folder of the repository: the bytes of Python in the packages directly in it
    (folders with an `__init__.py`, and everything below them)."""
    # Folders as strings: Django has 2,400 folders (its locales), and a Path for each costs more
    # than the walk itself.
    visited: list[tuple[str, int, bool, list[str]]] = []
    for folder, names, files in os.walk(repo):
        names[:] = [n for n in names if not n.startswith(".") and n != "node_modules"]
        size = 0
        for name in files:
            if name.endswith(".py"):
                try:
                    size += os.path.getsize(os.path.join(folder, name))
                except OSError:
                    continue
        visited.append((folder, size, "__init__.py" in files, names))
    below: dict[str, int] = {}  # bytes of .py in a package and its subpackages
    sizes: dict[str, int] = {}
    for folder, size, is_package, names in reversed(visited):  # children before parents
        if not is_package:
            continue
        below[folder] = size + sum(below.get(os.path.join(folder, name), 0) for name in names)
        parent = os.path.dirname(folder)
        sizes[parent] = sizes.get(parent, 0) + below[folder]
    return {Path(folder): size for folder, size in sizes.items()}


@dataclass
class _Walk:
    """Symbolic links are followed only to targets inside the repository, and each real folder
    and file is visited once: links wait until every plain folder of the root is walked, so a
    file reached both ways keeps its own path (and links to links cannot multiply the work)."""

    repo: Path
    settings: Settings
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    exclusions: list[Exclusion] = field(default_factory=list)
    current_root: str = "."
    seen: set[str] = field(default_factory=set)
    links: list[Callable[[], None]] = field(default_factory=list)
    # the folders whose top-level tooling files (setup.py, ...) are no modules, as strings
    _tops: set[str] = field(default_factory=set)

    def source_root(self, root: Path, prefix: str) -> None:
        """Walk one source root, then the links found in it (and in the folders they reach)."""
        real = str(root.resolve())
        self.seen.add(real)
        self._tops = {str(folder) for folder in self._root_folders}
        self.package_dir(str(root), prefix, real=real, ancestors=frozenset({real}))
        while self.links:
            self.links.pop(0)()

    def package_dir(
        self, folder: str, prefix: str, *, real: str, ancestors: frozenset[str]
    ) -> None:
        """Visit one folder whose modules are named `prefix.<name>` (folders are strings here:
        Django has 2,400 folders, and a Path for each costs more than listing it)."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self._skip(Path(folder), "unreadable", f"cannot list folder: {exc.strerror}")
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.name.endswith(".py") and entry.is_file()
                is_link = entry.is_symlink()
            except OSError as exc:  # a link to itself: ELOOP
                if entry.name.endswith(".py"):
                    self._skip(Path(entry.path), "unreadable", f"cannot read: {exc.strerror}")
                continue
            if entry.name.endswith(".py") and not is_file and (is_link or not is_dir):
                self._not_a_file(Path(entry.path), is_link=is_link)
                continue
            if is_dir:
                subfolder = self._subfolder
                if is_link:
                    self.links.append(partial(subfolder, entry, prefix, ancestors, link=True))
                else:
                    subfolder(entry, prefix, ancestors, real=os.path.join(real, entry.name))
            elif is_file:
                path = Path(entry.path)
                is_top = folder in self._tops
                if is_link:
                    self.links.append(partial(self._file, path, prefix, is_top=is_top))
                else:
                    self._file(path, prefix, is_top=is_top, real=os.path.join(real, entry.name))

    @property
    def _source_root_folders(self) -> set[Path]:
        return {self.repo / self.current_root} if self.current_root != ".." else set()

    @property
    def _root_folders(self) -> set[Path]:
        return {self.repo, self.repo / "src", *self._source_root_folders}

    def _subfolder(
        self,
        entry: os.DirEntry[str],
        prefix: str,
        ancestors: frozenset[str],
        *,
        real: str = "",
        link: bool = False,
    ) -> None:
        if not entry.name.isidentifier() or self._is_excluded_dir(entry):
            self.excluded[entry.name + "/"] += 1
            return
        # Only a symbolic link can close a loop; resolving every folder is costly (Django has
        # 1,400 locale folders), so plain folders extend the chain of ancestors by name.
        if link:
            path = Path(entry.path)
            real = os.path.realpath(path)
            if real in ancestors:
                self._skip(
                    path, "symlink-loop", f"symbolic link loops back to {self._rel(Path(real))}"
                )
                return
            if not self._followed(path, real):
                return
        self.seen.add(real)
        name = f"{prefix}.{entry.name}" if prefix else entry.name
        self.package_dir(entry.path, name, real=real, ancestors=ancestors | {real})

    def _not_a_file(self, path: Path, *, is_link: bool) -> None:
        """Skip a `.py` name that is no regular file, saying what it is: a broken link, a link
        out of the repository or to a folder or device, a pipe or a device (never opened)."""
        if not is_link:
            self._skip(path, "unreadable", "not a regular file (a pipe or a device); not read")
            return
        real = os.path.realpath(path)
        if not os.path.exists(path):
            self._skip(path, "unreadable", "broken symbolic link")
        elif not Path(real).is_relative_to(self.repo):
            self._skip(
                path,
                "symlink-outside",
                f"symbolic link to {real}, outside the repository; not followed",
            )
        else:
            target = self._rel(Path(real)) or "."
            self._skip(path, "unreadable", f"symbolic link to {target}, not a regular file")

    def _followed(self, path: Path, real: str) -> bool:
        """Whether to follow the link `path` to `real`: inside the repository, not seen yet."""
        if not Path(real).is_relative_to(self.repo):
            self._skip(
                path,
                "symlink-outside",
                f"symbolic link to {real}, outside the repository; not followed",
            )
            return False
        if real in self.seen:
            self._skip(
                path,
                "symlink-duplicate",
                f"symbolic link to {self._rel(Path(real)) or '.'}, analyzed under that path",
            )
            return False
        return True

    def _is_excluded_dir(self, entry: os.DirEntry[str]) -> bool:
        kind = self._exclusion_of_dir(entry)
        if kind is None:
            return False
        # Counted where a user would want to know (tests, migrations, ...), not in .git.
        counted = kind not in ("hidden", "virtual environment")
        self.exclusions.append(
            Exclusion(kind=kind, path=self._rel(Path(entry.path)), files=_py_files(entry.path))
            if counted
            else Exclusion(kind=kind, path=self._rel(Path(entry.path)), files=0)
        )
        return True

    def _exclusion_of_dir(self, entry: os.DirEntry[str]) -> ExclusionKind | None:
        name = entry.name
        if name.startswith("."):
            return "hidden"
        if name.endswith(".egg-info"):
            return "build output"
        # `build`, `env`, `docs`... inside a real package are code: only plain folders go (the
        # stat only for those names)
        if (name in ("docs", "doc") or name in DEFAULT_EXCLUDED_DIRS) and not os.path.isfile(
            os.path.join(entry.path, "__init__.py")
        ):
            if name in ("docs", "doc"):
                return "docs"
            return "build output" if name not in ("venv", "env") else "virtual environment"
        if not self.settings.include_tests and name in TEST_DIRS:
            return "tests"
        if name in SCRIPT_DIRS and Path(entry.path).parent in self._source_root_folders:
            return "scripts"
        if not self.settings.include_migrations and _is_migrations_dir(entry):
            return "migrations"
        if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
            return "virtual environment"
        if self.settings.exclude:
            rel = os.path.relpath(entry.path, self.repo).replace(os.sep, "/")
            if self._matches_exclude(rel + "/"):
                return "--exclude"
        return None

    def _file(self, path: Path, prefix: str, *, is_top: bool, real: str = "") -> None:
        name = path.name
        rel = self._rel(path)
        if self._is_excluded_file(name, rel, is_top=is_top):
            self.excluded[name] += 1
            if not (is_top and name in ROOT_TOOLING_FILES):
                kind: ExclusionKind = "--exclude" if self._matches_exclude(rel) else "tests"
                self.exclusions.append(Exclusion(kind=kind, path=rel, files=1))
            return
        if not real:  # a symbolic link
            real = os.path.realpath(path)
            if not self._followed(path, real):
                return
        self.seen.add(real)
        stem = name[:-3]
        # importlib loads modules whose names no import statement can spell (Django's
        # 0001_initial.py, settings/gitlab-ci.py), so only names with dots or spaces are skipped.
        if not stem or not f"_{stem}".replace("-", "_").isidentifier():
            self._skip(path, "invalid-module-name", f"{name!r} cannot be imported by that name")
            return
        try:
            size = path.stat().st_size
        except OSError as exc:
            self._skip(path, "unreadable", f"cannot read: {exc.strerror}")
            return
        limit = self.settings.max_file_kb * 1024
        if size > limit:
            self._skip(
                path,
                "too-large",
                f"{size // 1024} KiB is over max_file_kb={self.settings.max_file_kb}"
                " (generated code?); raise max_file_kb to analyze it",
            )
            return
        is_package = stem == "__init__"
        module = prefix if is_package else (f"{prefix}.{stem}" if prefix else stem)
        if not module:
            return  # an __init__.py at a source root belongs to no package
        self.files.append(
            SourceFile(
                path=rel,
                module=module,
                is_package=is_package,
                root=self.current_root,
                size_bytes=size,
            )
        )

    def _is_excluded_file(self, name: str, rel: str, *, is_top: bool) -> bool:
        is_test = (
            name.startswith("test_")
            or name.endswith(("_test.py", "_tests.py"))
            or name in ("tests.py", "conftest.py")
        )
        return (
            (not self.settings.include_tests and is_test)
            or (is_top and name in ROOT_TOOLING_FILES)
            or self._matches_exclude(rel)
        )

    def _matches_exclude(self, rel: str) -> bool:
        return any(fnmatch.fnmatchcase(rel, pattern) for pattern in self.settings.exclude)

    def _rel(self, path: Path) -> str:
        try:
            rel = path.relative_to(self.repo).as_posix()
        except ValueError:
            return path.as_posix()
        return "" if rel == "." else rel

    def _skip(self, path: Path, reason: str, message: str) -> None:
        self.skipped.append(SkippedFile(path=self._rel(path), reason=reason, message=message))  # type: ignore[arg-type]


def _dedupe(files: list[SourceFile], skipped: list[SkippedFile]) -> list[SourceFile]:
    """One file per module: a package beats a same-named module, as the import system decides."""
    by_module: dict[str, SourceFile] = {}
    for source in sorted(files, key=lambda f: (f.module, not f.is_package, f.path)):
        kept = by_module.get(source.module)
        if kept is None:
            by_module[source.module] = source
            continue
        skipped.append(
            SkippedFile(
                path=source.path,
                reason="duplicate-module",
                message=f"module {source.module} is already provided by {kept.path}",
            )
        )
    return list(by_module.values())


PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", "manage.py")


def _is_project(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in PROJECT_MARKERS)


def _py_files(folder: str) -> int:
    """Python files below a folder (hidden folders and node_modules not entered)."""
    count = 0
    for _, names, files in os.walk(folder):
        names[:] = [n for n in names if not n.startswith(".") and n != "node_modules"]
        count += sum(1 for name in files if name.endswith(".py"))
    return count


def _is_migrations_dir(entry: os.DirEntry[str]) -> bool:
    """Django migrations (0001_initial.py, ...) or an Alembic environment (env.py), not code
    that merely lives in a folder of that name: django.db.migrations is framework code."""
    if entry.name not in ("migrations", "alembic", "versions"):
        return False
    try:
        names = os.listdir(entry.path)
    except OSError:
        return False
    numbered = any(name[:4].isdigit() and name.endswith(".py") for name in names)
    return numbered or "env.py" in names
