"""Container images read without starting or extracting them: layers, whiteouts, ``docker save``, OCI layouts.

An image is a stack of layers, lowest first; each layer is a tarball (plain or compressed).  A
later layer deletes a path of the layers below with a whiteout entry ``DIR/.wh.NAME``, and hides
everything below a directory with an opaque marker ``DIR/.wh..wh..opq``; a file replaces
whatever the layers below had at its path.  :func:`read_layers` applies exactly that, keeping
what :class:`~sourcelift_hook.environment.TarTree` needs: the ``.dist-info`` files the command
reads, the names in every ``.dist-info`` directory and (with ``hash_files``) the sha256 and size
of every regular file.

What each argument may be:

- a layer tarball (``.tar``, ``.tar.gz``, ``.tar.bz2``, ``.tar.xz``);
- a ``docker save`` archive: ``manifest.json`` names the layers in order (``<id>/layer.tar``,
  or ``blobs/sha256/<hex>`` from Docker 25 on);
- an OCI image layout tarball: ``index.json`` -> the image manifest (one platform) -> its
  ``layers`` blobs.

Each layer is read in one streaming pass (``tarfile`` ``r|*``); an image archive is opened for
random access only to find its layers, whose bytes are then streamed from inside it.  Nothing is
extracted or executed; member names are normalized into the image's own tree (never escaping it);
JSON documents are read up to :data:`MAX_DOCUMENT` bytes, ``.dist-info`` files up to
``MAX_DIST_INFO_FILE`` and hashed files up to ``MAX_HASHED_FILE``.  A layer that holds only
deletions is valid.
"""

from __future__ import annotations

import json
import posixpath
import re
import tarfile
from collections.abc import Iterator, Sequence

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

__all__ = ["MAX_DOCUMENT", "ImageFiles", "image_layers", "member_name", "read_layers"]

MAX_DOCUMENT = 16 * 1024 * 1024
"""``manifest.json``, ``index.json`` and manifest blobs larger than this are refused."""
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_MAX_NESTING = 4
_IMAGE_TOPS = frozenset({"blobs", "oci-layout", "index.json", "manifest.json", "repositories"})
_IMAGE_ID = re.compile(r"[0-9a-f]{64}(\.json)?")
_FIX = (
    "give container image layers (tar files, plain or gzip/bzip2/xz compressed; several --from-tar, lowest "
    "first), a `docker save` archive or an OCI image layout tarball"
)


def member_name(name: str) -> str | None:
    """A member's path inside the image: no leading ``./`` or ``/``, ``..`` resolved, never escaping."""
    cleaned = posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")
    return cleaned or None


class ImageFiles:
    """The merged view of the layers read so far."""

    def __init__(self) -> None:
        self.contents: dict[str, bytes] = {}
        """``.dist-info`` files the command reads (METADATA/PKG-INFO: only the header part)."""
        self.digests: dict[str, tuple[str, int]] = {}
        """Every hashed regular file: (RECORD-style sha256, size)."""
        self.symlinks: dict[str, str] = {}
        """Symbolic links (resolved against the merged files at the end)."""
        self.listed: set[str] = set()
        """Every entry inside a ``.dist-info``/``.egg-info`` directory."""
        self.deleted_any = False
        """A whiteout or opaque marker was met (an image whose environment was removed is not an error)."""

    def _drop(self, gone: set[str], opaque: set[str]) -> None:
        def removed(path: str) -> bool:
            if path in gone:
                return True
            while path:
                path = posixpath.dirname(path)
                if path in gone or path in opaque:
                    return True
            return False

        for mapping in (self.contents, self.digests, self.symlinks):
            for key in [k for k in mapping if removed(k)]:
                del mapping[key]
        self.listed = {p for p in self.listed if not removed(p)}

    def apply(self, layer: ImageFiles, gone: set[str], opaque: set[str]) -> None:
        """Lay ``layer`` over what is here: its deletions and replacements first, then its entries."""
        if gone or opaque:
            self._drop(gone, opaque)
        self.contents.update(layer.contents)
        self.digests.update(layer.digests)
        self.symlinks.update(layer.symlinks)
        self.listed |= layer.listed
        self.deleted_any |= layer.deleted_any

    def resolve_links(self) -> None:
        """Give a symbolic link the digest of the file it ends at (a few hops at most)."""
        for name, target in self.symlinks.items():
            for _ in range(8):
                if target in self.symlinks:
                    target = self.symlinks[target]
            if target in self.digests:
                self.digests.setdefault(name, self.digests[target])


def _read_layer(
    stream: IO[bytes] | None, path: str | None, hash_files: bool, wanted_files: frozenset[str]
) -> tuple[ImageFiles, set[str], set[str]]:
    """One layer in one streaming pass: its files, and the paths it deletes (``gone``) or hides (``opaque``)."""
    from sourcelift.record_file import record_hash

    from .environment import MAX_DIST_INFO_FILE, MAX_HASHED_FILE, _head, _stream_digest

    layer = ImageFiles()
    gone: set[str] = set()
    opaque: set[str] = set()
    hardlinks: dict[str, str] = {}
    with tarfile.open(path, mode="r|*", fileobj=stream) as archive:
        for member in archive:
            name = member_name(member.name)
            if name is None:
                continue
            parent, base = posixpath.split(name)
            if base.startswith(_WHITEOUT):
                layer.deleted_any = True
                if base == _OPAQUE:
                    opaque.add(parent)
                elif not base.startswith(_WHITEOUT + _WHITEOUT):  # other `.wh..wh.` names are aufs bookkeeping
                    gone.add(posixpath.join(parent, base[len(_WHITEOUT) :]))
                continue
            if not member.isdir():
                gone.add(name)  # a file (or link) replaces whatever the layers below had there
            in_dist_info = parent.endswith((".dist-info", ".egg-info"))
            if in_dist_info:
                layer.listed.add(name)
            if member.islnk():
                target = member_name(member.linkname)
                if target is not None:
                    hardlinks[name] = target
                continue
            if member.issym():
                target = member_name(posixpath.join(parent, member.linkname))
                if target is not None:
                    layer.symlinks[name] = target
                continue
            if not member.isfile():
                continue
            wanted = in_dist_info and base in wanted_files and member.size <= MAX_DIST_INFO_FILE
            if not wanted and not hash_files:
                continue
            data_stream = archive.extractfile(member)
            if data_stream is None:
                continue
            if wanted:
                data = data_stream.read(MAX_DIST_INFO_FILE + 1)
                if hash_files:
                    layer.digests[name] = (record_hash(data), len(data))
                layer.contents[name] = _head(data) if base in ("METADATA", "PKG-INFO") else data
            else:
                result = _stream_digest(data_stream, MAX_HASHED_FILE)
                if result is not None:
                    layer.digests[name] = (result[0], result[2])
    for name, target in hardlinks.items():  # a hard link names a file of the same layer
        if target in layer.digests:
            layer.digests[name] = layer.digests[target]
        if target in layer.contents:
            layer.contents[name] = layer.contents[target]
    return layer, gone, opaque


def _document(archive: tarfile.TarFile, name: str, what: str) -> object:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise UsageError(f"{what} names {name}, which it does not hold", _FIX) from None
    if not member.isfile() or member.size > MAX_DOCUMENT:
        raise UsageError(f"{name} in {what} is not a file of at most {MAX_DOCUMENT} bytes", _FIX)
    stream = archive.extractfile(member)
    assert stream is not None
    try:
        return json.loads(stream.read(MAX_DOCUMENT).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UsageError(f"{name} in {what} is not valid JSON", _FIX) from None


def _list(value: object) -> list[object]:
    """``value`` when a document holds a list there, else nothing (a value of another type names nothing)."""
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _blob(digest: object, path: str) -> str:
    if not isinstance(digest, str) or ":" not in digest:
        raise UsageError(f"{path}: {digest!r} is not a content digest (`algorithm:hex`)", _FIX)
    algorithm, _, value = digest.partition(":")
    name = member_name(f"blobs/{algorithm}/{value}")
    if name is None or not name.startswith("blobs/") or name.count("/") != 2:
        raise UsageError(f"{path}: {digest!r} is not a content digest (`algorithm:hex`)", _FIX)
    return name


def _docker_layers(archive: tarfile.TarFile, path: str) -> list[str]:
    manifest = _document(archive, "manifest.json", path)
    images = manifest if isinstance(manifest, list) else []
    if len(images) == 1 and not isinstance(_dict(images[0]).get("Layers"), list):
        raise UsageError(f"manifest.json of {path} has no list of layers (`Layers`) for its image", _FIX)
    if len(images) != 1:
        tags = [t for image in images if isinstance(image, dict) for t in _list(image.get("RepoTags"))]
        raise UsageError(
            f"{path} holds {len(images)} images ({', '.join(map(str, tags)) or 'untagged'}); one image is read",
            "`docker save` one image at a time",
        )
    layers = []
    for layer in _list(_dict(images[0]).get("Layers")):
        name = member_name(str(layer))
        if name is None:
            raise UsageError(f"manifest.json of {path} names a layer {layer!r} outside the archive", _FIX)
        layers.append(name)
    return layers


def _oci_layers(archive: tarfile.TarFile, path: str) -> list[str]:
    document = _document(archive, "index.json", path)
    for _ in range(_MAX_NESTING):
        if not isinstance(document, dict):
            break
        if isinstance(document.get("layers"), list):
            return [_blob(_dict(layer).get("digest"), path) for layer in document["layers"]]
        manifests = [
            m
            for m in _list(document.get("manifests"))
            if isinstance(m, dict)
            and _dict(m.get("annotations")).get("vnd.docker.reference.type") != "attestation-manifest"
        ]
        if len(manifests) != 1:
            platforms = [
                "/".join(str(_dict(m.get("platform")).get(k, "?")) for k in ("os", "architecture")) for m in manifests
            ]
            raise UsageError(
                f"{path} holds {len(manifests)} image manifests ({', '.join(platforms) or 'none'}); one image is read",
                "export the image of one platform (e.g. `skopeo copy --override-arch`), or give its layers",
            )
        document = _document(archive, _blob(manifests[0].get("digest"), path), path)
    raise UsageError(f"index.json of {path} leads to no image manifest with layers", _FIX)


def image_layers(path: str) -> tuple[tarfile.TarFile | None, list[str]]:
    """``(open archive, layer member names in order)`` for a ``docker save`` or OCI archive, else ``(None, [])``.

    Only an uncompressed tar can be an image archive (both formats write one); a compressed file is a layer.
    The first member tells the two apart (an image archive starts with its blobs, layer directories or
    documents; a layer with its root file system), so that a layer's headers are not walked twice.
    """
    try:
        archive = tarfile.open(path, mode="r:")  # noqa: SIM115 - returned open, closed by the caller
    except tarfile.ReadError:
        return None, []
    try:
        try:
            first = archive.next()
        except OSError:  # Python 3.9's tarfile, on an archive of no member, seeks to offset -1 (EINVAL)
            first = None  # not an image: read as a layer, whose reading reports what it holds
        top = (member_name(first.name) or "").split("/", 1)[0] if first is not None else ""
        if top not in _IMAGE_TOPS and not _IMAGE_ID.fullmatch(top):
            archive.close()
            return None, []
        names = set(archive.getnames())
        if "manifest.json" in names:
            layers = _docker_layers(archive, path)
        elif "index.json" in names and "oci-layout" in names:
            layers = _oci_layers(archive, path)
        else:
            archive.close()
            return None, []
    except BaseException:
        archive.close()
        raise
    return archive, layers


def _layers(paths: Sequence[str]) -> Iterator[tuple[str, IO[bytes] | None, str | None]]:
    """(description, stream or None, path or None) of every layer, lowest first."""
    for path in paths:
        archive, layers = image_layers(path)
        if archive is None:
            yield path, None, path
            continue
        with archive:
            for name in layers:
                try:
                    member = archive.getmember(name)
                except KeyError:
                    raise UsageError(f"{path} names layer {name}, which it does not hold", _FIX) from None
                stream = archive.extractfile(member)
                if stream is None:
                    raise UsageError(f"layer {name} of {path} is not a file", _FIX)
                yield f"{path}:{name}", stream, None


def read_layers(paths: Sequence[str], *, hash_files: bool, wanted_files: frozenset[str]) -> ImageFiles:
    """Every layer of ``paths`` (layer tarballs and image archives, lowest first), merged as a container sees it."""
    merged = ImageFiles()
    for what, stream, path in _layers(paths):
        try:
            layer, gone, opaque = _read_layer(stream, path, hash_files, wanted_files)
        except (OSError, EOFError, tarfile.TarError) as exc:
            raise UsageError(f"cannot read {what} as a tarball: {exc}", _FIX) from None
        merged.apply(layer, gone, opaque)
    merged.resolve_links()
    return merged
