"""Push a small random image through the registry's HTTP API, with the standard library only.

A storage config is proven to work only when the registry can write and read blobs through it.
This does what ``docker push`` does (monolithic and chunked blob uploads, a schema2 manifest) and
reads everything back, following redirects to the backend (S3 presigned URLs, Swift TempURLs),
so no docker CLI is needed.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import os
import ssl
import tarfile
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


class Response:
    def __init__(self, url: str, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body

    def describe(self) -> str:
        text = self.body[:2000].decode(errors="replace")
        return f"HTTP {self.status} from {self.url}\nheaders: {dict(self.headers)}\nbody: {text}"


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    follow: bool = True,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Response:
    """One HTTP request; redirects (301/302/303/307/308) are followed keeping the method."""
    for _ in range(10):
        parts = urllib.parse.urlsplit(url)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.netloc, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(parts.netloc, timeout=timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            conn.request(method, target, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        result = Response(url, resp.status, resp.headers, data)
        location = resp.headers.get("Location")
        if follow and resp.status in (301, 302, 303, 307, 308) and location:
            url = urllib.parse.urljoin(url, location)
            if resp.status == 303:
                method, body = "GET", None
            # Credentials for the registry must not go to the storage backend.
            headers = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
            continue
        return result
    raise AssertionError(f"too many redirects for {method} {url}")


def expect(resp: Response, *statuses: int, what: str) -> Response:
    if resp.status not in statuses:
        raise AssertionError(f"{what}: expected HTTP {statuses}, got\n{resp.describe()}")
    return resp


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _with_digest(location: str, digest: str) -> str:
    sep = "&" if "?" in location else "?"
    return f"{location}{sep}digest={urllib.parse.quote(digest)}"


def _random_layer() -> tuple[bytes, bytes]:
    """A gzipped tar holding one file of random bytes; returns (gzipped, uncompressed tar)."""
    payload = os.urandom(4096)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("dtr-tui-test/random.bin")
        info.size = len(payload)
        info.mtime = int(time.time())
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), tar_bytes


def _upload_monolithic(base: str, repo: str, data: bytes, ctx: ssl.SSLContext | None) -> str:
    digest = digest_of(data)
    start = expect(
        request("POST", f"{base}/v2/{repo}/blobs/uploads/", b"", context=ctx),
        202,
        what=f"start upload to {repo}",
    )
    location = urllib.parse.urljoin(base + "/", start.headers["Location"])
    expect(
        request(
            "PUT",
            _with_digest(location, digest),
            data,
            {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))},
            context=ctx,
        ),
        201,
        what=f"monolithic PUT of {digest}",
    )
    return digest


def _upload_chunked(base: str, repo: str, data: bytes, ctx: ssl.SSLContext | None) -> str:
    digest = digest_of(data)
    resp = expect(
        request("POST", f"{base}/v2/{repo}/blobs/uploads/", b"", context=ctx),
        202,
        what=f"start chunked upload to {repo}",
    )
    location = urllib.parse.urljoin(base + "/", resp.headers["Location"])
    half = len(data) // 2
    for start, chunk in ((0, data[:half]), (half, data[half:])):
        end = start + len(chunk) - 1
        resp = expect(
            request(
                "PATCH",
                location,
                chunk,
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{start}-{end}",
                    "Content-Length": str(len(chunk)),
                },
                context=ctx,
            ),
            202,
            what=f"PATCH bytes {start}-{end}",
        )
        location = urllib.parse.urljoin(base + "/", resp.headers["Location"])
        got = resp.headers.get("Range")
        if got != f"0-{end}":
            raise AssertionError(f"after PATCH expected Range 0-{end}, got {got!r}")
    expect(
        request("PUT", _with_digest(location, digest), b"", {"Content-Length": "0"}, context=ctx),
        201,
        what=f"final PUT of chunked {digest}",
    )
    return digest


def _check_blob(base: str, repo: str, data: bytes, ctx: ssl.SSLContext | None) -> None:
    digest = digest_of(data)
    url = f"{base}/v2/{repo}/blobs/{digest}"
    head = expect(request("HEAD", url, context=ctx), 200, what=f"HEAD {digest}")
    length = head.headers.get("Content-Length")
    if length is not None and int(length) != len(data):
        raise AssertionError(f"HEAD {digest}: Content-Length {length}, expected {len(data)}")
    got = expect(request("GET", url, context=ctx), 200, what=f"GET {digest}")
    if got.body != data:
        raise AssertionError(
            f"GET {digest} (final URL {got.url}) returned {len(got.body)} bytes that differ"
        )


def push_test_image(
    base_url: str,
    repo: str = "dtr-tui/test",
    tag: str = "latest",
    *,
    context: ssl.SSLContext | None = None,
) -> dict[str, Any]:
    """Push a random config blob + layer + schema2 manifest to ``base_url`` and read them back.

    ``context`` verifies every https URL on the way: the registry's and the backend's that blob
    reads are redirected to (pass one that trusts the backend's test CA).

    Returns ``repo``, ``tag``, ``config_digest``, ``layer_digest``, ``manifest_digest``,
    ``layer_size``, ``config_size``, ``seconds``. Raises AssertionError with the response body
    on any unexpected status.
    """
    began = time.monotonic()
    base = base_url.rstrip("/")
    expect(request("GET", base + "/v2/", context=context), 200, what="GET /v2/")

    layer, layer_tar = _random_layer()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"dtr-tui.test": "true"}},
            "rootfs": {"type": "layers", "diff_ids": [digest_of(layer_tar)]},
            "history": [{"created_by": "dtr-tui tests/support/push.py"}],
        },
        sort_keys=True,
    ).encode()

    config_digest = _upload_monolithic(base, repo, config, context)
    layer_digest = _upload_chunked(base, repo, layer, context)
    for blob in (config, layer):
        _check_blob(base, repo, blob, context)

    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_V2,
            "config": {"mediaType": CONFIG_V1, "size": len(config), "digest": config_digest},
            "layers": [{"mediaType": LAYER_GZIP, "size": len(layer), "digest": layer_digest}],
        },
        indent=3,
    ).encode()
    put = expect(
        request(
            "PUT",
            f"{base}/v2/{repo}/manifests/{tag}",
            manifest,
            {"Content-Type": MANIFEST_V2},
            context=context,
        ),
        201,
        what=f"PUT manifest {repo}:{tag}",
    )
    manifest_digest = digest_of(manifest)
    if put.headers.get("Docker-Content-Digest") != manifest_digest:
        raise AssertionError(
            f"manifest digest {put.headers.get('Docker-Content-Digest')} != {manifest_digest}"
        )
    got = expect(
        request(
            "GET",
            f"{base}/v2/{repo}/manifests/{tag}",
            headers={"Accept": MANIFEST_V2},
            context=context,
        ),
        200,
        what=f"GET manifest {repo}:{tag}",
    )
    if got.body != manifest:
        raise AssertionError(f"GET manifest {repo}:{tag} returned other bytes:\n{got.describe()}")

    catalog = expect(request("GET", f"{base}/v2/_catalog", context=context), 200, what="catalog")
    if repo not in json.loads(catalog.body).get("repositories", []):
        raise AssertionError(f"{repo} missing from the catalog:\n{catalog.describe()}")
    tags = expect(request("GET", f"{base}/v2/{repo}/tags/list", context=context), 200, what="tags")
    if tag not in (json.loads(tags.body).get("tags") or []):
        raise AssertionError(f"{tag} missing from the tags of {repo}:\n{tags.describe()}")

    return {
        "repo": repo,
        "tag": tag,
        "config_digest": config_digest,
        "layer_digest": layer_digest,
        "manifest_digest": manifest_digest,
        "config_size": len(config),
        "layer_size": len(layer),
        "seconds": time.monotonic() - began,
    }


def blob_data_path(digest: str) -> str:
    """Where the registry keeps a blob under its storage root: ``docker/registry/v2/blobs/...``."""
    hexpart = digest.split(":", 1)[1]
    return f"docker/registry/v2/blobs/sha256/{hexpart[:2]}/{hexpart}/data"
