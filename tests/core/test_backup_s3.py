"""`shidian backup` / `shidian restore` with the files in S3 (STORAGE_BACKEND=s3, django-storages
as the settings configure it) against moto's S3 server: every table and every file come back,
byte for byte, into another bucket. The database is the suite's vendor, as in test_backup.py."""

from __future__ import annotations

import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.core.test_backup import VENDORS, Site

KEYS = {"S3_ACCESS_KEY_ID": "backup-test", "S3_SECRET_ACCESS_KEY": "backup-test-secret"}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """An S3 server of our own (moto, in a thread of this process; the sites reach it over
    HTTP from their own processes) and a client to look into its buckets."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    yield endpoint, client
    server.stop()


def _on_s3(site: Site, endpoint: str, client, bucket: str) -> Site:
    client.create_bucket(Bucket=bucket)
    site.env.update(
        {
            **KEYS,
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": REGION,
        }
    )
    return site


def _objects(client, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.mark.parametrize("vendor", VENDORS)
def test_round_trip_through_s3_restores_every_table_and_every_file(vendor, s3, tmp_path):
    endpoint, client = s3
    source = _on_s3(Site(tmp_path, vendor, "s3src"), endpoint, client, "backup-src")
    target = _on_s3(Site(tmp_path, vendor, "s3dst"), endpoint, client, "backup-dst")
    try:
        before = source.kit("populate")
        stored = _objects(client, "backup-src")
        # The files really are in the bucket (the digest reads them through the storage).
        assert before["files"] and set(before["files"]) == set(stored)
        assert any("单位名单" in name for name in stored)
        archive = tmp_path / "s3.tar.gz"
        made = source.cli("backup", str(archive))
        assert made.returncode == 0, made.stderr[-3000:]
        assert "Backup written" in made.stdout

        restored = target.cli("restore", str(archive))
        assert restored.returncode == 0, restored.stderr[-3000:]
        after = target.kit("digest")
        assert after["tables"] == before["tables"]
        assert after["files"] == before["files"]
        assert _objects(client, "backup-dst") == stored  # every object, byte for byte

        # A non-empty bucket is refused; --force empties it first and restores the same.
        refused = target.cli("restore", str(archive))
        assert refused.returncode == 1 and "the file storage holds files" in refused.stderr
        client.put_object(Bucket="backup-dst", Key="stray/extra.txt", Body=b"not in the backup")
        forced = target.cli("restore", "--force", str(archive))
        assert forced.returncode == 0, forced.stderr[-3000:]
        assert target.kit("digest") == before
        assert _objects(client, "backup-dst") == stored
    finally:
        source.drop()
        target.drop()
