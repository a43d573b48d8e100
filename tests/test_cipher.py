"""The one cipher: AES-256-GCM bound to a context, imported cheaply, readable as before.

Sealed bytes are ``nonce (12) + ciphertext + tag (16)``, exactly what the codec and the
keyring wrote before they shared :mod:`ssp_core.cipher`, so stores written then stay
readable. Another key, another context or one altered byte is a :class:`SealError`
that quotes nothing sealed. Importing the modules that seal does not load
``cryptography``'s OpenSSL bindings; making the first cipher does.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
import orjson
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core.cipher import (
    KEY_SIZE,
    NONCE_SIZE,
    TAG_SIZE,
    AesGcmCipher,
    Cipher,
    CipherFactory,
    new_key,
)
from ssp_core.domain.events import CaseOpened, NoteAdded
from ssp_core.domain.people import Subject
from ssp_core.exceptions import DataError, SealError
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.privacy.sealing import Keyring, new_data_key, seal, unseal
from ssp_core.privacy.vault import Identity, open_identity, seal_identity
from ssp_core.store.codec import EventCodec, codec
from ssp_core.store.records import IdentityRecord, KeyRecord
from tests.conftest import T0

KEY = bytes(range(32))
CONTEXT = b"ssp_core test\x1fC-1"
PLAIN = b'{"text": "Mor ringede om Jonas"}'
SUBJECT = Subject("9" * 32, dt.date(2010, 6, 15))

LIGHT_MODULES = (
    "ssp_core.cipher",
    "ssp_core.store.codec",
    "ssp_core.privacy.keys",
    "ssp_core.privacy.sealing",
    "ssp_core.privacy.vault",
)


def _fresh_python(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter importing this checkout; return what it prints (JSON)."""
    src = str(Path(ssp_core.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_importing_the_sealing_modules_does_not_load_the_openssl_bindings() -> None:
    code = f"""
import json, sys
modules = {LIGHT_MODULES!r}
for name in modules:
    __import__(name)
def hazmat():
    return sorted(m for m in sys.modules
                  if m == "cryptography.hazmat" or m.startswith("cryptography.hazmat."))
imported = [sys.modules[name].__file__ for name in modules]
before = hazmat()
from ssp_core.cipher import AesGcmCipher, new_key
AesGcmCipher(new_key())
print(json.dumps({{"imported": imported, "before": before, "after": hazmat()}}))
"""
    result = _fresh_python(code)
    src = Path(ssp_core.__file__).resolve().parent
    assert all(str(path).startswith(str(src)) for path in result["imported"])  # type: ignore[attr-defined]
    assert result["before"] == []
    assert "cryptography.hazmat.primitives.ciphers.aead" in result["after"]  # type: ignore[operator]


def test_a_round_trip_under_one_key_and_context() -> None:
    cipher: Cipher = AesGcmCipher(KEY)
    sealed = cipher.encrypt(PLAIN, CONTEXT)
    assert cipher.decrypt(sealed, CONTEXT) == PLAIN
    assert AesGcmCipher(KEY).decrypt(sealed, CONTEXT) == PLAIN  # a new cipher, the same key
    assert cipher.decrypt(cipher.encrypt(b"", b""), b"") == b""


def test_the_format_is_nonce_ciphertext_tag_with_a_new_nonce_each_time() -> None:
    cipher = AesGcmCipher(KEY)
    sealed = [cipher.encrypt(PLAIN, CONTEXT) for _ in range(20)]
    assert {len(s) for s in sealed} == {NONCE_SIZE + len(PLAIN) + TAG_SIZE}
    assert (NONCE_SIZE, TAG_SIZE, KEY_SIZE) == (12, 16, 32)
    assert len({s[:NONCE_SIZE] for s in sealed}) == 20
    for s in sealed:  # the rest is what cryptography's AESGCM makes with that nonce
        assert s[NONCE_SIZE:] == AESGCM(KEY).encrypt(s[:NONCE_SIZE], PLAIN, CONTEXT)
    assert len(new_key()) == KEY_SIZE
    assert new_key() != new_key()
    assert len(new_data_key()) == KEY_SIZE


def test_it_reads_what_cryptographys_aesgcm_wrote_and_the_other_way_round() -> None:
    nonce = os.urandom(12)
    old = nonce + AESGCM(KEY).encrypt(nonce, PLAIN, CONTEXT)
    assert AesGcmCipher(KEY).decrypt(old, CONTEXT) == PLAIN
    assert unseal(KEY, old, CONTEXT) == PLAIN
    new = AesGcmCipher(KEY).encrypt(PLAIN, CONTEXT)
    assert AESGCM(KEY).decrypt(new[:12], new[12:], CONTEXT) == PLAIN
    sealed = seal(KEY, PLAIN, CONTEXT)
    assert AESGCM(KEY).decrypt(sealed[:12], sealed[12:], CONTEXT) == PLAIN


def _quotes_nothing(error: BaseException, *secrets: bytes) -> None:
    message = str(error)
    for secret in filter(None, secrets):
        for form in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)):
            assert form not in message
        assert secret.decode("latin-1") not in message


def test_another_key_context_or_byte_is_a_seal_error_that_quotes_nothing() -> None:
    cipher = AesGcmCipher(KEY)
    sealed = cipher.encrypt(PLAIN, CONTEXT)
    attempts = [
        (AesGcmCipher(bytes(32)), sealed, CONTEXT),
        (cipher, sealed, CONTEXT + b"x"),
        (cipher, sealed, b""),
        (cipher, sealed[:-1], CONTEXT),
        (cipher, sealed[: NONCE_SIZE + TAG_SIZE - 1], CONTEXT),
        (cipher, b"", CONTEXT),
        (cipher, sealed + b"\x00", CONTEXT),
    ]
    for position in (0, NONCE_SIZE - 1, NONCE_SIZE, len(sealed) - TAG_SIZE, len(sealed) - 1):
        altered = bytearray(sealed)
        altered[position] ^= 0x01
        attempts.append((cipher, bytes(altered), CONTEXT))
    for opener, data, context in attempts:
        with pytest.raises(SealError, match="cannot be opened") as raised:
            opener.decrypt(data, context)
        _quotes_nothing(raised.value, PLAIN, KEY, data, CONTEXT)
        assert raised.value.__cause__ is None  # no InvalidTag (or data) chained to it
        assert raised.value.__context__ is None or raised.value.__suppress_context__


def test_a_key_of_another_size_is_refused_without_quoting_it() -> None:
    for key in (b"", bytes(16), bytes(24), bytes(31), bytes(33)):
        with pytest.raises(DataError, match=f"32 bytes, not {len(key)}"):
            AesGcmCipher(key)
    with pytest.raises(DataError, match="not str"):
        AesGcmCipher("k" * 32)  # type: ignore[arg-type]
    # Opening with a key of another size is a SealError, as it was before.
    with pytest.raises(SealError, match="municipal key"):
        unseal(bytes(16), seal(KEY, PLAIN, CONTEXT), CONTEXT)
    assert "hidden" in repr(AesGcmCipher(KEY))
    assert KEY.hex() not in repr(AesGcmCipher(KEY))


@given(plain=st.binary(max_size=512), context=st.binary(max_size=64), other=st.binary(max_size=64))
def test_any_bytes_round_trip_and_only_under_their_context(
    plain: bytes, context: bytes, other: bytes
) -> None:
    cipher = AesGcmCipher(KEY)
    sealed = cipher.encrypt(plain, context)
    assert len(sealed) == NONCE_SIZE + len(plain) + TAG_SIZE
    assert cipher.decrypt(sealed, context) == plain
    if other != context:
        with pytest.raises(SealError):
            cipher.decrypt(sealed, other)


# -- the codec, the keyring and the vault share it -----------------------------------------------


def _note(case_id: str = "C-1", version: int = 2) -> NoteAdded:
    return NoteAdded(
        case_id=case_id, version=version, at=T0, actor="anne", role="r", text="Mor ringede"
    )


def _opening(case_id: str = "C-1") -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        version=1,
        at=T0,
        actor="anne",
        role="r",
        workflow="w",
        workflow_version=1,
        state="start",
        subject=SUBJECT,
        reason="Bekymring fra skolen",
    )


def test_the_codec_reads_envelopes_sealed_the_old_way_and_writes_them_the_same() -> None:
    key = new_data_key()
    plain = codec.encode(_note())
    # An envelope as the codec wrote it before the cipher module: base64(nonce + AESGCM).
    data = orjson.loads(plain.data)
    secret = {"text": data.pop("text")}
    nonce = os.urandom(12)
    context = b"C-1\x1f2\x1fNoteAdded"
    blob = nonce + AESGCM(key).encrypt(nonce, orjson.dumps(secret), context)
    data["sealed"] = {"f": ["text"], "v": base64.b64encode(blob).decode()}
    old = attrs.evolve(plain, data=orjson.dumps(data).decode())
    assert codec.decode(old, key=key) == _note()
    # And what it writes now opens by hand, as the benchmark's raw baseline opens it.
    new = orjson.loads(codec.encode(_note(), key=key).data)
    assert new["sealed"]["f"] == ["text"]
    raw = base64.b64decode(new["sealed"]["v"])
    assert orjson.loads(AESGCM(key).decrypt(raw[:12], raw[12:], context)) == secret


def test_the_codec_seals_with_the_cipher_it_is_given_one_per_case() -> None:
    made: list[bytes] = []

    def counting(key: bytes) -> Cipher:
        made.append(key)
        return AesGcmCipher(key)

    factory: CipherFactory = counting
    counted = EventCodec(cipher=factory)
    key = new_data_key()
    rows = [counted.encode(_opening(), key=key), counted.encode(_note(), key=key)]
    assert made == [key, key]  # one per sealed event when encoding from a key
    made.clear()
    case = counted.replay(rows, key=key)
    assert made == [key]  # replay makes the case's cipher once
    assert case.events == (_opening(), _note())
    made.clear()
    cipher = AesGcmCipher(key)
    assert counted.decode(rows[1], key=cipher) == _note()
    assert counted.encode(_note(version=3), key=cipher).data != rows[1].data
    assert made == []
    # The default codec reads what this one wrote: the same cipher, the same format.
    assert codec.replay(rows, key=key).events == case.events
    with pytest.raises(SealError, match="event 2 of case C-1 cannot be opened") as raised:
        codec.decode(rows[1], key=new_data_key())
    _quotes_nothing(raised.value, b"Mor ringede", key)


def test_a_damaged_envelope_is_a_seal_error() -> None:
    key = new_data_key()
    data = orjson.loads(codec.encode(_note(), key=key).data)
    for damaged in ("not base64!", "", base64.b64encode(b"short").decode()):
        data["sealed"]["v"] = damaged
        row = attrs.evolve(codec.encode(_note()), data=orjson.dumps(data).decode())
        with pytest.raises(SealError, match="altered or moved"):
            codec.decode(row, key=key)


def test_keys_and_identities_wrapped_the_old_way_still_open() -> None:
    municipal = MunicipalKey.generate()
    keyring = Keyring(municipal, cache_size=0)
    wrapping = AESGCM(municipal.wrapping_key)
    data_key = new_data_key()
    nonce = os.urandom(12)
    wrapped = nonce + wrapping.encrypt(nonce, data_key, b"ssp_core case key\x1fC-1")
    record = KeyRecord(case_id="C-1", wrapped=wrapped, subject=None, created_at=T0)
    assert keyring.open_case_key(record) == data_key
    # A vault entry: its key wrapped, its identity sealed, both as before.
    vault_key = new_data_key()
    plain = orjson.dumps({"cpr": "1506114321", "name": "Jonas", "contact": None})
    n1, n2 = os.urandom(12), os.urandom(12)
    entry = IdentityRecord(
        pseudonym="p" * 32,
        wrapped=n1 + wrapping.encrypt(n1, vault_key, b"ssp_core vault key\x1f" + b"p" * 32),
        sealed=n2 + AESGCM(vault_key).encrypt(n2, plain, b"ssp_core identity\x1f" + b"p" * 32),
        created_at=T0,
    )
    assert open_identity(keyring, entry) == Identity("1506114321", "Jonas")
    # What the keyring wraps now opens by hand the old way.
    made, record = keyring.new_case_key("C-2", None, T0)
    ctx = b"ssp_core case key\x1fC-2"
    assert wrapping.decrypt(record.wrapped[:12], record.wrapped[12:], ctx) == made
    sealed = seal_identity(keyring, "q" * 32, Identity("1506114321"), T0)
    assert open_identity(keyring, sealed) == Identity("1506114321")


def test_another_municipal_key_gives_the_keyrings_message() -> None:
    keyring = Keyring(MunicipalKey.generate())
    _, record = keyring.new_case_key("C-1", None, T0)
    entry = seal_identity(keyring, "p" * 32, Identity("1506114321", "Jonas"), T0)
    other = Keyring(MunicipalKey.generate())
    for call in (lambda: other.open_case_key(record), lambda: open_identity(other, entry)):
        with pytest.raises(SealError, match="the municipal key is not the one") as raised:
            call()
        _quotes_nothing(raised.value, b"1506114321", b"Jonas")
    moved = KeyRecord(case_id="C-9", wrapped=record.wrapped, subject=None, created_at=T0)
    with pytest.raises(SealError, match="the municipal key is not the one"):
        keyring.open_case_key(moved)


def test_the_keyring_wraps_with_the_cipher_it_is_given() -> None:
    made: list[bytes] = []

    def counting(key: bytes) -> Cipher:
        made.append(key)
        return AesGcmCipher(key)

    municipal = MunicipalKey.generate()
    keyring = Keyring(municipal, cache_size=0, cipher=counting)
    records = [keyring.new_case_key(f"C-{n}", None, T0) for n in range(3)]
    for data_key, record in records:
        assert keyring.open_case_key(record) == data_key
    assert made == [municipal.wrapping_key]  # the wrapping key's cipher is made once
    assert keyring.cipher is counting
    entry = seal_identity(keyring, "p" * 32, Identity("1506114321"), T0)
    assert open_identity(keyring, entry) == Identity("1506114321")
    assert len(made) == 3  # and the vault seals and opens with it too
