"""A package index on 127.0.0.1 that tests upload to and install from.

pypiserver (of the dev dependency group) runs from the test's own interpreter
with uploads open to anyone (``-a . -P .``), no fallback to the public index
(``--disable-fallback``: a name it does not hold is a 404, never a redirect),
serving a directory the test owns.  Uploads go through a real client,
``uv publish``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .env import clean_environ
from .proc import run

HOST = "127.0.0.1"


@dataclass
class IndexServer:
    """A running pypiserver; ``url`` ends with a slash."""

    url: str
    packages: Path
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def simple_url(self) -> str:
        """The PEP 503 simple index, for ``pip --index-url`` and ``uv --index-url``."""
        return self.url + "simple/"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def upload(self, files: Sequence[Path], *, uv: str, env: Mapping[str, str]) -> str:
        """``uv publish`` the ``files`` here; returns uv's output.

        uv insists on credentials even for an open index; pypiserver started
        with ``-P .`` ignores them.  ``env`` must not make uv offline.
        """
        if not files:
            raise ValueError("nothing to upload")
        cmd = [
            uv,
            "publish",
            "--publish-url",
            self.url,
            "--username",
            "tests",
            "--password",
            "unused",
            "--trusted-publishing",
            "never",
            "--no-progress",
            *map(str, files),
        ]
        publish_env = {k: v for k, v in env.items() if k != "UV_OFFLINE"}
        proc = run(cmd, env=publish_env)
        return proc.stdout + proc.stderr

    def files(self) -> list[str]:
        """Names of the files the server holds."""
        return sorted(p.name for p in self.packages.iterdir() if p.is_file())


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now (the caller retries if it is taken meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _page(url: str) -> str | None:
    """The body of ``url``, or None if it does not answer 200."""
    # no proxy: the server is on the loopback interface
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            if int(response.status) != 200:
                return None
            return bytes(response.read()).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def start_index_server(
    packages: Path,
    *,
    log: Path,
    python: str = sys.executable,
    ready_timeout: float = 60.0,
    attempts: int = 3,
) -> IndexServer:
    """Start pypiserver on a free port of 127.0.0.1 serving ``packages``; wait until it answers.

    Its welcome page carries a token of its own, so a server of another test
    that won the race for the same port is never taken for this one.
    """
    packages.mkdir(parents=True, exist_ok=True)
    token = f"sourcelift-test-index-{os.getpid()}-{id(packages):x}-{time.monotonic_ns()}"
    welcome = log.with_name(log.name + ".welcome.html")
    welcome.write_text(f"<html><body>{token}</body></html>")
    env = clean_environ()
    env["PYTHONUNBUFFERED"] = "1"
    failures: list[str] = []
    for _ in range(attempts):
        port = free_port()
        url = f"http://{HOST}:{port}/"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    python,
                    "-m",
                    "pypiserver",
                    "run",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "-a",
                    ".",
                    "-P",
                    ".",
                    "--disable-fallback",
                    "--welcome",
                    os.fspath(welcome),
                    os.fspath(packages),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        server = IndexServer(url=url, packages=packages, log=log, process=process)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline and process.poll() is None:
            page = _page(url)
            if page is not None and token in page:
                return server
            time.sleep(0.1)
        server.stop()
        failures.append(f"port {port}: exit code {process.returncode}")
    raise RuntimeError(f"pypiserver did not start ({'; '.join(failures)}):\n{log.read_text(errors='replace')}")
