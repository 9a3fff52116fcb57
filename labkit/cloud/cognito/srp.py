"""The server side of Cognito's USER_SRP_AUTH: SRP-6a over the 3072-bit group of RFC 5054, with Cognito's own key
derivation and password claim, as amazon-cognito-identity-js (AuthenticationHelper) and pycognito (aws_srp) compute
the client side.

    Challenges.start(pool_id, user_id, password, srp_a)   a PASSWORD_VERIFIER challenge: SALT, SRP_B, SECRET_BLOCK
    Challenges.finish(secret_block, user_id, timestamp, signature)   True when the claim proves the password;
                                                          a SECRET_BLOCK answers once, within CHALLENGE_SECONDS

The math, for the next engineer (hex strings are "padded": even length, and a leading 00 when the first digit
would read as a sign bit, which the clients hash):

    k = H(N | g)     x = H(salt | H(poolName | userId | ":" | password))     v = g^x     B = k·v + g^b
    u = H(A | B)     S = (A · v^u)^b     key = HKDF-SHA256(ikm=S, salt=u, info="Caldera Derived Key")[:16]
    PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP))

poolName is the pool id after its "_"; userId is the USER_ID_FOR_SRP the challenge named. The verifier is made from
the user's current password when the challenge starts, so after a password reset only the new password signs in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

# RFC 5054 appendix A, the 3072-bit group; generator 2.
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B"
    "302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE6"
    "49286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7D"
    "B3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2
INFO = b"Caldera Derived Key"
CHALLENGE_SECONDS = 180  # an app client's AuthSessionValidity: 3 minutes unless the client sets more
CLOCK_SKEW_SECONDS = 300  # the kit's own tolerance for TIMESTAMP (AWS's is not documented)
TIMESTAMP_FORMAT = "%a %b %d %H:%M:%S UTC %Y"  # "Mon Dec 7 09:40:49 UTC 2026": the day is not zero-padded


def pad_hex(value: int) -> str:
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex(pad_hex(N) + pad_hex(G))


def pool_name(pool_id: str) -> str:
    return pool_id.split("_", 1)[1] if "_" in pool_id else pool_id


def _x(salt: int, pool: str, user_id: str, password: str) -> int:
    inner = hashlib.sha256(f"{pool}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(pad_hex(salt) + inner)


def _key(S: int, u: int) -> bytes:
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def parse_timestamp(text: str) -> float | None:
    try:
        return datetime.strptime(text.strip(), TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


@dataclass
class _Pending:
    pool: str
    user_id: str
    key: bytes
    started: float
    context: object  # what the caller needs to finish the sign-in (moto's session)


class Challenges:
    """PASSWORD_VERIFIER challenges in flight, by SECRET_BLOCK; thread-safe."""

    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}

    def start(self, pool_id: str, user_id: str, password: str, srp_a: str, context: object = None) -> dict[str, str]:
        """SALT, SRP_B and SECRET_BLOCK for a client's SRP_A (ValueError if it is not a usable public value)."""
        try:
            A = int(srp_a, 16)
        except ValueError:
            raise ValueError("SRP_A must be a hexadecimal number") from None
        if A % N == 0:
            raise ValueError("SRP_A is not a valid public value")
        pool = pool_name(pool_id)
        salt = secrets.randbits(128) | 1 << 127
        v = pow(G, _x(salt, pool, user_id, password), N)
        while True:
            b = secrets.randbits(1024)
            B = (K * v + pow(G, b, N)) % N
            if B:
                break
        u = _hash_hex(pad_hex(A) + pad_hex(B))
        if u == 0:
            raise ValueError("SRP_A is not a valid public value")
        S = pow(A * pow(v, u, N) % N, b, N)
        secret_block = base64.b64encode(secrets.token_bytes(96)).decode()
        now = self._clock()
        with self._lock:
            self._pending = {k: p for k, p in self._pending.items() if now - p.started < CHALLENGE_SECONDS}
            self._pending[secret_block] = _Pending(pool, user_id, _key(S, u), now, context)
        return {"SALT": format(salt, "x"), "SRP_B": format(B, "x"), "SECRET_BLOCK": secret_block}

    def finish(self, secret_block: str, timestamp: str, signature: str) -> tuple[bool, object]:
        """(proven, context): whether the signature proves the password over this challenge. The challenge is
        spent either way; an unknown, spent or expired SECRET_BLOCK raises LookupError, an unreadable or stale
        TIMESTAMP ValueError."""
        with self._lock:
            pending = self._pending.pop(secret_block, None)
        now = self._clock()
        if pending is None or now - pending.started >= CHALLENGE_SECONDS:
            raise LookupError("no such challenge")
        stamp = parse_timestamp(timestamp)
        if stamp is None:
            raise ValueError("TIMESTAMP is not in the format 'Mon Dec 7 09:40:49 UTC 2026'")
        if abs(now - stamp) > CLOCK_SKEW_SECONDS:
            raise ValueError("TIMESTAMP is too far from the server's clock")
        try:
            block = base64.b64decode(secret_block)
            claimed = base64.b64decode(signature, validate=True)
        except ValueError:
            return False, pending.context
        message = pending.pool.encode() + pending.user_id.encode() + block + timestamp.encode()
        expected = hmac.new(pending.key, message, hashlib.sha256).digest()
        return hmac.compare_digest(expected, claimed), pending.context

    def user_of(self, secret_block: str) -> str | None:
        with self._lock:
            pending = self._pending.get(secret_block)
        return pending.user_id if pending else None
