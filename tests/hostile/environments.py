"""Environment cases of the hostile-input corpus: installed distributions built to attack the command.

Each case is a small generator: it writes a site-packages directory, runs ``sourcelift`` on it in
fresh processes (so that a hang is caught by a timeout) and checks the outcome.  Each returns a
:class:`~tests.hostile.corpus.Result`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.wheels import wheel_bytes
from tests.unit.hook_builders import install_dist
from tests.unit.test_hook_origin import Scene

from .corpus import TIMEOUT, Result, bad_deflate_wheel, child_environment

SECRET = "INSTALLER-PASSWORD-77a"


def _run(tmp: Path, *args: str | Path) -> tuple[int | None, str, str]:
    """``sourcelift ARGS`` in a fresh process: (exit code or ``None`` on a hang, stdout, stderr)."""
    try:
        process = subprocess.run(
            [sys.executable, "-m", "sourcelift_hook", *map(str, args)],
            env=child_environment(tmp),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, "", ""
    return process.returncode, process.stdout, process.stderr


def _classify(name: str, runs: list[tuple[int | None, str, str]], ok: bool, detail: str = "") -> Result:
    for code, stdout, stderr in runs:
        if code is None:
            return Result(name, "hang", detail)
        if "Traceback" in stderr or "internal error" in stderr or code not in (0, 1):
            return Result(name, "traceback", f"exit {code}: {stderr[-2000:]}")
        if SECRET in stdout or SECRET in stderr:
            return Result(name, "leak", SECRET)
    return Result(name, "correct success" if ok else "wrong success", detail)


def _scene(tmp: Path) -> Scene:
    scene = Scene(tmp)
    scene.install()
    return scene


def record_keeps_unusual_rows_byte_exact(tmp: Path) -> Result:
    """RECORD rows that are not UTF-8, or hold U+2028 or a form feed, survive `record` byte for byte."""
    scene = _scene(tmp)
    record = scene.dist_info("prebuilt") / "RECORD"
    unusual = [b"prebuilt/\xff\xfe-latin.py,,\n", "prebuilt/a\u2028b.py,,\n".encode(), b"prebuilt/c\x0cd.py,,\r\n"]
    record.write_bytes(record.read_bytes() + b"".join(unusual))
    runs = [_run(tmp, "record", "--path", scene.site)]
    after = record.read_bytes()
    changed = b"direct_url.json" in after and json.loads((record.parent / "direct_url.json").read_text()) != {}
    return _classify("record-keeps-unusual-rows", runs, all(row in after for row in unusual) and changed)


def record_ignores_a_journal_shipped_in_a_wheel(tmp: Path) -> Result:
    """A wheel's own sourcelift-journal.json (listed in its RECORD) is never completed."""
    scene = Scene(tmp)
    scene.install()
    dist_info = scene.dist_info("prebuilt")
    planted = json.dumps({"url": "https://attacker.example/planted.whl", "archive_info": {}}).encode()
    base = {"direct_url.json": hashlib.sha256((dist_info / "direct_url.json").read_bytes()).hexdigest()}
    journal = {"version": "3", "base": base, "files": {"direct_url.json": base64.b64encode(planted).decode()}}
    install_dist(
        scene.site,
        "prebuilt",
        "0.1.0",
        direct_url=json.loads((dist_info / "direct_url.json").read_text()),
        extra={"sourcelift-journal.json": json.dumps(journal).encode()},
    )
    runs = [_run(tmp, "record", "--path", scene.site), _run(tmp, "freeze", "--path", scene.site)]
    ok = b"attacker" not in (dist_info / "direct_url.json").read_bytes() and "attacker" not in runs[1][1]
    return _classify("record-ignores-a-shipped-journal", runs, ok)


def direct_url_names_a_fifo(tmp: Path) -> Result:
    """A direct_url.json whose file URL names a FIFO: nothing blocks on it."""
    site = tmp / "site"
    fifo = tmp / "pipe-1.0-py3-none-any.whl"
    os.mkfifo(fifo)
    install_dist(site, "pipe", "1.0", direct_url={"url": fifo.as_uri(), "archive_info": {"hashes": {}}})
    runs = [_run(tmp, command, "--path", site) for command in ("provenance", "freeze", "record")]
    return _classify("direct-url-names-a-fifo", runs, True)


def direct_url_nested_100000_deep(tmp: Path) -> Result:
    """A direct_url.json nested 100,000 deep is reported, not a traceback."""
    site = tmp / "site"
    dist_info = install_dist(site, "deep", "1.0", direct_url={"url": "https://h.example/d.whl", "archive_info": {}})
    (dist_info / "direct_url.json").write_text('{"url": ' + "[" * 100_000 + "]" * 100_000 + "}")
    runs = [_run(tmp, command, "--path", site) for command in ("provenance", "freeze", "record")]
    runs.append(_run(tmp, "provenance", "--json", "--path", site))
    return _classify("direct-url-nested-100000-deep", runs, True)


def metadata_16_mib_without_blank_line(tmp: Path) -> Result:
    """An installed METADATA of 16 MiB without a blank line is read in linear time."""
    site = tmp / "site"
    dist_info = install_dist(site, "huge", "1.0")
    (dist_info / "METADATA").write_bytes(
        b"Metadata-Version: 2.1\nName: huge\nVersion: 1.0\n" + b"Classifier: x\n" * (16 * 1024 * 1024 // 14)
    )
    runs = [_run(tmp, "provenance", "--path", site), _run(tmp, "freeze", "--path", site)]
    return _classify("metadata-16-mib-without-blank-line", runs, True)


def provenance_json_hides_installer_credentials(tmp: Path) -> Result:
    """`provenance --json` shows a direct_url.json another installer wrote, without its credentials."""
    site = tmp / "site"
    url = f"https://user:{SECRET}@files.example/cred-1.0.whl?token={SECRET}"
    install_dist(site, "cred", "1.0", direct_url={"url": url, "archive_info": {}})
    runs = [_run(tmp, "provenance", "--json", "--path", site), _run(tmp, "freeze", "--path", site)]
    return _classify("provenance-json-hides-installer-credentials", runs, "files.example" in runs[0][1])


def concurrent_records_serialize(tmp: Path) -> Result:
    """Two `record` runs with different styles at once: RECORD, direct_url.json and the origin file agree,
    and the installer's original record is kept."""
    scene = _scene(tmp)
    dist_info = scene.dist_info("prebuilt")
    original = json.loads((dist_info / "direct_url.json").read_text())
    command = [sys.executable, "-m", "sourcelift_hook", "record", "--path", str(scene.site), "--style"]
    processes = [
        subprocess.Popen(
            [*command, style], env=child_environment(tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for style in ("uv", "default", "pr1798", "uv")
    ]
    runs: list[tuple[int | None, str, str]] = []
    for process in processes:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            runs.append((process.returncode, stdout, stderr))
        except subprocess.TimeoutExpired:
            process.kill()
            runs.append((None, "", ""))
    from tests.unit.hook_builders import assert_record_consistent

    try:
        assert_record_consistent(dist_info)
        origin = json.loads((dist_info / "sourcelift-origin.json").read_text())
        ok = origin["original_direct_url"] == original
    except (AssertionError, OSError, KeyError, ValueError):
        ok = False
    return _classify("concurrent-records-serialize", runs, ok)


def check_refuses_two_dist_info_directories(tmp: Path) -> Result:
    """`check` on a wheel with two `*.dist-info/METADATA`: not publishable (installers refuse it)."""
    wheel = tmp / "demo-1.0-py3-none-any.whl"
    extra = {"other-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: other\nVersion: 1.0\n\n"}
    wheel.write_bytes(wheel_bytes("demo", "1.0", files=extra))
    runs = [_run(tmp, "check", wheel)]
    code, stdout, _ = runs[0]
    return _classify("check-refuses-two-dist-info", runs, code == 1 and "2 .dist-info directories" in stdout)


def check_reads_a_corrupt_metadata_stream(tmp: Path) -> Result:
    """`check` on a wheel whose METADATA deflate stream is damaged: a finding, not a traceback."""
    wheel = tmp / "prebuilt-0.1.0-py3-none-any.whl"
    wheel.write_bytes(bad_deflate_wheel("prebuilt", "0.1.0"))
    runs = [_run(tmp, "check", wheel), _run(tmp, "check", "--format", "json", wheel)]
    return _classify("check-reads-a-corrupt-metadata-stream", runs, runs[0][0] == 1)


def freeze_output_in_a_missing_directory_or_onto_one(tmp: Path) -> Result:
    """`freeze -o` into a directory that does not exist, or onto a directory: a clean error."""
    site = tmp / "site"
    install_dist(site, "plain", "1.0", direct_url={"url": "https://h.example/plain-1.0.whl", "archive_info": {}})
    (tmp / "a-directory").mkdir()
    runs = [
        _run(tmp, "freeze", "--path", site, "-o", tmp / "missing" / "req.txt"),
        _run(tmp, "freeze", "--path", site, "-o", tmp / "a-directory"),
    ]
    return _classify("freeze-output-missing-or-directory", runs, all(code == 1 for code, _, _ in runs))


CASES: list[Callable[[Path], Result]] = [
    record_keeps_unusual_rows_byte_exact,
    record_ignores_a_journal_shipped_in_a_wheel,
    direct_url_names_a_fifo,
    direct_url_nested_100000_deep,
    metadata_16_mib_without_blank_line,
    provenance_json_hides_installer_credentials,
    concurrent_records_serialize,
    check_refuses_two_dist_info_directories,
    check_reads_a_corrupt_metadata_stream,
    freeze_output_in_a_missing_directory_or_onto_one,
]
