"""Container images: layers stacked lowest first, whiteouts applied, `docker save` and OCI archives (tarfile)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.cli import main
from sourcelift_hook.errors import UsageError
from sourcelift_hook.freeze import freeze

from .hook_builders import install_dist

SITE = "usr/local/lib/python3.12/site-packages"


def layer_bytes(files: dict[str, bytes | None], *, compress: bool = False) -> bytes:
    """A layer tarball: ``None`` makes an empty file (a whiteout), a ``->target`` value a hard link."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if data is not None and data.startswith(b"->"):
                info.type = tarfile.LNKTYPE
                info.linkname = data[2:].decode()
                tar.addfile(info)
                continue
            content = data or b""
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    raw = buffer.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


def site_files(root: Path, prefix: str = SITE) -> dict[str, bytes | None]:
    """Every file under ``root`` (an installed site-packages), as layer members under ``prefix``."""
    return {
        f"{prefix}/{p.relative_to(root).as_posix()}": p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


class Layers:
    """Three layers: a 1.0 and b 1.0; then b uninstalled (deletions only); then a upgraded to 2.0 and c added."""

    def __init__(self, tmp_path: Path) -> None:
        first = tmp_path / "first"
        install_dist(first, "a", "1.0")
        install_dist(first, "b", "1.0")
        (first / "a" / "stale.py").write_text("# removed by the upgrade\n")
        self.first = site_files(first)
        self.second: dict[str, bytes | None] = {f"{SITE}/.wh.b-1.0.dist-info": None, f"{SITE}/.wh.b": None}
        third = tmp_path / "third"
        install_dist(third, "a", "2.0")
        install_dist(third, "c", "3.0")
        self.third = {f"{SITE}/.wh.a-1.0.dist-info": None, f"{SITE}/a/.wh..wh..opq": None, **site_files(third)}
        # what a container sees: the same as an environment holding only what the third layer installed
        self.live = third

    def all(self) -> list[dict[str, bytes | None]]:
        return [self.first, self.second, self.third]


@pytest.fixture
def layers(tmp_path: Path) -> Layers:
    return Layers(tmp_path)


def docker_save(path: Path, layers: list[bytes], *, tags: list[str] | None = None) -> Path:
    """A `docker save` archive (the classic layout: <id>/layer.tar, then the manifest at the end)."""
    with tarfile.open(path, "w") as tar:
        names = []
        for data in layers:
            layer_id = hashlib.sha256(data).hexdigest()
            names.append(f"{layer_id}/layer.tar")
            for name, content in ((f"{layer_id}/VERSION", b"1.0"), (f"{layer_id}/layer.tar", data)):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        config = b'{"architecture": "amd64", "os": "linux"}'
        manifest = json.dumps([{"Config": "config.json", "RepoTags": tags or ["demo:1"], "Layers": names}]).encode()
        for name, content in (("config.json", config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def oci_layout(path: Path, layers: list[bytes], *, manifests: int = 1) -> Path:
    """An OCI image layout tarball: oci-layout, index.json -> manifest blob -> layer blobs (gzip)."""
    blobs: dict[str, bytes] = {}

    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[f"blobs/sha256/{digest[7:]}"] = data
        return digest

    descriptors = [
        {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(data), "size": len(data)}
        for data in layers
    ]
    manifest = json.dumps({"schemaVersion": 2, "layers": descriptors}).encode()
    entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest)}
    index = {
        "schemaVersion": 2,
        "manifests": [dict(entry, platform={"os": "linux", "architecture": a}) for a in ["amd64", "arm64"][:manifests]],
    }
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": json.dumps(index).encode(), **blobs}
    with tarfile.open(path, "w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def provenance(*args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code = main(["provenance", "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    report: dict[str, object] = json.loads(out)
    return report


def test_a_three_layer_docker_save_archive_with_whiteouts_gives_the_live_answer(
    layers: Layers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = docker_save(
        tmp_path / "image.tar",
        [layer_bytes(layers.first), layer_bytes(layers.second), layer_bytes(layers.third, compress=True)],
    )
    env = environment.from_tar(str(image))
    assert [(d.name, d.version) for d in env.dists] == [("a", "2.0"), ("c", "3.0")]
    tree = env.tree
    assert tree.digest(SITE, "a/stale.py") is None  # hidden by the opaque directory
    assert tree.digest(SITE, "a/__init__.py") is not None and tree.digest(SITE, "b/__init__.py") is None
    from_image = provenance("--from-tar", str(image), capsys=capsys)
    live = provenance("--path", str(layers.live), capsys=capsys)
    assert from_image["distributions"] == live["distributions"]
    assert [d["checks"] for d in from_image["distributions"]] == [None, None]  # type: ignore[index]
    frozen, problems = freeze(env)
    assert problems == []
    assert [line for line in frozen.splitlines() if not line.startswith("#")] == ["a==2.0", "c==3.0"]


def test_layers_given_one_by_one_oci_layouts_and_image_stacks_agree(
    layers: Layers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for number, files in enumerate(layers.all()):
        path = tmp_path / f"layer{number}.tar.gz"
        path.write_bytes(layer_bytes(files, compress=True))
        paths.append(str(path))
    oci = oci_layout(tmp_path / "oci.tar", [layer_bytes(files, compress=True) for files in layers.all()])
    below = docker_save(tmp_path / "below.tar", [layer_bytes(layers.first)])
    expected = provenance("--path", str(layers.live), capsys=capsys)["distributions"]
    args = [arg for path in paths for arg in ("--from-tar", path)]
    assert provenance(*args, capsys=capsys)["distributions"] == expected
    assert provenance("--from-tar", str(oci), capsys=capsys)["distributions"] == expected
    # an image, then two more layers on top of it
    on_top = ["--from-tar", str(below), "--from-tar", paths[1], "--from-tar", paths[2]]
    assert provenance(*on_top, capsys=capsys)["distributions"] == expected


def test_a_layer_holding_only_deletions_is_valid(layers: Layers, tmp_path: Path) -> None:
    only = tmp_path / "deletions.tar"
    only.write_bytes(layer_bytes(layers.second))
    env = environment.from_tar(str(only))
    assert env.dists == []
    first = tmp_path / "first.tar"
    first.write_bytes(layer_bytes(layers.first))
    env = environment.from_tar([str(first), str(only)])
    assert [(d.name, d.version) for d in env.dists] == [("a", "1.0")]


def test_a_file_replaces_a_directory_and_a_hard_link_shares_its_target(tmp_path: Path) -> None:
    first = tmp_path / "first"
    install_dist(first, "a", "1.0")
    files = site_files(first)
    metadata = files[f"{SITE}/a-1.0.dist-info/METADATA"]
    lower = tmp_path / "lower.tar"
    lower.write_bytes(layer_bytes({**files, f"{SITE}/a/sub/x.py": b"x = 1\n"}))
    upper = tmp_path / "upper.tar"
    upper.write_bytes(layer_bytes({f"{SITE}/a/sub": b"a file now\n", f"{SITE}/copy": f"->{SITE}/a/sub".encode()}))
    env = environment.from_tar([str(lower), str(upper)])
    assert env.tree.digest(SITE, "a/sub/x.py") is None
    assert env.tree.digest(SITE, "copy") == env.tree.digest(SITE, "a/sub") is not None
    assert env.dists[0].read("METADATA") == metadata.split(b"\n\n")[0]  # type: ignore[union-attr]


def test_image_archives_that_cannot_be_read_are_usage_errors(layers: Layers, tmp_path: Path) -> None:
    two = docker_save(tmp_path / "two.tar", [layer_bytes(layers.first)])
    with tarfile.open(two) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps([*manifest, dict(manifest[0], RepoTags=["other:2"])]).encode()
    with tarfile.open(two, "w") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    with pytest.raises(UsageError, match=r"holds 2 images \(demo:1, other:2\)"):
        environment.from_tar(str(two))
    with pytest.raises(UsageError, match=r"2 image manifests \(linux/amd64, linux/arm64\)"):
        environment.from_tar(str(oci_layout(tmp_path / "multi.tar", [layer_bytes(layers.first)], manifests=2)))
    broken = tmp_path / "broken.tar"
    broken.write_bytes(layer_bytes({"manifest.json": b"[{"}))
    with pytest.raises(UsageError, match="is not valid JSON"):
        environment.from_tar(str(broken))
    missing = docker_save(tmp_path / "missing.tar", [])
    with pytest.raises(UsageError, match="holds no site-packages"):
        environment.from_tar(str(missing))


def test_member_names_never_leave_the_image(tmp_path: Path) -> None:
    first = tmp_path / "first"
    install_dist(first, "a", "1.0")
    hostile = {f"../../{name}": data for name, data in site_files(first).items()}
    layer = tmp_path / "hostile.tar"
    layer.write_bytes(layer_bytes({**hostile, f"/{SITE}/.wh...": None}))
    env = environment.from_tar(str(layer))
    assert [d.root for d in env.dists] == [SITE]
