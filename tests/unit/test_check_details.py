"""`sourcelift check` beyond one case per ID: what is not reported, how messages read, archives read in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcelift_hook.check import Finding, read_archive, render_github, render_human, render_json, run_checks
from sourcelift_hook.check.api import check_paths
from sourcelift_hook.check.errors import UsageError
from sourcelift_hook.check.leaks import scan
from sourcelift_hook.check.model import Report

from .check_builders import make_sdist, make_wheel, metadata, pyproject

SECRET = "s3cr3t-value"


def ids(findings: list[Finding]) -> list[str]:
    return [f.id for f in findings]


def check(*paths: Path) -> list[Finding]:
    findings, _ = run_checks([read_archive(p, display=p.name) for p in paths])
    return findings


# --------------------------------------------------------------------------- leaks and credentials


@pytest.mark.parametrize(
    "value",
    [
        "https://github.com/home/project",
        "https://example.org/tmp/x and https://example.org/Users/x",
        "see docs/tmp/notes.md",
        "lib @ file:///${PROJECT_ROOT}/vendor/lib.whl",
        "git+ssh://git@github.com/org/repo.git",
        "ssh://deploy@host.example.org/repo.git",
        "https://${USER}:${TOKEN}@example.org/simple",
        "~/project/data",
        "relative/tmp/dir",
        # templates filled in later (found in tomli's tox commands): no place on the building machine
        'print("profiler svg output under file://\\{0\\}".format(path))',
        "file://{0}",
        "file://%(out)s",
        "file://$OUT/report.html",
        "/tmp/{envname}",  # flask 3.1.3's [tool.tox.env_run_base] env_tmp_dir
    ],
)
def test_no_leak_in(value: str) -> None:
    assert scan(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("git+file:///home/ann/repo.git", ["SL401"]),
        ("git+file://localhost/home/ann/repo.git", ["SL401"]),  # the spelling local-mode lines use
        ("--cache=/var/tmp/x", ["SL403"]),
        ("/tmp/{envname} and /tmp/pip-req-build-x1/vendor", ["SL403"]),
        ("/home/ann/{envname}", ["SL402"]),
        ("/Users/ann/src", ["SL402"]),
        ("/root", ["SL402"]),
        ("C:\\Users\\ann\\AppData\\Local\\Temp\\build", ["SL403"]),
        ("C:\\Users\\ann\\src", ["SL402"]),
        ("https://__token__@example.org/simple", ["SL405"]),
        ("https://example.org/x.whl?token=abcdef", ["SL405"]),
        ("pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3A", ["SL405"]),
        ("https://ann:pw@example.org/tmp/x", ["SL405"]),
    ],
)
def test_leak_in(value: str, expected: list[str]) -> None:
    assert [check_id for check_id, _ in scan(value)] == expected


def test_a_path_source_in_a_temporary_directory_that_exists_is_not_called_gone(tmp_path: Path) -> None:
    # a temporary directory that exists here, named by a development-only source the sdist keeps
    text = pyproject(extra='[dependency-groups]\ndev = ["lib"]\n[tool.uv.sources]\nlib = { path = "/tmp" }\n')
    (leak,) = [f for f in check(make_sdist(tmp_path, project=text)) if f.id == "SL403"]
    assert leak.message == "`tool.uv.sources.lib.path` holds the temporary-directory path `/tmp`"
    assert "no longer exists" not in leak.fix and "make it relative to the project" in leak.fix


def test_credentials_never_reach_any_output(tmp_path: Path) -> None:
    """A direct reference with a password: SL101 and SL405, and the password is in no message."""
    line = f"lib @ https://ann:{SECRET}@example.org/lib-1.0.tar.gz"
    wheel = make_wheel(tmp_path, meta=metadata(fields=[("Requires-Dist", line), ("Project-URL", f"CI, {line[6:]}")]))
    findings = check(wheel)
    assert [(f.id, f.location) for f in findings] == [
        ("SL101", "METADATA: Requires-Dist"),
        ("SL405", "METADATA: Requires-Dist"),
        ("SL405", "METADATA: Project-URL"),
    ]
    report = Report([], findings)
    for text in (render_human(report), render_json(report), render_github(report)):
        assert SECRET not in text
        assert "https://***@example.org/lib-1.0.tar.gz" in text


def test_description_is_not_scanned_and_direct_references_are_not_leaks_twice(tmp_path: Path) -> None:
    meta = metadata(
        fields=[("Requires-Dist", "lib @ file:///home/ann/lib-1.0-py3-none-any.whl")],
        body="Run it as `tool --cache /tmp/cache` from /home/you/project.\n",
    )
    assert ids(check(make_wheel(tmp_path, meta=meta))) == ["SL101"]


def test_provenance_documents_are_scanned(tmp_path: Path) -> None:
    document = {"version": "1", "entries": [{"url": "file:///tmp/repo.git", "path": "vendor/x.whl"}]}
    wheel = make_wheel(tmp_path, dist_info_files={"sourcelift-provenance.json": json.dumps(document).encode()})
    (found,) = check(wheel)
    assert (found.id, found.location) == ("SL401", "demo-1.0.dist-info/sourcelift-provenance.json: entries[0].url")
    sdist = make_sdist(tmp_path, files={".sourcelift/provenance.json": json.dumps(document).encode()})
    assert [(f.id, f.location) for f in check(sdist)] == [
        ("SL401", "demo-1.0/.sourcelift/provenance.json: entries[0].url")
    ]


# --------------------------------------------------------------------------- upload rules: details


def test_wheel_file_name_rules(tmp_path: Path) -> None:
    not_normalized = make_wheel(tmp_path / "a", filename="Demo-1.0-py3-none-any.whl")
    assert [f.message for f in check(not_normalized)] == [
        "the file name starts with 'Demo', not the normalized name 'demo'",
        "the metadata is in demo-1.0.dist-info/, but PyPI looks for Demo-1.0.dist-info/ (from the file name)",
    ]
    moved = make_wheel(tmp_path / "b", dist_info="Demo-1.0.dist-info")
    (found,) = check(moved)
    assert found.id == "SL107" and "PyPI looks for demo-1.0.dist-info/" in found.message
    other_version = make_wheel(tmp_path / "c", filename="demo-2.0-py3-none-any.whl")
    assert [f.message for f in check(other_version)] == [
        "the file name says version '2.0', the metadata '1.0'",
        "the metadata is in demo-1.0.dist-info/, but PyPI looks for demo-2.0.dist-info/ (from the file name)",
    ]


def test_sdist_file_name_rules(tmp_path: Path) -> None:
    zipped = make_sdist(tmp_path, filename="demo-1.0.zip")
    assert [(f.id, f.message) for f in check(zipped)] == [
        ("SL108", "'demo-1.0.zip' is a .zip sdist; PyPI takes .tar.gz only: PEP 625 names it 'demo-1.0.tar.gz'")
    ]
    unnormalized_version = make_sdist(tmp_path, pkg_info=metadata(version="1.0.0"), filename="demo-1.0.0.tar.gz")
    assert check(unnormalized_version) == []
    assert ids(check(make_sdist(tmp_path, filename="demo-2.0.tar.gz"))) == ["SL107", "SL108"]


def test_deprecated_classifier_names_its_replacement(tmp_path: Path) -> None:
    from trove_classifiers import deprecated_classifiers

    old, new = next((k, v) for k, v in sorted(deprecated_classifiers.items()) if v)
    (found,) = check(make_wheel(tmp_path, meta=metadata(fields=[("Classifier", old)])))
    assert found.id == "SL109" and "deprecated" in found.message and repr(new[0]) in found.message
    (private,) = check(make_wheel(tmp_path / "p", meta=metadata(fields=[("Classifier", "Private :: Do Not Upload")])))
    assert "Private ::" in private.message


def test_license_file_in_old_metadata_is_what_pypi_rejected(tmp_path: Path) -> None:
    """setuptools 77 wrote License-File into Metadata-Version 2.1; packaging's validator (PyPI's) refuses it."""
    wheel = make_wheel(
        tmp_path,
        meta=metadata(metadata_version="2.1", fields=[("License-File", "LICENSE")]),
        dist_info_files={"licenses/LICENSE": b"MIT\n"},
    )
    (found,) = check(wheel)
    assert found.id == "SL117" and "2.4" in found.message and found.location == "METADATA: License-File"


def test_a_license_file_before_metadata_2_4_may_lie_at_the_top_of_dist_info(tmp_path: Path) -> None:
    """setuptools before 77 (six 1.17.0, pytz) put it there; `licenses/` is PEP 639's, from 2.4 on."""
    old = make_wheel(
        tmp_path / "old",
        meta=metadata(metadata_version="2.1", fields=[("License-File", "LICENSE")]),
        dist_info_files={"LICENSE": b"MIT\n"},
    )
    assert ids(check(old)) == ["SL117"]  # the field itself is 2.4's, and that is all
    new = make_wheel(
        tmp_path / "new", meta=metadata(fields=[("License-File", "LICENSE")]), dist_info_files={"LICENSE": b"MIT\n"}
    )
    (missing,) = check(new)
    assert missing.id == "SL115" and "licenses/LICENSE" in missing.message


def test_sdist_license_file_looked_up_under_its_top_directory(tmp_path: Path) -> None:
    meta = metadata(fields=[("License-File", "LICENSES/MIT.txt")])
    assert check(make_sdist(tmp_path / "a", pkg_info=meta, files={"LICENSES/MIT.txt": b"MIT"})) == []
    (missing,) = check(make_sdist(tmp_path / "b", pkg_info=meta))
    assert missing.id == "SL115" and "demo-1.0/LICENSES/MIT.txt" in missing.message


# --------------------------------------------------------------------------- sdist and wheel


def test_dynamic_fields_may_differ(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, pkg_info=metadata(fields=[("Dynamic", "Requires-Dist"), ("Requires-Dist", "a")]))
    wheel = make_wheel(tmp_path, meta=metadata(fields=[("Requires-Dist", "a @ https://example.org/a.whl")]))
    assert ids(check(sdist, wheel)) == ["SL101"]  # the wheel's own problem, not a broken promise


def test_a_field_only_the_wheel_has_breaks_the_promise(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, pkg_info=metadata())
    wheel = make_wheel(tmp_path, meta=metadata(fields=[("Requires-Dist", "extra-dependency")]))
    (found,) = check(sdist, wheel)
    assert found.id == "SL201" and found.artifact == wheel.name
    assert "the sdist says nothing, the wheel `extra-dependency`" in found.message


def test_an_extras_requirement_agrees_whatever_order_the_backend_writes_its_marker_in(tmp_path: Path) -> None:
    """hatchling writes `(m) and extra == 'x'`, flit-core `extra == "x" and (m)`: the same requirement."""
    hatchling = "p==1; (sys_platform == 'linux') and extra == 'fast'"
    sdist = make_sdist(tmp_path, pkg_info=metadata(fields=[("Requires-Dist", hatchling)]))
    flit = 'p==1 ; extra == "fast" and (sys_platform == "linux")'
    assert check(sdist, make_wheel(tmp_path, meta=metadata(fields=[("Requires-Dist", flit)]))) == []
    other = 'p==1 ; extra == "fast" and (sys_platform == "darwin")'
    assert ids(check(sdist, make_wheel(tmp_path / "o", meta=metadata(fields=[("Requires-Dist", other)])))) == ["SL201"]


def test_a_requirement_agrees_whatever_spelling_of_its_name_and_extras(tmp_path: Path) -> None:
    """psutil 7.2.2: PKG-INFO says `sphinx_rtd_theme`, the wheel `sphinx-rtd-theme`: one project."""
    sdist = make_sdist(tmp_path, pkg_info=metadata(fields=[("Requires-Dist", "Sphinx_RTD.theme[PDF_out]>=1")]))
    same = make_wheel(tmp_path, meta=metadata(fields=[("Requires-Dist", "sphinx-rtd-theme[pdf-out] >=1")]))
    assert check(sdist, same) == []
    other = make_wheel(tmp_path / "o", meta=metadata(fields=[("Requires-Dist", "sphinx-rtd-theme[pdf]>=1")]))
    assert ids(check(sdist, other)) == ["SL201"]


def test_a_field_the_older_metadata_version_cannot_carry_is_not_compared(tmp_path: Path) -> None:
    """tomli 2.5.0: flit-core's sdist (2.5) says `Import-Name: tomli`, its setuptools wheel (2.4) cannot."""
    sdist = make_sdist(tmp_path, pkg_info=metadata(metadata_version="2.5", fields=[("Import-Name", "demo")]))
    assert check(sdist, make_wheel(tmp_path, meta=metadata(metadata_version="2.4"))) == []
    wheel = make_wheel(tmp_path / "w", meta=metadata(metadata_version="2.5"))
    assert ids(check(sdist, wheel)) == ["SL201"]  # both 2.5: the wheel dropped it


def test_description_compared_unless_dynamic(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, pkg_info=metadata(body="One.\n"))
    wheel = make_wheel(tmp_path, meta=metadata(body="Two.\n"))
    assert ids(check(sdist, wheel)) == ["SL201"]
    sdist = make_sdist(tmp_path / "d", pkg_info=metadata(fields=[("Dynamic", "Description")], body="One.\n"))
    assert check(sdist, wheel) == []


def test_wheels_of_another_version_are_not_compared(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, pkg_info=metadata(fields=[("Summary", "one")]))
    wheel = make_wheel(tmp_path, "demo", "2.0", meta=metadata(version="2.0", fields=[("Summary", "two")]))
    findings, notes = run_checks([read_archive(sdist), read_archive(wheel)])
    assert findings == [] and notes == [f"{sdist}: no wheel of demo 1.0 to compare it with (SL2 not checked)"]


def test_a_wheel_built_only_to_compare_reports_on_the_sdist(tmp_path: Path) -> None:
    sdist = read_archive(make_sdist(tmp_path, pkg_info=metadata(fields=[("Summary", "one")])), display="s")
    built = read_archive(
        make_wheel(tmp_path, meta=metadata(fields=[("Summary", "two")]), unrecorded={"demo/unlisted.py": b""})
    )
    assert "SL602" in ids(run_checks([built])[0])  # its own problems are not reported below
    findings, notes = run_checks([sdist], companions=[built])
    assert [(f.id, f.artifact, f.location) for f in findings] == [("SL201", "s", "PKG-INFO: Summary")]
    # the backend that built it here is named: it may be newer than the sdist's (rich, rsa: `poetry-core>=1.0.0`)
    assert "in the wheel built from this sdist (demo-1.0-py3-none-any.whl, by tests)" in findings[0].message
    assert notes == []


# --------------------------------------------------------------------------- RECORD


def test_record_with_other_algorithms(tmp_path: Path) -> None:
    import base64
    import hashlib

    def sha512(rows: list[list[str]]) -> list[list[str]]:
        out = []
        for path, hash_value, size in rows:
            if path == "demo/__init__.py":
                digest = base64.urlsafe_b64encode(hashlib.sha512(b"VALUE = 1\n").digest()).rstrip(b"=").decode()
                hash_value = f"sha512={digest}"
            out.append([path, hash_value, size])
        return out

    assert check(make_wheel(tmp_path / "a", record_rows=sha512)) == []

    def md5(rows: list[list[str]]) -> list[list[str]]:
        digest = base64.urlsafe_b64encode(hashlib.md5(b"VALUE = 1\n").digest()).rstrip(b"=").decode()
        return [[r[0], f"md5={digest}", r[2]] if r[0] == "demo/__init__.py" else r for r in rows]

    (weak,) = check(make_wheel(tmp_path / "b", record_rows=md5))
    assert weak.id == "SL606" and "md5" in weak.message


def test_record_signatures_need_no_row_and_rows_need_a_size(tmp_path: Path) -> None:
    signed = make_wheel(tmp_path / "a", unrecorded={"demo-1.0.dist-info/RECORD.jws": b"{}"})
    assert check(signed) == []

    def no_size(rows: list[list[str]]) -> list[list[str]]:
        return [[r[0], r[1], ""] if r[0] == "demo/__init__.py" else r for r in rows]

    (found,) = check(make_wheel(tmp_path / "b", record_rows=no_size))
    assert found.id == "SL606" and "no size" in found.message


def test_hexadecimal_record_hashes_are_one_warning_not_an_error_per_file(tmp_path: Path) -> None:
    """Found on run-llama/workflows-py: every wheel uv_build 0.7.22 built (`uv_build>=0.7.20,<0.8.0`) has its right
    digests in hexadecimal (astral-sh/uv#15398); check reported one SL604 error per file, with the fix "do not
    edit files in it", for a wheel nobody edited."""
    import base64
    import hashlib

    def hexadecimal(rows: list[list[str]]) -> list[list[str]]:
        out = []
        for path, digest, size in rows:
            if digest:
                encoded = digest.partition("=")[2]
                digest = "sha256=" + base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).hex()
            out.append([path, digest, size])
        return out

    found = check(make_wheel(tmp_path / "a", record_rows=hexadecimal))
    assert [(f.id, f.level, f.location) for f in found] == [("SL609", "warning", "RECORD line 1")], found
    assert "hexadecimal" in found[0].message and "uv_build>=0.8.13" in found[0].fix

    def hexadecimal_of_other_content(rows: list[list[str]]) -> list[list[str]]:
        other = "sha256=" + hashlib.sha256(b"other").hexdigest()
        return [[r[0], other, r[2]] if r[0] == "demo/__init__.py" else r for r in hexadecimal(rows)]

    found = check(make_wheel(tmp_path / "b", record_rows=hexadecimal_of_other_content))
    assert sorted(f.id for f in found) == ["SL604", "SL609"], found


def test_members_outside_the_archive(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, files={"demo/__init__.py": b"", "../escape.py": b""})
    assert [(f.id, f.location) for f in check(wheel)] == [("SL608", "../escape.py"), ("SL608", "RECORD line 2")]


def test_without_record_checks_files_are_not_hashed(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    # only the texts read anyway (METADATA, WHEEL) are hashed
    assert read_archive(wheel, digests=False).digests.keys() == {
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL",
    }
    assert len(read_archive(wheel).digests) == 3


# --------------------------------------------------------------------------- archives


def test_unreadable_parts(tmp_path: Path) -> None:
    no_metadata_version = make_sdist(tmp_path / "a", pkg_info="Name: demo\nVersion: 1.0\n")
    assert ids(check(no_metadata_version)) == ["SL104"]
    bad_toml = make_sdist(tmp_path / "b", project="[project\n")
    (found,) = check(bad_toml)
    assert found.id == "SL100" and found.location == "pyproject.toml"


def test_sdist_without_pkg_info(tmp_path: Path) -> None:
    import io
    import tarfile

    path = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("demo-1.0/pyproject.toml")
        data = pyproject().encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (found,) = check(path)
    assert (found.id, found.message) == ("SL100", "the sdist has no `demo-1.0/PKG-INFO`")


def test_metadata_not_utf8(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    import zipfile

    other = tmp_path / "x" / wheel.name
    other.parent.mkdir()
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(other, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, b"Name: \xff\n" if info.filename.endswith("METADATA") else data)
    findings = check(other)
    assert any(f.id == "SL100" and "not UTF-8" in f.message for f in findings), findings


# --------------------------------------------------------------------------- check_paths on files


def test_check_paths_on_files_without_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_wheel(tmp_path / "dist")
    make_sdist(tmp_path / "dist")
    report = check_paths(["dist/demo-1.0-py3-none-any.whl", "dist/demo-1.0.tar.gz"], ignore=["SL3"])
    assert report.exit_code == 0 and report.findings == [] and report.project is None
    assert [(a.display, a.kind, a.name, a.version, a.built) for a in report.artifacts] == [
        ("dist/demo-1.0-py3-none-any.whl", "wheel", "demo", "1.0", False),
        ("dist/demo-1.0.tar.gz", "sdist", "demo", "1.0", False),
    ]


@pytest.mark.parametrize(
    ("paths", "kwargs", "message"),
    [
        (["missing.whl"], {}, "missing.whl does not exist"),
        (["notes.txt"], {}, "notes.txt is neither a wheel (.whl) nor an sdist (.tar.gz)"),
        ([".", "notes.txt"], {}, "give one project directory, or distribution files"),
        (["empty"], {}, "empty has no pyproject.toml"),
        (["blank"], {}, "declares no Python project"),  # setuptools would build `UNKNOWN 0.0.0` of it
        (["tools-only"], {}, "declares no Python project"),
        (["dist/demo-1.0-py3-none-any.whl"], {"outdir": "out"}, "--outdir applies to a project directory"),
        (["dist/demo-1.0-py3-none-any.whl", "dist/demo-1.0-py3-none-any.whl"], {}, "the same file is given twice"),
    ],
)
def test_check_paths_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: list[str], kwargs: dict[str, str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "pyproject.toml").write_text("")
    (tmp_path / "tools-only").mkdir()
    (tmp_path / "tools-only" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    make_wheel(tmp_path / "dist")
    with pytest.raises(UsageError) as caught:
        check_paths(paths, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("Summary", "one\n        two", "Summary has more than one line"),
        ("Home-page", "example.org", "Home-page 'example.org' is not a valid http(s) URL"),
        ("Project-URL", "Homepage", "Project-URL 'Homepage' has no URL: write `label, URL`"),
        ("Project-URL", ", https://example.org", "Project-URL ', https://example.org' has no label"),
        ("Author-email", "ann@example.test", "`.test` is a special-use domain"),
    ],
)
def test_upload_field_rules(tmp_path: Path, field: str, value: str, expected: str) -> None:
    findings = check(make_wheel(tmp_path, meta=metadata(fields=[(field, value)])))
    assert any(expected in f.message for f in findings), findings


def test_fields_distutils_set_to_unknown_are_absent_to_pypi(tmp_path: Path) -> None:
    """Old setuptools wrote `Home-page: UNKNOWN`, `Author-email: UNKNOWN`; Warehouse drops such fields."""
    unset = [
        ("Home-page", "UNKNOWN"),
        ("Download-URL", "UNKNOWN"),
        ("Author-email", "UNKNOWN"),
        ("Platform", "UNKNOWN"),
    ]
    old = metadata(metadata_version="1.1", fields=[*unset, ("Requires-Python", "UNKNOWN"), ("License", "UNKNOWN")])
    assert check(make_sdist(tmp_path / "sdist", pkg_info=old)) == []
    new = metadata(fields=[("License", "UNKNOWN"), ("License-Expression", "MIT")])
    assert check(make_wheel(tmp_path / "wheel", meta=new)) == []
    # the last value decides for a repeated field, as webob's form does; a real value is still checked
    urls = metadata(fields=[("Home-page", "example.org"), ("Author-email", "nobody"), ("Author-email", "UNKNOWN")])
    assert ids(check(make_wheel(tmp_path / "url", meta=urls))) == ["SL111"]
    # distutils' description as a header of several lines (one reads like a header), beside a field set to
    # UNKNOWN: what PyPI validates keeps its continuation lines as written
    described = (
        "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nSummary: s\nHome-page: UNKNOWN\n"
        "Description: Changes\n        Version: 0.9\n        \n        first release\nPlatform: UNKNOWN\n"
    )
    assert check(make_sdist(tmp_path / "described", pkg_info=described)) == []


def test_an_old_sdists_unknown_fields_and_description_header_agree_with_its_wheel(tmp_path: Path) -> None:
    """distutils' PKG-INFO (1.1): `Platform: UNKNOWN` is a field left unset, as the wheel leaves it out, and
    the `Description:` header's continuation lines (8 spaces, or 7 and a `|`) read as the wheel's body."""
    pkg_info = (
        "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nSummary: s\nPlatform: UNKNOWN\n"
        "Description: Demo\n        ====\n        \n       |  indented\n        last\n"
    )
    meta = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: s\n\nDemo\n====\n\n  indented\nlast\n"
    found = check(make_sdist(tmp_path / "sdist", pkg_info=pkg_info), make_wheel(tmp_path / "wheel", meta=meta))
    assert [f for f in found if f.id.startswith("SL2")] == []
    # distutils' `Description: UNKNOWN` is no description, as a wheel without a body
    unknown = pkg_info.split("Description:")[0] + "Description: UNKNOWN\n"
    bare = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: s\n"
    found = check(make_sdist(tmp_path / "sdist3", pkg_info=unknown), make_wheel(tmp_path / "wheel3", meta=bare))
    assert [f for f in found if f.id.startswith("SL2")] == []
    # a real difference still shows
    other = meta.replace("last", "changed")
    found = check(make_sdist(tmp_path / "sdist2", pkg_info=pkg_info), make_wheel(tmp_path / "wheel2", meta=other))
    assert [f.message for f in found if f.id == "SL202"] == [
        "the description (long description) differs from the sdist demo-1.0.tar.gz, which does not mark it Dynamic"
    ]


def test_a_field_with_one_empty_value_is_absent_to_pypi(tmp_path: Path) -> None:
    """Warehouse's form reader skips a field whose only value is empty: `Home-page: ` is no invalid URL."""
    empty = [("Home-page", ""), ("Download-URL", ""), ("Description-Content-Type", ""), ("Author-email", "")]
    assert check(make_wheel(tmp_path / "empty", meta=metadata(metadata_version="2.1", fields=empty))) == []
    repeated = metadata(fields=[("Project-URL", ""), ("Project-URL", "Docs, https://example.org")])
    assert ids(check(make_wheel(tmp_path / "repeated", meta=repeated))) == ["SL110"]


def test_hatch_parent_references_always_leave_the_sdist(tmp_path: Path) -> None:
    project = pyproject().replace("dependencies = []", 'dependencies = ["lib @ {root:parent:uri}/lib"]')
    (found,) = check(make_sdist(tmp_path, project=project, files={"lib/pyproject.toml": b""}))
    assert (found.id, found.location) == ("SL503", "pyproject.toml: project.dependencies[0]")
    assert "'../lib'" in found.message
