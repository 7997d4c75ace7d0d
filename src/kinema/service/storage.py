"""Where video files live: a local folder by default, S3-compatible object storage by URL.

Keys are relative paths such as `videos/<id>/1/video.mp4`. Both stores are written whole or not at
all: the local one writes a temporary file and renames it into place; S3 makes an object visible
only when its upload completes. The worker uploads from and downloads to local files, because
engines and PyAV work on paths.

    /srv/kinema/videos, file:///srv/kinema/videos   LocalStorage
    s3://bucket/prefix?endpoint_url=http://minio:9000&region=us-east-1   S3Storage (boto3; credentials
        from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / profile chain)
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import parse_qs, urlparse

CHUNK = 1024 * 1024


class StorageError(RuntimeError):
    pass


def check_key(key: str) -> str:
    """Keys are made by the service, but check anyway: no absolute paths, no `..`."""
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise StorageError(f"storage key {key!r} is not a relative path inside the store")
    return str(path)


class Storage(Protocol):
    def put_file(self, key: str, source: Path, content_type: str) -> None: ...
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def get_file(self, key: str, target: Path) -> Path: ...
    def open_stream(self, key: str) -> Iterator[bytes]: ...
    def size(self, key: str) -> int | None: ...
    def delete_prefix(self, prefix: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path):
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _write(self, key: str, writer) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            writer(temp)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        self._write(key, lambda temp: shutil.copyfile(source, temp))

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, lambda temp: temp.write_bytes(data))

    def get_file(self, key: str, target: Path) -> Path:
        shutil.copyfile(self._path(key), target)
        return target

    def open_stream(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        handle = path.open("rb")  # opened now, so a missing file fails before the response starts

        def chunks() -> Iterator[bytes]:
            with handle:
                while block := handle.read(CHUNK):
                    yield block

        return chunks()

    def local_path(self, key: str) -> Path:
        """The file behind a key (the API serves it with Range support)."""
        return self._path(key)

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None, client=None):
        if client is None:
            import boto3  # only S3 users need boto3 (the `s3` extra)

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(key), ExtraArgs={"ContentType": content_type})

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get_file(self, key: str, target: Path) -> Path:
        self.client.download_file(self.bucket, self._key(key), str(target))
        return target

    def open_stream(self, key: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        return body.iter_chunks(CHUNK)

    def size(self, key: str) -> int | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"]
        except self.client.exceptions.ClientError:
            return None

    def delete_prefix(self, prefix: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(prefix))
        for page in pages:
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


def open_storage(url: str) -> Storage:
    """A store from a folder path, a file:// URL or an s3:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StorageError(f"storage URL {url!r} names no bucket (s3://bucket/prefix)")
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        unknown = set(query) - {"endpoint_url", "region"}
        if unknown:
            raise StorageError(f"storage URL {url!r}: unknown option(s) {', '.join(sorted(unknown))}; allowed: endpoint_url, region")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=query.get("endpoint_url"), region=query.get("region"))
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # a one-letter scheme is a Windows drive
        raise StorageError(f"storage URL {url!r}: scheme {parsed.scheme!r} is not supported; use a folder, file:// or s3://")
    return LocalStorage(Path(url))
