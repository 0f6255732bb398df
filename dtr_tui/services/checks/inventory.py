"""Count the repositories and blobs a backend holds, to warn before the registry moves away.

The registry keeps everything under ``ROOT/docker/registry/v2``: a repository is a folder of
``repositories/`` that holds ``_manifests`` (what its catalog walk looks for), a blob is
``blobs/sha256/XX/HEX/data``. Counting reads only listings, is limited in time and count, and
says "at least N" when it stopped early. On object stores the listing of a repository's
``_layers``/``_manifests`` is skipped past with a start-after key, so one request covers many
repositories instead of one request per folder.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

from ...core.draft import StorageDraft
from ...core.errors import DtrError
from ...core.versions import RegistryVersion
from .errors import describe_unexpected
from .model import CheckContext, CheckFailed, Scrubber, sdk_timeout
from .runner import draft_secrets

LAYOUT = "docker/registry/v2"
DEFAULT_LIMIT = 100_000  # repositories (and blobs) past which counting stops: "at least"
_SHOWN = 5  # repository names quoted in a message
IN_MEMORY = "in-memory"


@dataclass(frozen=True)
class Inventory:
    """What one backend holds. `counted` is False when it could not be read at all; a count
    that stopped early (time or limit) is a lower bound ("at least")."""

    repositories: int
    blobs: int
    detail: str
    counted: bool = True
    where: str = ""
    names: tuple[str, ...] = ()
    seconds: float = 0.0
    repositories_complete: bool = True
    blobs_complete: bool = True
    absent: bool = False  # a filesystem root, read on this host (no container), is not there

    @property
    def complete(self) -> bool:
        return self.counted and self.repositories_complete and self.blobs_complete

    @property
    def amount(self) -> str:
        """`3 repositories and 12 blobs`; a count that stopped early says `at least`."""
        repos = "" if self.repositories_complete else "at least "
        blobs = "" if self.blobs_complete else "at least "
        return (
            f"{repos}{_plural(self.repositories, 'repository', 'repositories')} "
            f"and {blobs}{_plural(self.blobs, 'blob', 'blobs')}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "counted": self.counted,
            "complete": self.complete,
            "repositories": self.repositories,
            "blobs": self.blobs,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Vanishing:
    """The current backend's data against the new one's: what the registry would stop seeing."""

    current: Inventory
    new: Inventory
    missing: tuple[str, ...]  # repositories of the current backend not on the new one
    warning: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "warning": self.warning,
            "message": self.message,
            "current": self.current.to_dict(),
            "new": self.new.to_dict(),
            "missing_repositories": len(self.missing),
        }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- where a draft keeps its data ------------------------------------------------------------


def _root(raw: Any) -> str:
    """The key prefix as the registry's object-store drivers build it (trim right, then left)."""
    return (str(raw or "").rstrip("/") + "/" + LAYOUT).lstrip("/")


def location(draft: StorageDraft, version: RegistryVersion) -> tuple[Any, ...]:
    """What decides where the registry's data is: two drafts with the same location share data.

    Credentials, options (redirect, delete, cache) and tuning do not count; the in-memory
    driver never shares anything.
    """
    p: Mapping[str, Any] = draft.params
    driver = draft.driver
    if driver == "filesystem":
        root = str(p.get("rootdirectory") or "/var/lib/registry")
        return ("filesystem", os.path.normpath(root))
    if driver in ("s3", "s3aws"):
        from .s3 import S3Target

        t = S3Target.from_draft(draft, version)
        return (
            "s3",
            t.endpoint or t.region or "us-east-1",
            t.bucket,
            _root(p.get("rootdirectory")),
        )
    if driver == "swift":
        from .swift import SwiftTarget

        sw = SwiftTarget.from_draft(draft)
        account = sw.username.split(":", 1)[0] if ":" in sw.username else ""
        tenant = sw.os_options.get("tenant_name") or sw.os_options.get("tenant_id") or ""
        return ("swift", sw.authurl, account, tenant, sw.container, _swift_root(p))
    if driver == "azure":
        from .azure import AzureTarget

        az = AzureTarget.from_draft(draft, version)
        return ("azure", az.endpoint, az.container, _root(az.root))
    if driver == "gcs":
        return ("gcs", str(p.get("bucket") or ""), _root(p.get("rootdirectory")))
    return (driver, id(draft))  # inmemory: a new process starts empty


def same_location(a: StorageDraft, b: StorageDraft, version: RegistryVersion) -> bool:
    """True when both drafts keep the registry's data at one place; a draft too broken to
    locate (its checks say why) counts as another place."""
    try:
        return location(a, version) == location(b, version)
    except (TypeError, ValueError):
        return False


def _swift_root(p: Mapping[str, Any]) -> str:
    # The swift driver keeps files under PREFIX/files (and large-object segments beside it).
    return (str(p.get("prefix") or "") + "/files/" + LAYOUT).lstrip("/")


# -- listing ---------------------------------------------------------------------------------


class _Lister(Protocol):
    where: str

    def pages(self, prefix: str, after: Callable[[str], str]) -> Iterator[list[str]]:
        """Pages of full keys under `prefix`, in key order. Listers that can start a request
        after a given key ask `after(last key of the page)` where to go on from."""
        ...


class _Gone(Exception):
    """The bucket, container or folder does not exist: it holds nothing."""


def _repository_of(rel: str) -> tuple[str | None, int]:
    """(repository, index of its first `_` part) for a key relative to `repositories/`."""
    parts = rel.split("/")
    for i, part in enumerate(parts):
        if part.startswith("_"):
            return ("/".join(parts[:i]) if part == "_manifests" and i else None), i
    return None, -1


def _skip_after(prefix: str) -> Callable[[str], str]:
    """Where to go on after a key: past the whole `_layers`/`_manifests`/`_uploads` folder."""

    def after(key: str) -> str:
        rel = key[len(prefix) :]
        _repo, i = _repository_of(rel)
        if i < 0:
            return key
        # '0' sorts right after '/', so this skips every key of the folder and nothing else.
        return prefix + "/".join(rel.split("/")[: i + 1]) + "0"

    return after


@dataclass
class _Progress:
    """One count, written by its worker thread and read once by the caller; `closed` (set by
    the caller at its deadline) makes later pages from a slow thread change nothing."""

    count: int = 0
    pages: int = 0
    names: set[str] = field(default_factory=set)
    done: bool = False
    stopped: bool = False  # hit the limit
    error: BaseException | None = None
    gone: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_page(self, limit: int, *, names: set[str] | None = None, count: int = 0) -> bool:
        """Count one page in: new repository `names`, or `count` more blobs (unless closed);
        False once counting should stop."""
        with self.lock:
            if self.closed:
                return False
            self.pages += 1
            if names is not None:
                self.names |= names
                self.count = len(self.names)
            self.count += count
            if self.count >= limit:
                self.stopped = True
                return False
            return True

    def finish(self) -> None:
        with self.lock:
            self.done = not self.closed

    def close(self) -> _Progress:
        """Stop taking updates; return a copy that no thread changes any more."""
        with self.lock:
            self.closed = True
            return dataclasses.replace(self, names=set(self.names), lock=threading.Lock())


def _count_repositories(
    lister: _Lister, base: str, progress: _Progress, limit: int, stop: threading.Event
) -> None:
    prefix = f"{base}/repositories/"
    for page in lister.pages(prefix, _skip_after(prefix)):
        found = {r for r, _i in (_repository_of(k[len(prefix) :]) for k in page) if r}
        if not progress.take_page(limit, names=found) or stop.is_set():
            return
    progress.finish()


def _count_blobs(
    lister: _Lister, base: str, progress: _Progress, limit: int, stop: threading.Event
) -> None:
    prefix = f"{base}/blobs/sha256/"
    for page in lister.pages(prefix, lambda key: key):
        found = 0
        for key in page:
            parts = key[len(prefix) :].split("/")
            if len(parts) == 3 and len(parts[0]) == 2 and parts[2] in ("data", ""):
                found += 1
        if not progress.take_page(limit, count=found) or stop.is_set():
            return
    progress.finish()


class _FileLister:
    """The filesystem driver's tree, read with scandir; pruned like the registry's catalog.

    `host` turns a path as the registry sees it into the path read here (through its
    container's mounts); without it the registry runs on this host and paths are read as they
    are, a missing root being "does not exist on this host"."""

    def __init__(self, root: str, where: str, host: Callable[[str], str] | None = None) -> None:
        self.root = root
        self.where = where
        self.host = host
        self.gone = "does not exist on this host"

    def _path(self, inside: str) -> str:
        return self.host(inside) if self.host is not None else inside

    def pages(self, prefix: str, after: Callable[[str], str]) -> Iterator[list[str]]:
        top_inside = posixpath.join(self.root, prefix)
        if not _is_dir(self._path(top_inside)):
            # Through a mount, its source was seen readable (_filesystem_lister): a folder
            # missing in it is missing for the registry too.
            if self.host is None and not _exists(self.root):
                raise _Gone()
            return
        if prefix.endswith("blobs/sha256/"):
            for two in sorted(_dirs(self._path(top_inside))):
                inside = posixpath.join(top_inside, two)
                yield [f"{prefix}{two}/{name}/" for name in _dirs(self._path(inside))]
            return
        todo = [""]
        while todo:
            rel = todo.pop()
            page: list[str] = []
            for name in _dirs(self._path(posixpath.join(top_inside, rel))):
                if name.startswith("_"):
                    page.append(f"{prefix}{rel}{name}/")
                else:
                    todo.append(f"{rel}{name}/")
            if page:
                yield page

    def describe(self, err: BaseException) -> str:
        if isinstance(err, PermissionError):
            return (
                f"cannot read {err.filename or self.root}: permission denied; run dtr-tui as "
                "root or as a user who may read the registry's files"
            )
        return describe_unexpected(err)


def _is_dir(path: str) -> bool:
    """os.path.isdir, except that a folder that cannot be searched raises PermissionError
    instead of passing for missing (which would count as empty)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _dirs(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []


# -- a registry in a container: its filesystem root through the container's mounts ----------


@dataclass(frozen=True)
class RegistryContainer:
    """Where a containerised registry's files are: its mounts (`docker inspect` Mounts, and
    HostConfig.Tmpfs) and the engine that runs it (`engine`: the address dtr-tui reached it
    at, as DockerTarget.docker_host; "" for DOCKER_HOST, else the local socket)."""

    name: str
    mounts: tuple[Mapping[str, Any], ...] = ()
    engine: str = ""

    @classmethod
    def from_inspect(cls, attrs: Mapping[str, Any], engine: str = "") -> RegistryContainer:
        mounts: list[Mapping[str, Any]] = [dict(m) for m in attrs.get("Mounts") or []]
        for destination in (attrs.get("HostConfig") or {}).get("Tmpfs") or {}:
            mounts.append({"Type": "tmpfs", "Destination": destination, "Source": ""})
        name = str(attrs.get("Name") or "").lstrip("/") or str(attrs.get("Id") or "")[:12]
        return cls(name, tuple(mounts), engine)


def _remote_engine(engine: str) -> str:
    """The engine's address when it is reached over the network (ssh://, tcp://): the paths
    it names (bind sources, volume folders) are on its host, not this one. Empty when it runs
    here (a unix socket or named pipe)."""
    env = os.environ.get("DOCKER_HOST", "")
    url = engine or env
    if not url or url.startswith(
        ("unix:", "http+unix:", "npipe:", "http+docker://localhost", "http+docker://localnpipe")
    ):
        return ""
    if url.startswith("http+docker://ssh"):  # how the SDK names an ssh:// engine
        return env if env.startswith("ssh://") else "an engine reached over ssh"
    return url if not url.startswith("http+docker://") else env or url


def _mount_of(
    mounts: tuple[Mapping[str, Any], ...], inside: str
) -> tuple[Mapping[str, Any] | None, str]:
    """The mount that holds `inside` (the longest Destination that is it or a parent of it),
    and `inside` relative to that Destination."""
    target = PurePosixPath(inside)
    best: tuple[int, Mapping[str, Any], str] | None = None
    for mount in mounts:
        destination = PurePosixPath(str(mount.get("Destination") or ""))
        if not destination.is_absolute():
            continue
        if destination == target or destination in target.parents:
            depth = len(destination.parts)
            if best is None or depth > best[0]:
                best = (depth, mount, str(target.relative_to(destination)))
    return (best[1], best[2]) if best is not None else (None, "")


def _mount_words(mount: Mapping[str, Any]) -> str:
    kind = str(mount.get("Type") or "")
    if kind == "volume":
        return f"volume {mount.get('Name') or '(unnamed)'}"
    if kind == "bind":
        return f"host folder {mount.get('Source')}"
    return f"{kind or 'unknown'} mount"


def _through_mounts(container: RegistryContainer) -> Callable[[str], str]:
    """A path as the registry sees it -> the path to read here; CheckFailed (saying why and
    what to do) when it cannot be read from this host."""
    remote = _remote_engine(container.engine)
    seen: dict[str, str] = {}  # mount source -> "" (readable) or why not
    name = container.name

    def host(inside: str) -> str:
        mount, rel = _mount_of(container.mounts, inside)
        if mount is None:
            raise CheckFailed(
                f"the registry's data ({inside}) is inside the container {name}, not mounted "
                "from the host: it cannot be read from here, and it goes when the container is "
                "removed; look in the container (docker exec or docker cp) before switching"
            )
        kind, source = str(mount.get("Type") or ""), str(mount.get("Source") or "")
        where = _mount_words(mount)
        if kind not in ("bind", "volume") or not source:
            raise CheckFailed(
                f"the registry's data ({inside}) is on a {where} of container {name}, not on a "
                "disk of this host: it cannot be read from here; look in the container before "
                "switching"
            )
        if remote:
            if kind == "volume":
                said = f"in its container's {where} on another host ({remote})"
            else:
                said = f"in {source} on the Docker engine's host ({remote}), not on this one"
            raise CheckFailed(
                f"the registry's data is {said}: it cannot be counted from here; count "
                f"docker/registry/v2/repositories there before switching"
            )
        if source not in seen:
            seen[source] = _unreadable_source(source, where, mount, name)
        if seen[source]:
            raise CheckFailed(seen[source])
        return os.path.join(source, rel) if rel != "." else source

    return host


def _unreadable_source(source: str, where: str, mount: Mapping[str, Any], name: str) -> str:
    """Why a local mount source cannot be read ("" when it can)."""
    at = f"mounted at {mount.get('Destination')} in container {name}"
    try:
        if not stat.S_ISDIR(os.stat(source).st_mode):
            return f"{source} ({where}, {at}) is not a folder on this host"
        os.scandir(source).close()
    except (FileNotFoundError, NotADirectoryError):
        if mount.get("Type") == "volume":
            return (
                f"the registry's data is in its container's {where}, whose folder {source} is "
                f"not on this host (an engine in a VM, or dtr-tui in a container?): count it "
                "where the engine runs before switching"
            )
        return (
            f"the registry's data is in {source} ({at}), which is not on this host: count it "
            "where the engine runs before switching"
        )
    except PermissionError:
        return (
            f"cannot read {source} ({where}, {at}): permission denied; run dtr-tui as root or "
            "as a user who may read it"
        )
    return ""


def _registry_container(container: Any, timeout: float) -> RegistryContainer | str:
    """The container's mounts from what a caller has: a RegistryContainer, a DockerTarget (or
    anything with `mounts`, or with `container_id`: its engine is asked, within `timeout`), or
    the TUI's ContainerTarget (its `target` and `client`). A str says why there are none."""
    if isinstance(container, (RegistryContainer, str)):
        return container  # a str: why it is not known (asked once already)
    target = getattr(container, "target", None) or container
    client = getattr(container, "client", None)
    name = str(getattr(target, "name", "") or "")
    if getattr(target, "service_id", ""):
        return (
            f"the registry runs as the Swarm service {name}: its data is in the mounts of its "
            "tasks, on the nodes that run them; count it there before switching"
        )
    engine = str(getattr(target, "docker_host", "") or "")
    mounts = getattr(target, "mounts", None)
    if mounts is not None:
        return RegistryContainer(name, tuple(mounts), engine)
    container_id = str(getattr(target, "container_id", "") or "")
    if not container_id:
        raise TypeError(f"not a registry container: {type(container).__name__}")
    box: list[Any] = []

    def ask() -> None:
        try:
            from ..docker_target import docker_client, get_container

            box.append(get_container(client or docker_client(), container_id).attrs)
        except Exception as err:  # noqa: BLE001 - said as the reason it was not counted
            box.append(err)

    worker = threading.Thread(target=ask, name="inventory-inspect", daemon=True)
    worker.start()
    worker.join(timeout)
    if not box:
        return (
            f"the Docker engine did not say within {timeout:g} s which mounts container "
            f"{name} has, so where its data is on this host is not known"
        )
    if isinstance(box[0], BaseException):
        err = box[0]
        said = err.message if isinstance(err, DtrError) else describe_unexpected(err)
        return (
            f"could not ask the Docker engine which mounts container {name} has ({said}), so "
            "where its data is on this host is not known"
        )
    return RegistryContainer.from_inspect(box[0], engine)


def _filesystem_lister(
    root: str, container: RegistryContainer | str | None
) -> _FileLister | tuple[str, str]:
    """The lister of a filesystem root, read through the container's mounts when there is a
    container; (where, why) when it cannot be read from here."""
    if container is None:
        return _FileLister(root, f"filesystem {root}")
    inside = posixpath.normpath(posixpath.join("/", root))  # the registry's working dir is /
    if isinstance(container, str):
        return f"filesystem {inside} of the registry's container", container
    where = f"filesystem {inside} in container {container.name}"
    host = _through_mounts(container)
    try:
        host(posixpath.join(inside, LAYOUT))  # the mount that holds the data: readable?
    except CheckFailed as err:
        return where, err.detail
    layout = posixpath.join(inside, LAYOUT)
    mount, _rel = _mount_of(container.mounts, layout)
    assert mount is not None  # host() found it
    # the host path of the root, or of the layout when the mount starts below the root
    shown = host(inside if _mount_of(container.mounts, inside)[0] is mount else layout)
    detail = f"{_mount_words(mount)} at {shown}" if mount.get("Type") == "volume" else shown
    return _FileLister(inside, f"{where}, {detail} on this host", host)


class _S3Lister:
    def __init__(self, draft: StorageDraft, version: RegistryVersion, ctx: CheckContext) -> None:
        from .s3 import S3Session, S3Target

        self.target = S3Target.from_draft(draft, version)
        self.session = S3Session(self.target, ctx.timeout)
        self.ctx = ctx
        self.where = f"s3 bucket {self.target.bucket} at {self.target.where}"

    def pages(self, prefix: str, after: Callable[[str], str]) -> Iterator[list[str]]:
        from botocore.exceptions import ClientError

        client = self.session.client(self.ctx)
        start = ""
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.target.bucket, "Prefix": prefix}
            if start:
                kwargs["StartAfter"] = start
            try:
                answer = client.list_objects_v2(**kwargs)
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") == "NoSuchBucket":
                    raise _Gone() from None
                raise
            keys = [str(o["Key"]) for o in answer.get("Contents", [])]
            if keys:
                yield keys
            if not answer.get("IsTruncated") or not keys:
                return
            start = after(keys[-1])

    def describe(self, err: BaseException) -> str:
        from .s3 import s3_error

        return s3_error(err, self.target, "s3:ListBucket", self.target.bucket_arn).detail


class _SwiftLister:
    def __init__(self, draft: StorageDraft, ctx: CheckContext) -> None:
        from .swift import SwiftTarget

        self.target = SwiftTarget.from_draft(draft)
        self.ctx = ctx
        self.where = f"swift container {self.target.container} at {self.target.authurl}"
        self._lock = threading.Lock()
        self._auth: tuple[str, str] | None = None

    def _connection(self) -> Any:
        from swiftclient.client import Connection

        timeout = sdk_timeout(self.ctx.remaining)
        with self._lock:
            if self._auth is None:
                shared = self.target.connection(timeout, self.ctx.ca_bundle)
                shared.get_auth()
                self._auth = (shared.url, shared.token)
        url, token = self._auth
        # swiftclient connections are not thread-safe: one per listing, sharing the token.
        return Connection(
            preauthurl=url,
            preauthtoken=token,
            retries=0,
            timeout=timeout,
            insecure=self.target.insecure,
            cacert=self.ctx.ca_bundle,
        )

    def pages(self, prefix: str, after: Callable[[str], str]) -> Iterator[list[str]]:
        from swiftclient.exceptions import ClientException

        conn = self._connection()
        marker = ""
        while True:
            try:
                _headers, items = conn.get_container(
                    self.target.container, prefix=prefix, marker=marker
                )
            except ClientException as err:
                if err.http_status == 404:
                    raise _Gone() from None
                raise
            keys = [str(i["name"]) for i in items if "name" in i]
            if not keys:
                return
            yield keys
            marker = after(keys[-1])

    def describe(self, err: BaseException) -> str:
        from .swift import swift_error

        return swift_error(err, self.target, "listing").detail


class _AzureLister:
    def __init__(self, draft: StorageDraft, version: RegistryVersion, ctx: CheckContext) -> None:
        from .azure import AzureTarget

        self.target = AzureTarget.from_draft(draft, version)
        self.ctx = ctx
        self.where = f"azure container {self.target.container} at {self.target.endpoint}"

    def pages(self, prefix: str, after: Callable[[str], str]) -> Iterator[list[str]]:
        from azure.core.exceptions import ResourceNotFoundError

        service = self.target.service(sdk_timeout(self.ctx.remaining), self.ctx.ca_bundle)
        container = service.get_container_client(self.target.container)
        try:
            for page in container.list_blobs(name_starts_with=prefix).by_page():
                yield [str(b.name) for b in page]
        except ResourceNotFoundError:
            raise _Gone() from None

    def describe(self, err: BaseException) -> str:
        from .azure import azure_error

        return azure_error(err, self.target, "listing").detail


# -- counting --------------------------------------------------------------------------------


def count_registry_data(
    draft: StorageDraft,
    version: RegistryVersion,
    timeout: float = 5.0,
    *,
    limit: int = DEFAULT_LIMIT,
    ca_bundle: str | None = None,
    cancel: threading.Event | None = None,
    container: Any = None,
) -> Inventory:
    """How many repositories and blobs the registry would see on this draft's backend.

    Reads listings only, for at most `timeout` seconds and `limit` of each; stopping early
    gives a lower bound (`complete` False, "at least"). Never raises for a failing backend:
    `counted` is then False and `detail` says why, with no secret of the draft in it.

    `container`: the container the registry runs in (a RegistryContainer, a DockerTarget or
    the TUI's ContainerTarget), when it does. A filesystem root is then read through its
    mounts, never as a path of this host; a root this host cannot read (the container's own
    layer, a tmpfs, a remote engine, a volume folder not here) is "not counted", never empty.
    """
    began = time.monotonic()
    scrub = Scrubber(draft_secrets(draft))
    ctx = CheckContext(timeout=timeout, cancel=cancel or threading.Event(), ca_bundle=ca_bundle)
    try:
        if container is not None and draft.driver == "filesystem":
            container = _registry_container(container, timeout)
        found = _lister(draft, version, ctx, scrub, began, container)
    except Exception as err:  # noqa: BLE001 - a draft too broken to read: say so, never raise
        return _uncounted(draft.driver, scrub(describe_unexpected(err)), began)
    if isinstance(found, Inventory):
        return found
    lister, base = found
    return _count(lister, base, timeout, limit, ctx, scrub, began)


def _lister(
    draft: StorageDraft,
    version: RegistryVersion,
    ctx: CheckContext,
    scrub: Scrubber,
    began: float,
    container: RegistryContainer | str | None = None,
) -> tuple[Any, str] | Inventory:
    """The lister and layout root for the draft's driver, or the answer when none is read."""
    p = draft.params
    lister: Any
    if draft.driver == "filesystem":
        root = str(p.get("rootdirectory") or "/var/lib/registry")
        lister = _filesystem_lister(root, container)
        if isinstance(lister, tuple):
            return _uncounted(scrub(lister[0]), scrub(lister[1]), began)
        base = LAYOUT
    elif draft.driver in ("s3", "s3aws"):
        lister, base = _S3Lister(draft, version, ctx), _root(p.get("rootdirectory"))
    elif draft.driver == "swift":
        lister, base = _SwiftLister(draft, ctx), _swift_root(p)
    elif draft.driver == "azure":
        lister = _AzureLister(draft, version, ctx)
        if lister.target.credential_type != "shared_key":
            return _uncounted(
                scrub(lister.where), "only an account key (shared_key) is read", began
            )
        base = _root(lister.target.root)
    elif draft.driver == "inmemory":
        return Inventory(
            0,
            0,
            "in-memory storage starts empty at every registry start",
            where=IN_MEMORY,
            seconds=time.monotonic() - began,
        )
    else:
        return _uncounted(draft.driver, f"the {draft.driver} backend is not read here", began)
    return lister, base


def _count(
    lister: Any,
    base: str,
    timeout: float,
    limit: int,
    ctx: CheckContext,
    scrub: Scrubber,
    began: float,
) -> Inventory:
    """Both counts at once in threads, read at the deadline whatever they reached."""
    stop = threading.Event()
    repos, blobs = _Progress(), _Progress()
    jobs = ((_count_repositories, repos), (_count_blobs, blobs))
    threads = []
    for fn, progress in jobs:

        def work(fn: Any = fn, progress: _Progress = progress) -> None:
            try:
                fn(lister, base.rstrip("/"), progress, limit, stop)
            except _Gone:
                with progress.lock:
                    progress.gone, progress.done = True, not progress.closed
            except Exception as err:  # noqa: BLE001 - reported as "not counted"
                with progress.lock:
                    progress.error = None if progress.closed else err

        thread = threading.Thread(target=work, name="inventory", daemon=True)
        thread.start()
        threads.append(thread)
    deadline = began + timeout
    for thread in threads:
        while thread.is_alive() and time.monotonic() < deadline and not ctx.cancel.is_set():
            thread.join(min(0.02, max(0.0, deadline - time.monotonic())))
    stop.set()
    repos, blobs = repos.close(), blobs.close()
    seconds = time.monotonic() - began
    failed = repos.error or blobs.error
    if failed is not None:
        reason = _reason(lister, failed, timeout)
        return _uncounted(scrub(lister.where), scrub(reason), began)
    if repos.gone and blobs.gone:
        return Inventory(
            0,
            0,
            getattr(lister, "gone", "does not exist yet: holds nothing"),
            where=scrub(lister.where),
            seconds=seconds,
            absent=isinstance(lister, _FileLister),
        )
    complete = repos.done and blobs.done
    if not complete and not repos.pages and not blobs.pages:
        return _uncounted(scrub(lister.where), f"no answer within {timeout:g} s", began)
    names = tuple(sorted(repos.names))
    inventory = Inventory(
        repos.count,
        blobs.count,
        "",
        where=scrub(lister.where),
        names=names,
        seconds=seconds,
        repositories_complete=repos.done,
        blobs_complete=blobs.done,
    )
    why = ""
    if not complete:
        why = (
            f"; counting stopped at {limit}"
            if repos.stopped or blobs.stopped
            else f"; counting stopped after {timeout:g} s"
        )
    shown = ", ".join(names[:_SHOWN]) + (", …" if len(names) > _SHOWN else "")
    detail = f"{inventory.amount}" + (f" ({shown})" if shown else "") + why
    return dataclasses.replace(inventory, detail=scrub(detail))


def _reason(lister: Any, err: BaseException, timeout: float) -> str:
    if isinstance(err, CheckFailed):
        return err.detail
    try:
        text = str(lister.describe(err))
    except Exception:  # noqa: BLE001 - the describer must not hide the first error
        text = f"{type(err).__name__}"
    if "in time" in text:
        text = text.replace("in time", f"within {timeout:g} s")
    return text


def _uncounted(where: str, why: str, began: float) -> Inventory:
    return Inventory(
        0,
        0,
        f"not counted: {why}",
        counted=False,
        where=where,
        seconds=time.monotonic() - began,
    )


def vanishing(
    current: StorageDraft,
    new: StorageDraft,
    version: RegistryVersion,
    *,
    timeout: float = 5.0,
    ca_bundle: str | None = None,
    cancel: threading.Event | None = None,
    container: Any = None,
) -> Vanishing | None:
    """What the registry stops seeing when its storage moves from `current` to `new`.

    None when both keep their data at the same place (same driver and location; other keys
    such as credentials may differ). Both backends are counted at once, within `timeout`.
    `container`: the registry's container when it runs in one (see count_registry_data);
    filesystem roots of both drafts are then read through its mounts.
    """
    if same_location(current, new, version):
        return None
    began = time.monotonic()
    if container is not None and "filesystem" in (current.driver, new.driver):
        try:
            container = _registry_container(container, timeout)  # asked once, for both
        except TypeError as err:
            container = describe_unexpected(err)
        timeout = max(0.05, timeout - (time.monotonic() - began))
    found: dict[str, Inventory] = {}

    def count(which: str, draft: StorageDraft) -> None:
        found[which] = count_registry_data(
            draft, version, timeout, ca_bundle=ca_bundle, cancel=cancel, container=container
        )

    worker = threading.Thread(target=count, args=("new", new), daemon=True)
    worker.start()
    count("current", current)
    worker.join(timeout + 0.5)
    now = found.get("current")
    then = found.get("new") or _uncounted(
        "the new backend", f"no answer within {timeout:g} s", time.monotonic()
    )
    assert now is not None
    return compare(now, then)


def compare(current: Inventory, new: Inventory) -> Vanishing:
    """The message for a move from `current` to `new` (separate from counting, for tests)."""
    if current.where == IN_MEMORY:
        return Vanishing(
            current,
            new,
            (),
            True,
            "the current backend is in-memory: whatever the running registry holds is lost "
            "when it restarts, whichever backend comes next",
        )
    if not current.counted:
        return Vanishing(
            current,
            new,
            (),
            True,
            f"could not count what the current backend ({current.where}) holds "
            f"({current.detail.removeprefix('not counted: ')}): whatever it holds will not be "
            "visible to the registry on the new backend",
        )
    if current.absent:
        return Vanishing(
            current,
            new,
            (),
            False,
            f"the current backend ({current.where}) does not exist on this host, so no "
            "repositories there vanish from the registry's view (a registry in a container "
            "keeps its data in the container's mounts: name the container to count them)",
        )
    if current.repositories == 0 and current.blobs == 0 and current.complete:
        return Vanishing(
            current,
            new,
            (),
            False,
            f"the current backend ({current.where}) holds no repositories: nothing vanishes "
            "from the registry's view",
        )
    missing: tuple[str, ...] = ()
    if new.counted:
        have = set(new.names)
        missing = tuple(n for n in current.names if n not in have)
    if new.counted and new.complete and current.complete and not missing:
        return Vanishing(
            current,
            new,
            (),
            False,
            f"the new backend already holds all {current.repositories} repositories of the "
            f"current one ({new.amount} in all)",
        )
    if new.counted:
        at_least = "" if new.complete else "at least "
        holds = f"{at_least}{new.repositories}"
        if new.repositories and missing:
            shown = ", ".join(missing[:_SHOWN]) + (", …" if len(missing) > _SHOWN else "")
            holds += f" ({len(missing)} of the current ones are not there: {shown})"
    else:
        holds = f"an unknown number ({new.detail})"
    return Vanishing(
        current,
        new,
        missing,
        True,
        f"the current backend ({current.where}) holds {current.amount}; the new one "
        f"({new.where}) holds {holds}: the registry will not see them",
    )


__all__ = [
    "Inventory",
    "RegistryContainer",
    "Vanishing",
    "compare",
    "count_registry_data",
    "location",
    "same_location",
    "vanishing",
]
