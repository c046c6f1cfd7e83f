"""Reading core metadata out of wheels, sdists and installed distributions."""

from __future__ import annotations

import email.message
import email.parser
import hashlib
import re
import tarfile
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def parse_metadata(text: str) -> email.message.Message:
    return email.parser.HeaderParser().parsestr(text)


def wheel_metadata_text(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise AssertionError(f"{wheel}: expected one .dist-info/METADATA, found {names}")
        return zf.read(names[0]).decode("utf-8")


def sdist_pkg_info_text(sdist: Path) -> str:
    with tarfile.open(sdist) as tf:
        names = [m.name for m in tf.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)]
        if len(names) != 1:
            raise AssertionError(f"{sdist}: expected one top-level PKG-INFO, found {names}")
        member = tf.extractfile(names[0])
        assert member is not None
        return member.read().decode("utf-8")


def requires_dist(metadata_text: str) -> list[str]:
    """The raw ``Requires-Dist`` values, in order."""
    return [str(v) for v in parse_metadata(metadata_text).get_all("Requires-Dist") or []]


def requirements_by_name(metadata_text: str) -> dict[str, Requirement]:
    """``Requires-Dist`` parsed, keyed by canonical name (markers ignored)."""
    result: dict[str, Requirement] = {}
    for line in requires_dist(metadata_text):
        req = Requirement(line)
        result[canonicalize_name(req.name)] = req
    return result


def find_wheel(directory: Path, distribution: str) -> Path:
    """The one wheel of ``distribution`` in ``directory``."""
    stem = re.sub(r"[-_.]+", "_", distribution).lower()
    wheels = [w for w in directory.glob("*.whl") if w.name.lower().startswith(stem + "-")]
    if len(wheels) != 1:
        listing = sorted(p.name for p in directory.iterdir()) if directory.exists() else []
        raise AssertionError(f"expected one wheel of {distribution} in {directory}: {listing}")
    return wheels[0]


def find_sdist(directory: Path, distribution: str) -> Path:
    stem = re.sub(r"[-_.]+", "_", distribution).lower()
    sdists = [s for s in directory.glob("*.tar.gz") if s.name.lower().startswith(stem + "-")]
    if len(sdists) != 1:
        listing = sorted(p.name for p in directory.iterdir()) if directory.exists() else []
        raise AssertionError(f"expected one sdist of {distribution} in {directory}: {listing}")
    return sdists[0]


def unpack_sdist(sdist: Path, dest: Path) -> Path:
    """Extract ``sdist`` into ``dest`` (tarfile's ``data`` filter where there is one); its top directory."""
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(dest, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            archive.extractall(dest)
    (top,) = dest.iterdir()
    return top


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
