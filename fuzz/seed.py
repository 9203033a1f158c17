#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/seeds/<target>/ from the committed
vectors (docs/FUZZING.md). The committed corpus in fuzz/corpus/ is what `cargo fuzz cmin` kept of
these seeds and of the runs; re-run this only to start a corpus afresh."""
import base64, glob, hashlib, json, os, struct

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
DATA = os.path.join(REPO, "wallet-core", "tests", "data")
OUT = os.path.join(ROOT, "seeds")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def load(path):
    with open(path) as f:
        return json.load(f)


def walk(v):
    """Every (key, value) pair of a JSON value, recursively."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield k, x
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)


# bbs_decode: keys, signatures and proofs of both ciphersuites.
for suite in ("bls12-381-sha-256", "bls12-381-shake-256"):
    base = os.path.join(DATA, "bbs", suite)
    put("bbs_decode", bytes.fromhex(load(os.path.join(base, "keypair.json"))["keyPair"]["publicKey"]))
    for f in sorted(glob.glob(os.path.join(base, "signature", "*.json"))):
        put("bbs_decode", bytes.fromhex(load(f)["signature"]))
    for f in sorted(glob.glob(os.path.join(base, "proof", "*.json"))):
        put("bbs_decode", bytes.fromhex(load(f)["proof"]))

# Every JSON document of the Data Integrity vectors.
di_docs = []
for f in sorted(glob.glob(os.path.join(DATA, "di", "**", "*.json"), recursive=True)):
    try:
        di_docs.append((f, load(f)))
    except ValueError:
        pass

for f, doc in di_docs:
    for k, v in walk(doc):
        if k == "proofValue" and isinstance(v, str):
            # bbs2023_proof_value: selector + CBOR body, and the raw string.
            put("bbs2023_proof_value", v)
            if v.startswith("u"):
                raw = base64.urlsafe_b64decode(v[1:] + "=" * (-len(v[1:]) % 4))
                if raw[:2] == b"\xd9\x5d":
                    put("bbs2023_proof_value", bytes([raw[2] & 1]) + raw[3:])
        if k == "verificationMethod" and isinstance(v, str):
            put("did", v)
            if v.startswith("did:key:"):
                put("multikey", v.split("#")[-1])
    if isinstance(doc, list) and all(isinstance(p, str) and p.startswith("/") for p in doc):
        put("json_pointer", "\n".join(doc))
        for p in doc:
            put("json_pointer", p)
    if isinstance(doc, dict) and "@context" in doc:
        put("jsonld_rdfc", json.dumps(doc))

# multikey: the eddsa vector keys (public and secret).
kp = load(os.path.join(DATA, "di", "eddsa-rdfc-2022", "keyPair.json"))
put("multikey", kp["publicKeyMultibase"])
put("multikey", kp["privateKeyMultibase"])

# did: did:ethr forms, DID URLs.
addr = "b9c5714089478a327f09197987f16f9e5d936e8a"
for d in (
    f"did:ethr:0x{addr}",
    f"did:ethr:0x539:0x{addr}",
    f"did:ethr:sepolia:0x{addr.upper()}",
    f"did:ethr:0x539:0x{addr}#controller",
    f"did:ethr:0x539:0x{addr}#delegate-1",
    f"did:ethr:0x539:0x{addr}/path?query#frag",
    "did:ethr:0x539:0x02" + "ab" * 32,
    "did:ethr:mainnet:0xB9C5714089478a327F09197987f16f9E5d936E8a",
    # Public-key DIDs (the secp256k1 generator, compressed).
    "did:ethr:0x539:0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    "did:ethr:0x0379BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798#controllerKey",
):
    put("did", d)

# json_pointer extras.
for p in ("", "/", "/credentialSubject/sails/0/sailName", "/a~1b/~0c", "/credentialSubject/boards/1"):
    put("json_pointer", p)

# resolver_logs: a few shapes (flags, head, clock, count, then events).
put("resolver_logs", bytes([0, 3, 10, 1, 4]) + bytes([1, 2, 0, 0, 0, 2, 4, 2, 0, 0x20, 0xAA]))
put("resolver_logs", bytes([7, 3, 20, 1, 6]) + bytes(range(64)))
put("resolver_logs", bytes([1, 1, 5, 0, 3]) + bytes([2, 1, 0, 2, 0, 8]) + b"\x01" * 32)
put("resolver_logs", bytes([0, 0, 0, 0, 0]))


# vault_header: valid containers (KDF minimum and default), with and without the checksum.
def container(magic, mem, it, par, ct_len):
    h = magic + struct.pack(">HBIII", 1, 1, mem, it, par) + bytes(16) + bytes(16) + b"\x01" + bytes(12)
    h += struct.pack(">Q", ct_len)
    body = h + bytes(ct_len)
    return body


for i, magic in enumerate((b"SIEGELVT", b"SIEGELBK")):
    for mem, it, par in ((8192, 1, 1), (65536, 10, 1), (1048576, 4, 16)):
        body = container(magic, mem, it, par, 16 + 40)
        put("vault_header", bytes([i | 2]) + body)
        put("vault_header", bytes([i]) + body + hashlib.sha256(body).digest())
put("vault_header", b"\x00SIEGELVT")
