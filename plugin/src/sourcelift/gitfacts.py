"""What a build needs to know about the git work tree it runs in, read without gitpython.

The facts come from two places:

- **from disk**, no process: the work tree's top level and git directory (a
  ``.git`` directory, or a ``.git`` file pointing at a linked worktree's or a
  submodule's git directory), HEAD (the branch and the commit, through loose refs
  and ``packed-refs``), the remotes and the branch's tracked remote
  (``.git/config``, with ``[include] path``), and the tag refs;
- **one** ``git status`` process for the state of the paths the build cares about
  (committed, modified, untracked), started when the plan is made so that it runs
  while the wrapped backend builds (:class:`StatusQuery`).

A repository git would describe differently from what is on disk (``GIT_DIR``
and friends set, the reftable ref format, a config with ``includeIf``) gives no
facts (``None`` with a reason); callers then record nothing and emit what they
would outside git.  gitpython stays for the work that needs a real git client
(fetching an archive from a remote repository, :mod:`sourcelift._git`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._dataclasses import slotted_dataclass
from ._files import open_regular

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "REDIRECTS",
    "ContainsQuery",
    "GitProcess",
    "Head",
    "Repository",
    "StatusQuery",
    "cache_remote_url",
    "find_repository",
    "parse_config",
    "path_state",
    "status_changes",
    "unpopulated_submodule",
]

REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")
"""Variables that point git somewhere else than the directory it runs in; with one set, what is on
disk next to the tree is not what git would say."""
_MAX_REF_DEPTH = 5
GIT_TIMEOUT = 120.0
"""Seconds a git command may run before the build goes on without its answer: git blocks forever
on a FIFO where it reads (an ``[include] path`` of the config, the index)."""
_MAX_FILE = 4 * 1024 * 1024  # config, HEAD and ref files beyond this are not git's


def is_object_id(text: str) -> bool:
    """A full SHA-1 object id, lower-case hex (no regular expression: compiling one costs more)."""
    return len(text) == 40 and not text.strip("0123456789abcdef")


@slotted_dataclass
class Head:
    commit: str | None
    """Full commit id; ``None`` on an unborn branch."""
    branch: str | None
    """Short branch name; ``None`` when HEAD is detached."""


class Repository:
    """A non-bare git repository's work tree, as the files under its git directory describe it."""

    def __init__(self, top: Path, git_dir: Path, common_dir: Path) -> None:
        self.top = top
        """The work tree's top level (symlinks resolved)."""
        self.git_dir = git_dir
        self.common_dir = common_dir
        """Where refs, packed-refs and config live (the git directory, or a linked worktree's main one)."""
        self._config: dict[str, list[str]] | None = None
        self._packed: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"Repository({str(self.top)!r})"

    # -- refs

    def head(self) -> Head | None:
        """HEAD's commit and branch; ``None`` when the refs cannot be read from disk."""
        text = _read_text(self.git_dir / "HEAD")
        if text is None:
            return None
        text = text.strip()
        if not text.startswith("ref:"):
            return Head(text, None) if is_object_id(text) else None
        ref = text[4:].strip()
        branch = ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else None
        return Head(self.resolve(ref), branch)

    def resolve(self, ref: str, depth: int = 0) -> str | None:
        """The object a full ref name points at (loose ref, else ``packed-refs``); ``None`` if absent."""
        if depth > _MAX_REF_DEPTH or ".." in ref.split("/"):
            return None
        for base in (self.git_dir, self.common_dir):
            text = _read_text(base / ref)
            if text is not None:
                text = text.strip()
                if text.startswith("ref:"):
                    return self.resolve(text[4:].strip(), depth + 1)
                return text if is_object_id(text) else None
        return self.packed_refs().get(ref)

    def packed_refs(self) -> dict[str, str]:
        if self._packed is None:
            packed: dict[str, str] = {}
            text = _read_text(self.common_dir / "packed-refs") or ""
            for line in text.splitlines():
                if not line or line[0] in "#^":
                    continue
                object_id, _, name = line.partition(" ")
                if is_object_id(object_id):
                    packed[name.strip()] = object_id
            self._packed = packed
        return self._packed

    def tag_refs(self) -> bytes:
        """Every tag ref and the object it names (annotated tags peeled too), one per line, sorted:
        what changes when a tag is added, moved or removed."""
        lines: set[str] = set()
        text = _read_text(self.common_dir / "packed-refs") or ""
        last = ""
        for line in text.splitlines():
            if line.startswith("^"):
                lines.add(f"{line[1:]} {last}^{{}}")
            elif line.startswith("refs/tags/", 41):
                last = line[41:]
                lines.add(line)
        tags = self.common_dir / "refs" / "tags"
        for directory, _, files in os.walk(tags):
            for name in files:
                path = os.path.join(directory, name)
                ref = "refs/tags/" + Path(os.path.relpath(path, tags)).as_posix()
                value = (_read_text(Path(path)) or "").strip()
                lines = {item for item in lines if not item.endswith(" " + ref)}  # loose wins over packed
                lines.add(f"{value} {ref}")
        return "\n".join(sorted(lines)).encode("utf-8", "surrogateescape")

    def remote_tracking_commits(self) -> set[str]:
        """The commits the remote-tracking refs (``refs/remotes/...``, loose and packed) point at."""
        commits = {value for name, value in self.packed_refs().items() if name.startswith("refs/remotes/")}
        for directory, _, files in os.walk(self.common_dir / "refs" / "remotes"):
            for name in files:
                value = (_read_text(Path(directory) / name) or "").strip()
                if is_object_id(value):
                    commits.add(value)  # a symbolic ref (`origin/HEAD`) names one of the others
        return commits

    # -- config

    def config(self) -> dict[str, list[str]]:
        """The repository's own config (``section.subsection.key`` -> values, in order)."""
        if self._config is None:
            self._config = parse_config(self.common_dir / "config")
            worktree = self.git_dir / "config.worktree"
            if self._config.get("extensions.worktreeconfig", ["false"])[-1].lower() in ("true", "yes", "on", "1"):
                for key, values in parse_config(worktree).items():
                    self._config.setdefault(key, []).extend(values)
        return self._config

    def remote_url(self, branch: str | None) -> str | None:
        """URL of the remote ``branch`` tracks, else of ``origin``; ``None`` without either."""
        config = self.config()
        name = None
        if branch is not None:
            tracked = config.get(f"branch.{branch}.remote")
            name = tracked[-1] if tracked else None
        urls = config.get(f"remote.{name}.url") if name else None
        if not urls:
            urls = config.get("remote.origin.url")
        return urls[0] if urls and urls[0] else None

    def unsupported(self) -> str | None:
        """Why what is on disk may not be what git says (then use no facts), or ``None``."""
        config = self.config()
        if "extensions.refstorage" in config or (self.common_dir / "reftable").is_dir():
            return "the repository stores refs as a reftable"
        if any(key.startswith("includeif.") for key in config):
            return "its config has conditional includes (`includeIf`)"
        return None


def find_repository(start: Path, environ: Mapping[str, str] = os.environ) -> Repository | str:
    """The work tree ``start`` lies in, or why there is none usable (a reason string)."""
    redirected = [name for name in REDIRECTS if environ.get(name)]
    if redirected:
        return f"{', '.join(redirected)} is set, so git may describe another repository than the one at {start}"
    real = Path(os.path.realpath(start))
    for directory in (real, *real.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            git_dir = dot_git
        elif dot_git.is_file():
            text = _read_text(dot_git) or ""
            if not text.startswith("gitdir:"):
                return f"{dot_git} does not name a git directory"
            git_dir = Path(os.path.normpath(directory / text[len("gitdir:") :].strip()))
        else:
            continue
        if not (git_dir / "HEAD").is_file():
            return f"{git_dir} is not a git directory"
        common = _read_text(git_dir / "commondir")
        common_dir = Path(os.path.normpath(git_dir / common.strip())) if common else git_dir
        return Repository(directory, git_dir, common_dir)
    return f"{start} is not in a git work tree"


def unpopulated_submodule(path: Path, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The directory of the git submodule ``path`` is or lies in, when the work tree's ``.gitmodules``
    lists it and the directory is empty: a clone made without ``--recurse-submodules``.

    ``None`` when ``path`` is in no such submodule (or in no usable work tree).
    """
    repository = find_repository(path, environ)
    if isinstance(repository, str):
        return None
    try:
        inside = Path(os.path.realpath(path)).relative_to(repository.top)
    except ValueError:
        return None
    for key, values in parse_config(repository.top / ".gitmodules").items():
        if not (key.startswith("submodule.") and key.endswith(".path")) or not values:
            continue
        listed = Path(os.path.normpath(values[-1]))
        if listed.is_absolute() or listed.parts[:1] == ("..",):
            continue
        if inside != listed and listed not in inside.parents:
            continue
        directory = repository.top / listed
        try:
            with os.scandir(directory) as entries:
                if next(entries, None) is None:
                    return directory
        except OSError:
            pass
        return None
    return None


def _read_text(path: Path) -> str | None:
    """The text of the regular file ``path`` (up to :data:`_MAX_FILE` bytes); ``None`` when it cannot be
    read or is no regular file (a FIFO named ``HEAD``, a ref or an ``[include] path`` would block)."""
    try:
        with open_regular(path) as stream:
            raw = stream.read(_MAX_FILE)
    except OSError:
        return None
    return raw.decode("utf-8", "surrogateescape")


# -- git config, the way git reads it (sections, quoted subsections, escapes, continuations, includes)

_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "\\": "\\", '"': '"'}
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def parse_config(path: Path, depth: int = 0) -> dict[str, list[str]]:
    """``section[.subsection].key`` -> values (section and key lower-cased, subsection kept).

    An unreadable file gives ``{}``; ``[include] path`` is followed (relative to the
    including file, ``~`` expanded); conditional includes are kept as keys, unfollowed.
    """
    text = _read_text(path)
    values: dict[str, list[str]] = {}
    if text is None or depth > 10:
        return values
    section = ""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].lstrip()
        index += 1
        if line.startswith("["):
            header, line = _section_header(line)
            if header is None:
                section = ""
                continue
            section = header
            line = line.lstrip()
        if not line or line[0] in "#;" or not section:
            continue
        name, _, rest = line.partition("=")
        key = name.strip()
        if not key or not key[0].isalpha() or not _NAME_CHARACTERS.issuperset(key):
            continue
        if not _:
            value = "true"  # a bare key is a boolean
        else:
            while _continued(rest) and index < len(lines):
                rest = rest.rstrip("\r")[:-1] + lines[index]
                index += 1
            value = _config_value(rest)
        full = f"{section}.{key.lower()}"
        if full == "include.path":
            for k, v in parse_config(path.parent / os.path.expanduser(value), depth + 1).items():
                values.setdefault(k, []).extend(v)
            continue
        values.setdefault(full, []).append(value)
    return values


def _section_header(line: str) -> tuple[str | None, str]:
    """``[name]``, ``[name "sub"]`` (escapes in ``sub``) or ``[name.sub]`` -> (``name[.sub]``, the rest)."""
    end = line.find("]")
    quote = line.find('"')
    if 0 <= quote < end:
        name = line[1:quote].strip()
        sub: list[str] = []
        index = quote + 1
        while index < len(line) and line[index] != '"':
            if line[index] == "\\" and index + 1 < len(line):
                index += 1
            sub.append(line[index])
            index += 1
        close = line.find("]", index)
        if close < 0 or not name:
            return None, ""
        return f"{name.lower()}.{''.join(sub)}", line[close + 1 :]
    if end < 0:
        return None, ""
    name = line[1:end].strip()
    if not name:
        return None, ""
    head, dot, sub_name = name.partition(".")
    return (f"{head.lower()}.{sub_name.lower()}" if dot else name.lower()), line[end + 1 :]


def _config_value(raw: str) -> str:
    """A value as git reads it: quotes joined, escapes applied, comments cut, outer spaces dropped."""
    out: list[str] = []
    quoted = False
    index = 0
    pending_space = ""
    while index < len(raw):
        char = raw[index]
        index += 1
        if char == '"':
            quoted = not quoted
        elif char == "\\" and index < len(raw):
            out.append(pending_space + _ESCAPES.get(raw[index], raw[index]))
            pending_space = ""
            index += 1
        elif char in "#;" and not quoted:
            break
        elif char.isspace() and not quoted:
            if out:
                pending_space += char
        else:
            out.append(pending_space + char)
            pending_space = ""
    return "".join(out)


def _continued(rest: str) -> bool:
    """Whether a value goes on on the next line (an odd number of trailing backslashes)."""
    stripped = rest.rstrip("\r")
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


# -- one `git status` for the paths a build cares about

# Status entries: path -> "modified" | "untracked" | "ignored" (paths ending in "/" stand for a whole directory).


class GitProcess:
    """A ``git`` command started now in ``cwd`` and read when first needed, so that it runs while the
    build does other work.  It never writes the index (``GIT_OPTIONAL_LOCKS=0``) and never prompts."""

    def __init__(self, arguments: Sequence[str], cwd: Path, environ: Mapping[str, str] = os.environ) -> None:
        import subprocess

        self.command = ["git", *arguments]
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._output: bytes | str | None = None
        self._reaped = False
        env = dict(environ)
        env["GIT_OPTIONAL_LOCKS"] = "0"
        env["GIT_TERMINAL_PROMPT"] = "0"
        try:
            self._process = subprocess.Popen(
                self.command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError:
            self._output = "git is not installed (no `git` on PATH)"
        except OSError as exc:
            self._output = f"git could not be run in {cwd}: {exc}"

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def output(self, timeout: float | None = None) -> bytes | str:
        """What the command wrote to stdout, or (a ``str``) why git could not tell (also when it has not
        finished within ``timeout`` seconds, :data:`GIT_TIMEOUT` by default: it is then killed)."""
        if self._output is None:
            import subprocess

            assert self._process is not None
            process = self._process
            try:
                stdout, stderr = process.communicate(timeout=GIT_TIMEOUT if timeout is None else timeout)
            except (OSError, subprocess.SubprocessError) as exc:
                self.stop()
                self._output = f"git could not be run in {self.cwd}: {exc}"
                return self._output
            self._reaped = True
            if process.returncode != 0:
                detail = stderr.decode("utf-8", "replace").strip().splitlines()
                self._output = (
                    f"`git {self.command[1]}` failed in {self.cwd}: {detail[-1] if detail else process.returncode}"
                )
            else:
                self._output = stdout
        return self._output

    def stop(self) -> None:
        """End the command if it still runs, and reap it (once)."""
        process = self._process
        if process is None or self._reaped:
            return
        if process.poll() is None:
            process.kill()
        process.communicate()
        self._reaped = True


class StatusQuery:
    """``git status`` of some paths of a work tree, started now and read when first needed.

    One process whatever the number of paths; it never writes the index, so a build leaves the tree
    as it found it.
    """

    def __init__(self, repository: Repository, paths: Iterable[str], environ: Mapping[str, str] = os.environ) -> None:
        self.repository = repository
        self._result: dict[str, str] | str | None = None
        arguments = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--"]
        arguments += [f":(literal){path}" for path in sorted(set(paths))]
        self._git = GitProcess(arguments, repository.top, environ)

    def result(self) -> dict[str, str] | str:
        """Changed paths and their change, or why git could not tell."""
        if self._result is None:
            output = self._git.output()
            self._result = output if isinstance(output, str) else status_changes(os.fsdecode(output))
        return self._result


class ContainsQuery:
    """Whether a remote-tracking ref contains a commit (``git for-each-ref --contains``), started now and
    read when first needed: asked only when the commit is no remote-tracking ref's tip, which the refs
    on disk tell without a process."""

    def __init__(self, repository: Repository, commit: str, environ: Mapping[str, str] = os.environ) -> None:
        arguments = ["for-each-ref", "--count=1", "--format=%(refname)", "--contains", commit, "refs/remotes/"]
        self._git = GitProcess(arguments, repository.top, environ)

    def result(self) -> bool | str:
        """Whether some remote-tracking ref contains the commit, or why git could not tell."""
        output = self._git.output()
        return output if isinstance(output, str) else bool(output.strip())


def status_changes(output: str) -> dict[str, str]:
    """``git status --porcelain=v1 -z --ignored`` as path -> ``modified`` / ``untracked`` / ``ignored``."""
    from .gitstatus import parse_status

    changes: dict[str, str] = {}
    for entry in parse_status(output):
        if entry.code == "??":
            changes[entry.path] = "untracked"
        elif entry.code == "!!":
            changes[entry.path] = "ignored"
        elif entry.code[0] in "RCA":
            changes[entry.path] = "untracked"  # not at this path in HEAD
            if entry.source is not None and entry.code[0] == "R":
                changes[entry.source] = "modified"  # the path it was renamed from
        else:
            changes[entry.path] = "modified"
    return changes


def path_state(rel: str, changes: Mapping[str, str], *, directory: bool, building: str | None = None) -> str:
    """``committed``, ``modified`` or ``untracked``: an archive as a file, a directory by every file under it.

    ``building`` is the directory of the project being built (relative to the top, ``"."`` at it). When
    a directory source holds it (prefect's integrations name the repository root,
    ``prefect = { path = "../../../" }``), the files under it do not count for that source: its build
    writes there while the state is read (``*.egg-info``, ``build/``, a version file, even a tracked
    one, or poetry-dynamic-versioning's edit of pyproject.toml), so what git reports there depends on
    timing; and the enclosing project does not ship them.  Otherwise a tree whose ``.gitignore`` does
    not name that output would give the source the path of the tree the build ran in, which for
    ``pip install git+...`` is a temporary clone, gone after the install.

    >>> changes = {"plugins/x/x.egg-info/PKG-INFO": "untracked", "plugins/x/x/__init__.py": "modified"}
    >>> path_state(".", {"plugins/x/build/x.py": "untracked"}, directory=True, building="plugins/x")
    'committed'
    >>> path_state(".", changes, directory=True, building="plugins/x")
    'committed'
    >>> path_state(".", {**changes, "core/a.py": "modified"}, directory=True, building="plugins/x")
    'modified'
    >>> path_state(".", {"plugins/x/build/x.py": "untracked"}, directory=True)
    'untracked'
    """
    found: set[str] = set()
    prefix = "" if rel == "." else rel + "/"
    own = None
    if directory and building is not None and building != rel and (rel == "." or building.startswith(prefix)):
        own = building + "/"  # the project being built lies inside this directory source
    for path, change in changes.items():
        if path.endswith("/") and (rel + "/").startswith(path):
            found.add("untracked")  # the file or directory lies in an untracked or ignored directory
        elif path == rel or (directory and path.startswith(prefix)):
            if change == "ignored" and path != rel and directory:
                continue  # build leftovers inside a directory source (caches, egg-info) are not the source
            if own is not None and path.startswith(own):
                continue  # the project inside this source, whose build writes there as it runs
            found.add("untracked" if change == "ignored" else change)
    if "modified" in found:
        return "modified"
    return "untracked" if found else "committed"


# -- uv's checkouts: the repository a cached clone was fetched from


def cache_remote_url(clone: Path) -> str | None:
    """The URL a cached clone (uv's ``git-v*/db/<hash>``) was fetched from, as its ``FETCH_HEAD`` says.

    uv fetches into that clone from the URL itself, without naming a remote, and git
    writes the URL (credentials removed, a trailing ``.git`` dropped) into ``FETCH_HEAD``.
    ``None`` when the file is absent or its lines disagree.
    """
    for git_dir in (clone / ".git", clone):
        text = _read_text(git_dir / "FETCH_HEAD")
        if text is not None:
            break
    else:
        return None
    urls: set[str] = set()
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not is_object_id(parts[0]):
            continue
        note = parts[2].strip()  # "branch 'main' of URL", "'refs/x' of URL", or the URL alone
        described, of, url = note.partition("' of ")
        urls.add(url if of and "'" in described else note)
    return _with_git_suffix(urls.pop()) if len(urls) == 1 else None


def _with_git_suffix(url: str) -> str:
    """git writes the URL into ``FETCH_HEAD`` without a trailing ``.git``; put it back on a local
    repository whose directory has it (git finds either, other tools need the real path)."""
    from urllib.parse import unquote, urlsplit

    local = unquote(urlsplit(url).path) if url.startswith("file://") else url if "://" not in url else None
    if local and not os.path.exists(local) and os.path.isdir(local + ".git"):
        return url + ".git"
    return url
