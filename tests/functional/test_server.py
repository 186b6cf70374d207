"""`decompose server`: commands handed to a warm process write what they write alone, with the
caller's streams, folder, environment and exit status; Ctrl-C reaches them; a stopped server,
a changed tool or a folder others can enter means the command runs in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from decomposer import server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the server forks (Linux only)")


def _environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _program(*args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "decomposer", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=_environment(**extra), cwd=cwd, timeout=300
    )


def _served() -> int:
    """How many commands the server has taken (its log says so, one line each)."""
    log = server.paths().log
    return log.read_text(encoding="utf-8").count("command from pid") if log.exists() else 0


@pytest.fixture
def running_server() -> Iterator[int]:
    started = _program("server", "start", "--idle-timeout", "300")
    assert started.returncode == 0, started.stderr
    pid = server.running()
    assert pid is not None
    yield pid
    stopped = _program("server", "stop")
    assert stopped.returncode == 0, stopped.stderr


def test_a_command_run_by_the_server_writes_what_it_writes_alone(
    running_server: int, tmp_path: Path
) -> None:
    """Same files, same stdout and stderr, byte for byte: the example analyzed through the
    server and in its own process, each in a folder of its own with the same relative --out."""
    results = {}
    for mode in ("served", "alone"):
        folder = tmp_path / mode
        folder.mkdir()
        before = _served()
        done = _program(
            "analyze",
            str(EXAMPLE),
            "--out",
            "out",
            "--no-cache",
            cwd=folder,
            DECOMPOSER_SERVER="on" if mode == "served" else "off",
        )
        assert done.returncode == 0, done.stderr
        assert _served() == before + (mode == "served")
        results[mode] = done
    assert results["served"].stdout == results["alone"].stdout
    assert results["served"].stderr == results["alone"].stderr
    written = sorted(
        p.relative_to(tmp_path / "served")
        for p in (tmp_path / "served").rglob("*")
        if p.is_file() and p.name != ".decomposer-analysis.json"  # records the files' mtimes
    )
    assert len(written) >= 7
    for path in written:
        assert (tmp_path / "served" / path).read_bytes() == (tmp_path / "alone" / path).read_bytes()


def test_exit_statuses_and_errors_come_back_from_the_server(
    running_server: int, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    for args, status in (
        (("--version",), 0),
        (("analyze", str(tmp_path / "empty"), "--out", str(tmp_path / "out")), 1),
        (("analyze", str(tmp_path / "nowhere")), 2),
        (("score", str(tmp_path / "nowhere.json"), str(EXAMPLE)), 2),
    ):
        before = _served()
        served = _program(*args)
        alone = _program(*args, DECOMPOSER_SERVER="off")
        assert _served() == before + 1
        assert (served.returncode, served.stdout, served.stderr) == (
            status,
            alone.stdout,
            alone.stderr,
        ), args


def test_no_server_after_stop_and_none_for_another_copy_of_the_tool(tmp_path: Path) -> None:
    assert _program("server", "status").stdout.startswith("no server runs")
    assert _program("server", "start", "--idle-timeout", "300").returncode == 0
    status = _program("server", "status").stdout
    assert status.startswith(f"a server runs (pid {server.running()})")
    again = _program("server", "start")
    assert again.returncode == 0 and "runs already" in again.stderr
    assert _program("server", "stop").returncode == 0
    assert server.running() is None and not server.paths().socket.exists()
    done = _program("analyze", str(EXAMPLE), "--out", str(tmp_path / "out"), "-q")
    assert done.returncode == 0 and (tmp_path / "out" / "plan.json").is_file()
    # A copy of the package elsewhere, or one file of it edited, is another tool: another socket.
    package = tmp_path / "copy" / "decomposer"
    package.mkdir(parents=True)
    (package / "cli.py").write_text("x = 1\n", encoding="utf-8")
    first = server.code_digest(package)
    os.utime(package / "cli.py", ns=(1, 1))
    assert server.code_digest(package) != first
    assert server.code_digest(package) != server.code_digest()


def test_no_server_is_used_from_a_folder_others_can_enter(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert not server.private_folder(folder, create=False)
    folder.chmod(0o700)
    assert server.private_folder(folder, create=False)
    link = tmp_path / "link"
    link.symlink_to(folder)
    assert not server.private_folder(link, create=False)
    assert server.private_folder(tmp_path / "new", create=True)


# The transport alone: a server whose command echoes what it was given, and one that waits for a
# signal. Run by `server.serve` in a process of its own, called by `server.forward`.
_ECHO_SERVER = textwrap.dedent(
    """
    import os, signal, sys, time
    from decomposer import server

    def run(argv, prog):
        if argv == ["wait"]:
            print("waiting", flush=True)
            signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
            time.sleep(60)
            return 0
        text = sys.stdin.read()
        print(prog, argv, os.getcwd(), os.environ.get("ECHO"), oct(os.umask(0)))
        print(f"stdin: {text}", end="")
        sys.stderr.write("to stderr\\n")
        return int(argv[0])

    server.serve(run, idle_timeout=60, ready=lambda: print("ready", flush=True))
    """
)
_CLIENT = "import sys; from decomposer import server; sys.exit(server.forward(sys.argv[1:]))"


def _python_once_it_says(first_line: str, code: str, *args: str) -> subprocess.Popen[str]:
    """`python -c code args`, once it has printed `first_line`."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    assert process.stdout is not None
    assert process.stdout.readline() == first_line
    return process


def _start_echo_server() -> subprocess.Popen[str]:
    return _python_once_it_says("ready\n", _ECHO_SERVER)


def _waiting_client() -> subprocess.Popen[str]:
    """A caller whose command waits for Ctrl-C, once it waits."""
    return _python_once_it_says("waiting\n", _CLIENT, "wait")


@pytest.fixture
def echo_server() -> Iterator[subprocess.Popen[str]]:
    process = _start_echo_server()
    yield process
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not server.paths().socket.exists()


def test_the_command_gets_the_callers_streams_folder_environment_and_umask(
    echo_server: subprocess.Popen[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o027); {_CLIENT}", "7", "b"],
        input="from the caller\n",
        capture_output=True,
        text=True,
        env=_environment(ECHO="echoed"),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 7
    assert done.stdout == (f"-c ['7', 'b'] {tmp_path} echoed 0o27\nstdin: from the caller\n")
    assert done.stderr == "to stderr\n"


def test_ctrl_c_reaches_the_command(echo_server: subprocess.Popen[str]) -> None:
    client = _waiting_client()
    start = time.monotonic()
    client.send_signal(signal.SIGINT)
    assert client.wait(timeout=30) == 130
    assert time.monotonic() - start < 30
    assert echo_server.poll() is None  # the server goes on serving


def test_a_second_server_of_the_same_tool_does_not_start(
    echo_server: subprocess.Popen[str],
) -> None:
    assert server.serve(lambda argv, prog: 0, idle_timeout=1) is False
    assert server.running() == echo_server.pid


def test_a_command_whose_streams_cannot_be_passed_runs_in_its_own_process(
    echo_server: subprocess.Popen[str],
) -> None:
    closed = "import os; os.close(0); from decomposer import server; print(server.forward(['0']))"
    done = subprocess.run(
        [sys.executable, "-c", closed], capture_output=True, text=True, env=_environment()
    )
    assert done.stdout == "None\n"  # not run there: the caller runs it itself


def test_a_command_still_running_does_not_keep_the_next_server_from_starting() -> None:
    first = _start_echo_server()
    client = _waiting_client()
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0
    assert server.running() is None
    second = _start_echo_server()  # the lock is free though the first one's child runs
    try:
        assert server.running() == second.pid
        client.send_signal(signal.SIGINT)
        assert client.wait(timeout=30) == 130
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
