"""Files handed to jobs and made by them (``Upload`` rows): an import's source and its error report.

A source holds personal data in clear, so it is sealed with AES-GCM (the ``cryptography``
library) under a key derived from the secret key before it reaches the database, and deleted
once its job succeeded. A file is read by its owner and by administrators only; to anyone else
it answers 404 like a file that does not exist. Expired files are removed by ``purge_expired``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, col, select

from models.jobs import Upload, UploadPurpose
from models.types import utcnow
from service.core.scope import Scope
from service.errors import NotFound
from service.jobs.context import JobError

KEEP_FOR = timedelta(days=7)
"""How long an upload or a report is kept at most (a source is deleted sooner, when its job succeeds)."""
_NONCE = 12


def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jejaring-uploads", info=b"upload-v1").derive(
        secret_key.encode()
    )


def seal(data: bytes, *, secret_key: str, upload_id: str) -> bytes:
    """``data`` encrypted and authenticated (bound to the upload's id): nonce + ciphertext."""
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(_key(secret_key)).encrypt(nonce, data, upload_id.encode())


def unseal(blob: bytes, *, secret_key: str, upload_id: str) -> bytes:
    try:
        return AESGCM(_key(secret_key)).decrypt(blob[:_NONCE], blob[_NONCE:], upload_id.encode())
    except InvalidTag:
        raise JobError(
            "The uploaded file can no longer be read (the service's secret key changed since); upload it again"
        ) from None


def store_file(
    session: Session,
    *,
    owner_user_id: int,
    purpose: UploadPurpose,
    filename: str,
    data: bytes,
    secret_key: str | None = None,
    meta: dict[str, Any] | None = None,
    job_id: str | None = None,
) -> Upload:
    """Keep ``data`` for a job (sealed when ``secret_key`` is given); the caller commits."""
    upload = Upload(
        owner_user_id=owner_user_id,
        purpose=purpose,
        filename=filename[:255],
        size=len(data),
        data=b"",
        meta=meta,
        job_id=job_id,
        expires_at=utcnow() + KEEP_FOR,
    )
    upload.encrypted = secret_key is not None
    upload.data = seal(data, secret_key=secret_key, upload_id=upload.id) if secret_key is not None else data
    session.add(upload)
    return upload


def get_file(session: Session, scope: Scope, upload_id: str, *, purpose: UploadPurpose | None = None) -> Upload:
    """An unexpired file of the caller's (administrators: anyone's); 404 otherwise."""
    stmt = select(Upload).where(col(Upload.id) == upload_id, col(Upload.expires_at) > utcnow())
    if purpose is not None:
        stmt = stmt.where(col(Upload.purpose) == purpose)
    if not scope.is_admin:
        stmt = stmt.where(col(Upload.owner_user_id) == scope.user_id)
    upload = session.exec(stmt).first()
    if upload is None:
        raise NotFound("No such file (files are kept for 7 days)")
    return upload


def file_bytes(upload: Upload, *, secret_key: str) -> bytes:
    return unseal(upload.data, secret_key=secret_key, upload_id=upload.id) if upload.encrypted else upload.data


def delete_file(session: Session, upload_id: str) -> None:
    session.connection().execute(sa.delete(Upload).where(col(Upload.id) == upload_id))


def purge_expired(session: Session) -> int:
    """Delete every expired file; returns how many went."""
    result = session.connection().execute(sa.delete(Upload).where(col(Upload.expires_at) <= utcnow()))
    session.commit()
    return int(result.rowcount)
