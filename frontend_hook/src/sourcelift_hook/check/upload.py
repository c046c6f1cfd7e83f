"""SL1xx: what PyPI rejects at upload, read from the artifact alone.

The rules follow Warehouse's upload validation (``warehouse/forklift``): its
metadata rules on top of pypa/packaging's validator, the file-name rules for
wheels and sdists, and License-File presence.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import replace
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name
from packaging.version import InvalidVersion, Version

from sourcelift.artifacts.wheel_tags import parse_wheel_name

from ._text import redact
from .archives import Archive, sdist_name_version
from .metadata import UNSET, CoreMetadata
from .model import Finding, finding

__all__ = ["DYNAMIC_FIELDS", "SUPPORTED_METADATA_VERSIONS", "check_upload"]

# What Warehouse accepts (2.0 was never a real metadata version; Warehouse refuses it).
SUPPORTED_METADATA_VERSIONS = ("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5")
# Fields PEP 643 (and PEP 639, PEP 794) let an sdist mark Dynamic; never Name, Version, Metadata-Version.
DYNAMIC_FIELDS = (
    "Platform",
    "Supported-Platform",
    "Summary",
    "Description",
    "Description-Content-Type",
    "Keywords",
    "Home-Page",
    "Download-URL",
    "Author",
    "Author-Email",
    "Maintainer",
    "Maintainer-Email",
    "License",
    "License-Expression",
    "License-File",
    "Classifier",
    "Requires-Dist",
    "Requires-Python",
    "Requires-External",
    "Project-URL",
    "Provides-Extra",
    "Provides-Dist",
    "Obsoletes-Dist",
    "Requires",
    "Provides",
    "Obsoletes",
    "Import-Name",
    "Import-Namespace",
)
_DYNAMIC = {field.lower() for field in DYNAMIC_FIELDS}
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_SUMMARY_LIMIT = 512
_PEP_639 = Version("2.4")  # License-File under .dist-info/licenses/
_LABEL_LIMIT = 32
# Fields whose rules are checked here under their own IDs; packaging's verdict on them is not repeated.
_OWN_FIELDS = {"metadata-version", "name", "version", "dynamic", "summary"}
_SPECIAL_USE_TLDS = {"arpa", "invalid", "local", "localhost", "onion", "test"}
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_upload(archive: Archive, meta: CoreMetadata | None) -> list[Finding]:
    """Every SL1xx finding of ``archive`` (``meta``: its parsed metadata, if it has any)."""
    out = [finding("SL100", archive.display, message) for message in archive.unreadable]
    if meta is None:
        return out
    where = "METADATA" if archive.kind == "wheel" else "PKG-INFO"
    meta, text = _without_unset(meta, archive.metadata or "")
    checker = _Upload(archive, meta, text, where, out)
    checker.run()
    return out


def _without_unset(meta: CoreMetadata, text: str) -> tuple[CoreMetadata, str]:
    """``meta`` and its ``text`` as PyPI validates them: without the fields set to ``UNKNOWN``, or empty.

    Warehouse deletes every form field whose value is :data:`UNSET` before it validates (forklift's
    ``sanitize``).  It reads the upload form with webob, whose ``get`` answers a repeated field's last value and
    whose ``del`` removes every value: a field whose last value is ``UNKNOWN`` goes entirely.
    """
    values: dict[str, list[str]] = {}
    for key, value in meta.fields:
        values.setdefault(key.lower(), []).append(value.strip())
    # forklift's parse_form_metadata then skips a field whose only value is empty (`Home-page: `)
    unset = {key for key, found in values.items() if found[-1] == UNSET or found == [""]}
    if not unset:
        return meta, text
    fields = tuple((key, value) for key, value in meta.fields if key.lower() not in unset)
    return replace(meta, fields=fields), "".join(f"{key}: {value}\n" for key, value in fields) + "\n" + meta.body


class _Upload:
    def __init__(self, archive: Archive, meta: CoreMetadata, text: str, where: str, out: list[Finding]) -> None:
        self.archive = archive
        self.meta = meta
        self.text = text
        self.where = where
        self.out = out

    def add(self, check_id: str, message: str, field: str | None = None, fix: str | None = None) -> None:
        location = f"{self.where}: {field}" if field else self.where
        self.out.append(finding(check_id, self.archive.display, redact(message), fix=fix, location=location))

    def run(self) -> None:
        self.metadata_version()
        name = self.name()
        version = self.version()
        self.requirements()
        self.filename(name, version)
        self.classifiers()
        self.urls()
        self.summary()
        self.license()
        self.dynamic()
        self.license_files()
        self.emails()
        self.packaging_rules()

    # ------------------------------------------------------------------ identity

    def metadata_version(self) -> None:
        value = self.meta.get("Metadata-Version")
        if value is None and self.meta.fields and self.meta.fields[0][0].startswith("\ufeff"):
            self.add(
                "SL104",
                f"Metadata-Version is missing: {self.where} starts with a byte order mark (U+FEFF), so its first "
                f"field is named {self.meta.fields[0][0]!r}",
                "Metadata-Version",
                fix=f"write {self.where} as UTF-8 without a byte order mark: rebuild with a standard build backend",
            )
        elif value is None:
            self.add("SL104", "Metadata-Version is missing", "Metadata-Version")
        elif value not in SUPPORTED_METADATA_VERSIONS:
            self.add(
                "SL104",
                f"Metadata-Version {value!r} is not one PyPI accepts ({', '.join(SUPPORTED_METADATA_VERSIONS)})",
                "Metadata-Version",
            )

    def name(self) -> str | None:
        value = self.meta.get("Name")
        if value is None:
            self.add("SL105", "Name is missing", "Name")
            return None
        if not _NAME.match(value):
            self.add(
                "SL105",
                f"Name {value!r} is not a valid project name: letters, digits, `.`, `_` and `-`, "
                "starting and ending with a letter or digit",
                "Name",
            )
            return None
        return value

    def version(self) -> Version | None:
        raw = self.meta.raw("Version")
        if raw is None:
            self.add("SL106", "Version is missing", "Version")
            return None
        value = raw.strip()
        try:
            version = Version(value)
        except InvalidVersion:
            self.add("SL106", f"Version {value!r} is not a valid PEP 440 version", "Version")
            return None
        if version.local is not None:
            self.add(
                "SL103",
                f"Version {value!r} is a local version (`+{version.local}`); PyPI rejects local versions",
                "Version",
                fix="release a version without the `+` part: tag a release, or configure the version scheme "
                '(setuptools-scm / hatch-vcs: `local_scheme = "no-local-version"`)',
            )
        return version

    # ------------------------------------------------------------------ requirements

    def requirements(self) -> None:
        for value in self.meta.get_all("Requires-Dist"):
            try:
                requirement = Requirement(value)
            except InvalidRequirement:
                continue  # packaging's validator reports it (SL117)
            if requirement.url is not None:
                self.add(
                    "SL101",
                    f'Requires-Dist `{value}` is a direct reference; PyPI rejects it ("Can\'t have direct dependency")',
                    "Requires-Dist",
                    fix=f"publish `{requirement.name}` to the index and require it by version, e.g. "
                    f"`{requirement.name}>=X.Y`; for sourcelift sources build with `-C sourcelift-mode=publish`",
                )
        for field in ("Provides-Dist", "Obsoletes-Dist"):
            for value in self.meta.get_all(field):
                try:
                    requirement = Requirement(value)
                except InvalidRequirement as exc:
                    self.add("SL102", f"{field} `{value}` does not parse: {exc}", field)
                    continue
                if requirement.url is not None:
                    self.add("SL102", f"{field} `{value}` is a direct reference; PyPI rejects it", field)

    # ------------------------------------------------------------------ file name

    def filename(self, name: str | None, version: Version | None) -> None:
        if name is None or version is None:
            return
        canonical = canonicalize_name(name)
        stem = canonical.replace("-", "_")
        filename = self.archive.filename
        fix = "let the build backend name the file; do not rename artifacts"
        if self.archive.kind == "wheel":
            try:
                wheel = parse_wheel_name(filename)
            except InvalidWheelFilename as exc:
                self.add("SL107", f"{filename!r} is not a valid wheel file name: {exc}")
                return
            file_name, file_version = wheel.name, Version(wheel.version)
            if wheel.variant_label is not None:
                self.add(
                    "SL107",
                    f"{filename!r} is a wheel variant (label {wheel.variant_label!r}); PEP 825 is a draft and "
                    "indexes such as PyPI do not accept variant file names yet",
                    fix="upload the variant wheels to an index that supports them, or publish a wheel without a label",
                )
            if file_name != canonical:
                self.add("SL107", f"the file name says project {file_name!r}, the metadata {name!r}", fix=fix)
            elif filename.split("-", 1)[0] != stem:
                self.add(
                    "SL107",
                    f"the file name starts with {filename.split('-', 1)[0]!r}, not the normalized name {stem!r}",
                    fix=fix,
                )
            if file_version != version:
                self.add("SL107", f"the file name says version {str(file_version)!r}, the metadata {str(version)!r}")
            dist_info = self.archive.dist_info
            expected = "-".join(filename.split("-")[:2]) + ".dist-info"
            if dist_info is not None and dist_info != expected:
                self.add(
                    "SL107",
                    f"the metadata is in {dist_info}/, but PyPI looks for {expected}/ (from the file name)",
                    fix=fix,
                )
            return
        expected_file = f"{stem}-{version}.tar.gz"
        parsed = sdist_name_version(filename)
        if parsed is None:
            self.add("SL108", f"{filename!r} is not a valid sdist file name; it should be {expected_file!r}")
            return
        sdist_name, sdist_version = parsed
        if canonicalize_name(sdist_name) != canonical:
            self.add("SL107", f"the file name says project {sdist_name!r}, the metadata {name!r}", fix=fix)
        try:
            same_version = Version(sdist_version) == version
        except InvalidVersion:
            same_version = False
        if not same_version:
            self.add("SL107", f"the file name says version {sdist_version!r}, the metadata {str(version)!r}", fix=fix)
        if filename != expected_file:
            reason = "a .zip sdist; PyPI takes .tar.gz only" if filename.lower().endswith(".zip") else "not normalized"
            self.add("SL108", f"{filename!r} is {reason}: PEP 625 names it {expected_file!r}")

    # ------------------------------------------------------------------ other fields

    def classifiers(self) -> None:
        values = self.meta.get_all("Classifier")
        if not values:
            return
        from trove_classifiers import classifiers, deprecated_classifiers

        for value in values:
            if value in deprecated_classifiers:
                replacements = deprecated_classifiers[value]
                instead = f"; use {', '.join(repr(r) for r in replacements)} instead" if replacements else ""
                self.add("SL109", f"classifier {value!r} is deprecated{instead}", "Classifier")
            elif value not in classifiers:
                hint = (
                    " (PyPI refuses `Private ::` classifiers, which keeps private projects off it)"
                    if value.startswith("Private ::")
                    else ""
                )
                self.add("SL109", f"classifier {value!r} is not a known trove classifier{hint}", "Classifier")

    def urls(self) -> None:
        for field in ("Home-page", "Download-URL"):
            value = self.meta.get(field)
            if value is not None and not _valid_url(value):
                self.add("SL111", f"{field} {value!r} is not a valid http(s) URL", field)
        for value in self.meta.get_all("Project-URL"):
            label, comma, url = value.partition(",")
            label, url = label.strip(), url.strip()
            if not comma or not url:
                self.add("SL110", f"Project-URL {value!r} has no URL: write `label, URL`", "Project-URL")
            elif not label:
                self.add("SL110", f"Project-URL {value!r} has no label", "Project-URL")
            elif len(label) > _LABEL_LIMIT:
                self.add(
                    "SL110",
                    f"Project-URL label {label!r} is {len(label)} characters; PyPI takes at most {_LABEL_LIMIT}",
                    "Project-URL",
                )
            elif not _valid_url(url):
                self.add("SL111", f"Project-URL {label!r} is {url!r}, not a valid http(s) URL", "Project-URL")

    def summary(self) -> None:
        raw = self.meta.raw("Summary")
        if raw is None:
            return
        value = raw.strip()
        if "\n" in value or "\r" in value:
            self.add("SL112", "Summary has more than one line", "Summary")
        elif len(value) > _SUMMARY_LIMIT:
            self.add("SL112", f"Summary is {len(value)} characters; PyPI takes at most {_SUMMARY_LIMIT}", "Summary")

    def license(self) -> None:
        if self.meta.get("License") is not None and self.meta.get("License-Expression") is not None:
            self.add(
                "SL113",
                "License and License-Expression are both present; PyPI takes only License-Expression",
                "License",
                fix="write `project.license` as an SPDX expression string and drop the free-text license "
                "(a `License ::` classifier, if any, goes too)",
            )

    def dynamic(self) -> None:
        for value in self.meta.get_all("Dynamic"):
            if value.lower() in ("name", "version", "metadata-version"):
                self.add("SL114", f"Dynamic: {value} is not allowed: {value} may never be dynamic", "Dynamic")
            elif value.lower() not in _DYNAMIC:
                self.add("SL114", f"Dynamic: {value} is not a core metadata field that may be dynamic", "Dynamic")

    def license_files(self) -> None:
        for value in self.meta.get_all("License-File"):
            if self.archive.kind == "wheel":
                if self.archive.dist_info is None:
                    continue
                member = f"{self.archive.dist_info}/licenses/{value}"
                # before Metadata-Version 2.4 (PEP 639), setuptools put the file at the top of .dist-info
                legacy = f"{self.archive.dist_info}/{value}"
                present = member in self.archive.files or (
                    self.meta.metadata_version < _PEP_639 and legacy in self.archive.files
                )
            else:
                member = f"{self.archive.tops[0]}/{value}" if self.archive.tops else value
                present = value in self.archive.files
            if not present:
                self.add("SL115", f"License-File {value!r} is not in the archive (looked for {member})", "License-File")

    def emails(self) -> None:
        for field in ("Author-email", "Maintainer-email"):
            value = self.meta.get(field)
            if value is None:
                continue
            for _, address in email.utils.getaddresses([value]):
                problem = _email_problem(address)
                if problem is not None:
                    self.add("SL116", f"{field} address {address!r} is not valid: {problem}", field)

    def packaging_rules(self) -> None:
        """pypa/packaging's validator (which PyPI runs) for everything not checked above."""
        from packaging.metadata import Metadata

        try:
            Metadata.from_email(self.text, validate=True)
        except Exception as group:
            for error in getattr(group, "exceptions", [group]):
                field = str(getattr(error, "field", "") or "")
                if field.lower() in _OWN_FIELDS:
                    continue
                self.add("SL117", str(error), _field_title(field) or None)


def _field_title(raw: str) -> str:
    return "-".join(part.capitalize() for part in raw.split("-")) if raw else ""


def _valid_url(url: str) -> bool:
    """An absolute http(s) URL without spaces or control characters (Warehouse's rule)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for an invalid port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https")


def _email_problem(address: str) -> str | None:
    if not address:
        return None
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "it has no `local@domain` form"
    if any(ch.isspace() for ch in address) or ".." in address:
        return "it has spaces or `..`"
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2:
        return f"the domain {domain!r} has no top-level domain"
    if not all(_DOMAIN_LABEL.match(label) for label in labels if label.isascii()):
        return f"the domain {domain!r} is not a valid host name"
    if labels[-1].lower() in _SPECIAL_USE_TLDS:
        return f"`.{labels[-1]}` is a special-use domain that cannot receive mail"
    return None
