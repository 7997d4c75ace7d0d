"""Both stores keep files whole, refuse keys outside themselves, and delete by prefix."""

import boto3
import pytest
from moto import mock_aws

from kinema.service.storage import LocalStorage, S3Storage, StorageError, open_storage


def roundtrip(storage, tmp_path):
    source = tmp_path / "in.bin"
    source.write_bytes(b"video bytes" * 1000)
    storage.put_file("videos/v1/1/video.mp4", source, "video/mp4")
    storage.put_bytes("videos/v1/1/thumbnail.webp", b"thumb", "image/webp")
    storage.put_bytes("videos/v2/1/video.mp4", b"other", "video/mp4")
    assert storage.size("videos/v1/1/video.mp4") == 11000
    assert b"".join(storage.open_stream("videos/v1/1/video.mp4")) == source.read_bytes()
    assert storage.get_file("videos/v1/1/thumbnail.webp", tmp_path / "t.webp").read_bytes() == b"thumb"
    storage.delete_prefix("videos/v1")
    assert storage.size("videos/v1/1/video.mp4") is None and storage.size("videos/v1/1/thumbnail.webp") is None
    assert storage.size("videos/v2/1/video.mp4") == 5
    with pytest.raises(FileNotFoundError):
        storage.open_stream("videos/v1/1/video.mp4")


def test_local_storage(tmp_path):
    storage = LocalStorage(tmp_path / "store")
    roundtrip(storage, tmp_path)
    assert not [p for p in (tmp_path / "store").rglob("*.part")]  # no temporary files left


@pytest.mark.parametrize("key", ["/etc/passwd", "../outside", "a/../../b", ""])
def test_keys_cannot_escape_the_store(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put_bytes(key, b"x", "text/plain")


def test_s3_storage(tmp_path, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="kinema")
        storage = S3Storage("kinema", "prefix", client=client)
        roundtrip(storage, tmp_path)
        keys = [o["Key"] for o in client.list_objects_v2(Bucket="kinema")["Contents"]]
        assert keys == ["prefix/videos/v2/1/video.mp4"]
        assert isinstance(open_storage("s3://kinema/prefix?region=us-east-1"), S3Storage)


@pytest.mark.parametrize("url, words", [("s3://", "names no bucket"), ("s3://b/p?colour=red", "unknown option"), ("ftp://host/x", "not supported")])
def test_bad_storage_urls(url, words):
    with pytest.raises(StorageError, match=words):
        open_storage(url)


def test_folder_and_file_urls(tmp_path):
    assert open_storage(str(tmp_path / "a")).root == (tmp_path / "a").resolve()
    assert open_storage(f"file://{tmp_path / 'b'}").root == (tmp_path / "b").resolve()
