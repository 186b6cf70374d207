"""A warm `decompose`: a process that imports the tool once and then forks a child for each
command, so that a command run again and again (a pre-commit hook, a save in an editor) starts
with every module imported and every model's schema built (about 0.8 s of each run on saleor).

`decompose server start` runs one in the background. While it runs, `decompose` (and `python -m
decomposer`) hands its command to it: the arguments, the working directory, the environment, the
umask and the three standard streams themselves (their file descriptors, passed over a Unix
socket), so that the child reads and writes the caller's terminal, pipes or files directly. The
child runs the command as the program would and answers its exit status; the caller exits with
it, and passes Ctrl-C (and SIGTERM, SIGHUP) on to the child. The outputs are the same bytes a
command run alone writes: each child is a fresh fork of a process that has run no command.

No state of one command reaches the next, and the server can run only the code it imported:
its socket's name is a digest of the interpreter, the package's place and every source and
template file's size and modification time, so that after an upgrade or an edit `decompose`
no longer finds it and runs the command itself (the old server exits when idle). The socket
lives in a folder only its user can enter, and the server serves only its own user (it checks
the peer's credentials). `DECOMPOSER_SERVER=off` runs a command in its own process.

Only the standard library is imported here: `decompose` reads this module before it decides
whether to import the rest."""

from __future__ import annotations

import array
import contextlib
import fcntl
import hashlib
import io
import json
import os
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

# The server exits after this long without a command (seconds).
DEFAULT_IDLE_TIMEOUT = 3600.0
# Signals the caller passes on to the command's process.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The package this server runs.
PACKAGE = Path(__file__).resolve().parent
_HEADER = struct.Struct("!I")
_STATUS = struct.Struct("!i")
# What a command ended with when its process died without answering (killed): README's
# "internal error" exit code.
_NO_STATUS = 3


# Where the server of this installation lives


class ServerFiles(NamedTuple):
    """Where this installation's server keeps its socket, lock, pid and log."""

    socket: Path
    lock: Path
    pid: Path
    log: Path


def server_folder() -> Path:
    """The folder of this user's servers (not created)."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    folder = base / f"decomposer-{os.getuid()}"
    if len(os.fsencode(folder)) > 80:  # a Unix socket's path is limited to 107 bytes
        folder = Path("/tmp") / f"decomposer-{os.getuid()}"
    return folder


def paths() -> ServerFiles:
    """The socket, lock, pid file and log of this installation's server (not created)."""
    folder = server_folder()
    name = code_digest()
    return ServerFiles(
        folder / f"{name}.sock",
        folder / f"{name}.lock",
        folder / f"{name}.pid",
        folder / f"{name}.log",
    )


def code_digest(package: Path = PACKAGE) -> str:
    """A digest of what a server would run: the interpreter, where the package is, and the
    size and modification time of every file of the package (the wheel's templates with it)
    and of a source checkout's templates beside it."""
    digest = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{package}".encode())
    for folder in (package, package.parent / "templates"):
        if not folder.is_dir():
            continue
        for root, directories, names in os.walk(folder):
            directories[:] = sorted(d for d in directories if d != "__pycache__")
            for name in sorted(names):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(root, name)
                info = os.stat(path)
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def private_folder(folder: Path, *, create: bool) -> bool:
    """Whether `folder` is a real folder only this user can enter (made so if `create`)."""
    if create:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700, parents=True)
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


# The caller's side


def forward(argv: list[str]) -> int | None:
    """Run `decompose argv` in the server, if one runs for this installation; its exit
    status, or None when there is no server to run it (the caller runs it itself)."""
    if os.environ.get("DECOMPOSER_SERVER", "").lower() in ("0", "off", "no", "false"):
        return None
    if argv[:1] == ["server"] or sys.platform != "linux":
        return None
    try:
        for descriptor in (0, 1, 2):  # a closed stream is not passed: the socket would take it
            os.fstat(descriptor)
        # no folder, no server: what the digest of the tool's files would cost is saved
        if not private_folder(server_folder(), create=False):
            return None
        address = paths().socket
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(os.fspath(address))
    except OSError:  # no server (or a socket left by one that died), a stream closed
        return None
    with connection:
        return _run_remotely(connection, argv)


def _run_remotely(connection: socket.socket, argv: list[str]) -> int | None:
    """The command's exit status; None if it could not start in the server."""
    umask = os.umask(0)
    os.umask(umask)
    request = {
        "argv": argv,
        "prog": _program_name(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "streams": [_stream_settings(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
    }
    body = json.dumps(request).encode()
    # Signals that come before the command's process is known are passed on once it is.
    child: list[int] = []
    pending: list[int] = []

    def pass_on(number: int, _frame: object) -> None:
        if not child:
            pending.append(number)
            return
        # to the command's process group: its worker processes too, as a terminal's Ctrl-C
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child[0], number)

    handlers = {n: signal.signal(n, pass_on) for n in FORWARDED_SIGNALS}
    try:
        connection.sendmsg(
            [b"D"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))]
        )
        connection.sendall(_HEADER.pack(len(body)) + body)
        pid = _read_exactly(connection, _STATUS.size)
    except OSError:  # a stream closed (nothing to pass), the server gone
        pid = None
    if pid is None:  # the command did not start there: it runs here, signals as they came
        for forwarded, handler in handlers.items():
            signal.signal(forwarded, handler)
        for early in pending:
            signal.raise_signal(early)
        return None
    child.append(int(_STATUS.unpack(pid)[0]))
    for early in pending:
        pass_on(early, None)
    answer = _read_exactly(connection, _STATUS.size)
    return _NO_STATUS if answer is None else int(_STATUS.unpack(answer)[0])


def _program_name() -> str:
    """The program's name as click would say it in usage lines, found here because the server's
    child runs under another `__main__`: the script's name, or `python -m package`."""
    package = getattr(sys.modules["__main__"], "__package__", None)
    if not package:
        return os.path.basename(sys.argv[0])
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    module = package if name == "__main__" else f"{package}.{name}"
    return f"python -m {module.lstrip('.')}"


def _stream_settings(stream: Any) -> dict[str, str] | None:
    if stream is None or not isinstance(stream, io.TextIOWrapper):
        return None
    return {"encoding": stream.encoding, "errors": stream.errors or "strict"}


def _read_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = connection.recv(size - len(data))
        except InterruptedError:  # pragma: no cover - retried by Python itself (PEP 475)
            continue
        if not chunk:
            return None
        data += chunk
    return data


# The server's side


def running() -> int | None:
    """The pid of this installation's server, if one runs."""
    _, lock, pid_file, _ = paths()
    if not private_folder(lock.parent, create=False):
        return None
    try:
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return int(pid_file.read_text(encoding="utf-8"))
            fcntl.flock(handle, fcntl.LOCK_UN)
    except (OSError, ValueError):
        return None
    return None


@contextlib.contextmanager
def _listening() -> Iterator[tuple[socket.socket, IO[str]] | None]:
    """The server's socket, bound, and its lock file, locked for as long as it is open; None
    if another server of this installation holds the lock."""
    address, lock, pid_file, _ = paths()
    if not private_folder(address.parent, create=True):
        raise PermissionError(
            f"{address.parent} is not a folder only this user can enter: not serving from it"
        )
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        with contextlib.suppress(FileNotFoundError):
            address.unlink()  # left by a server that died: the lock says none runs
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(address))
            listener.listen(16)
            pid_file.write_text(str(os.getpid()), encoding="utf-8")
            yield listener, handle
        finally:
            listener.close()
            for path in (address, pid_file):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def serve(
    run: Callable[[list[str], str], int],
    *,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ready: Callable[[], None] = lambda: None,
) -> bool:
    """Serve commands until `idle_timeout` seconds pass without one, or SIGTERM or SIGINT:
    each in a forked child that runs `run(argv, program_name)` with the caller's streams,
    folder and environment. False if another server of this installation runs already.
    `ready` is called once the socket accepts commands."""
    with _listening() as opened:
        if opened is None:
            return False
        listener, lock = opened
        stopping: list[int] = []

        def stop(number: int, _frame: object) -> None:
            stopping.append(number)
            listener.close()

        previous = {n: signal.signal(n, stop) for n in (signal.SIGTERM, signal.SIGINT)}
        # children are not waited for: the caller waits for its command's answer
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        listener.settimeout(idle_timeout)
        ready()
        try:
            while not stopping:
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    break
                except OSError:
                    if stopping:
                        break
                    raise
                with connection:
                    pid, uid = _peer(connection)
                    if uid != os.getuid():
                        continue
                    _log(f"command from pid {pid}")
                    if os.fork() == 0:  # pragma: no cover - the child ends in os._exit
                        # the lock is the server's alone: a command still running when the
                        # server has exited must not keep the next one from starting
                        listener.close()
                        lock.close()
                        _child(connection, run, previous)
        finally:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for number, handler in previous.items():
                signal.signal(number, handler)
    return True


def _peer(connection: socket.socket) -> tuple[int, int]:
    """The pid and the uid of the process at the other end of `connection`."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    pid, uid, _ = struct.unpack("3i", credentials)
    return int(pid), int(uid)


def _log(message: str) -> None:
    sys.stderr.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
    sys.stderr.flush()


def _child(
    connection: socket.socket,
    run: Callable[[list[str], str], int],
    handlers: dict[signal.Signals, Any],
) -> None:  # pragma: no cover - runs in a forked child (tests/functional/test_server.py)
    """Become the caller's command: its streams, folder, environment and umask; run it and
    answer its exit status. Never returns."""
    code = _NO_STATUS
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for number, handler in handlers.items():
            signal.signal(number, handler)
        # a session and process group of its own: the caller signals the command's whole group,
        # and a signal to the server's group (Ctrl-C on `server run`) does not reach it
        os.setsid()
        connection.settimeout(30)
        _, descriptors, _, _ = socket.recv_fds(connection, 1, 3)
        size = _read_exactly(connection, _HEADER.size)
        body = _read_exactly(connection, _HEADER.unpack(size)[0]) if size else None
        if len(descriptors) != 3 or body is None:
            os._exit(_NO_STATUS)
        connection.settimeout(None)
        request = json.loads(body)
        for target, descriptor in enumerate(descriptors):
            os.dup2(descriptor, target)
            os.close(descriptor)
        sys.stdin, sys.stdout, sys.stderr = (
            _stream(number, settings) for number, settings in enumerate(request["streams"])
        )
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(request["umask"])
        sys.argv = ["decompose", *request["argv"]]
        connection.sendall(_STATUS.pack(os.getpid()))
        code = run(list(request["argv"]), request["prog"])
    except SystemExit as exc:  # as Python ends a process with it
        code = exit_status(exc.code)
    except KeyboardInterrupt:  # Ctrl-C not handled: a shell's status for SIGINT
        code = 128 + signal.SIGINT
    except BaseException:  # the caller must get an answer whatever happened
        with contextlib.suppress(Exception):
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            connection.sendall(_STATUS.pack(code))
        os._exit(code)


def exit_status(code: object) -> int:
    """What `sys.exit(code)` makes the exit status: None is 0, a message is printed and is 1
    (the program's own ending, `cli.status`, says the same)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{code}\n")
    return 1


def _stream(number: int, settings: dict[str, str] | None) -> Any:
    """A text stream on file descriptor `number` as Python would have opened it for the
    caller: its encoding and error handler; stderr line-buffered, stdout on a terminal."""
    if settings is None:
        return None
    binary = open(number, "rb" if number == 0 else "wb", closefd=False)  # noqa: SIM115
    return io.TextIOWrapper(
        binary,
        encoding=settings["encoding"],
        errors=settings["errors"],
        line_buffering=number == 2 or (number == 1 and os.isatty(number)),
    )
