#!/usr/bin/env bash
# Regenerates tests/data/openssl/: RFC 3161 responses produced by OpenSSL's `ts` command, an
# independent encoder, for interoperability tests. Throwaway keys; run from anywhere.
#
# Outputs: root.pem (P-384 CA), tsa.pem (P-256 TSA cert, critical EKU timeStamping),
# payload.bin (the "signature bytes" that were timestamped), and responses:
#   ess-v2-sha256.tsr   signer digest SHA-256, signing-certificate-v2 (ESSCertIDv2, SHA-256)
#   ess-v1-sha384.tsr   signer digest SHA-384, signing-certificate (ESSCertID, SHA-1)
#   imprint-sha512.tsr  SHA-512 message imprint, ordering TRUE, tsa name included
# Each response is also checked with `openssl ts -verify`.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/tests/data/openssl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"

cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

openssl ecparam -name secp384r1 -genkey -noout -out root.key
openssl req -new -x509 -key root.key -subj "/O=interop/CN=openssl-tsa-root" -days 3650 \
  -sha384 -extensions root -config <(cat /etc/ssl/openssl.cnf ext.cnf) -out root.pem
openssl ecparam -name prime256v1 -genkey -noout -out tsa.key
openssl req -new -key tsa.key -subj "/O=interop/CN=openssl-tsa" -out tsa.csr
openssl x509 -req -in tsa.csr -CA root.pem -CAkey root.key -CAcreateserial -days 3000 \
  -sha384 -extfile ext.cnf -extensions tsa -out tsa.pem

printf 'openssl interop: the bundle signature bytes' > payload.bin

make_cnf() { # $1 signer digest, $2 ess alg, $3 ordering
  cat > tsa.cnf <<CNF
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = .
serial = ./serial
crypto_device = builtin
signer_digest = $1
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
ordering = $3
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = $2
CNF
}

respond() { # $1 name, $2 imprint digest, $3 signer digest, $4 ess alg, $5 ordering
  echo 01 > serial
  make_cnf "$3" "$4" "$5"
  openssl ts -query -data payload.bin "-$2" -cert -out req.tsq
  openssl ts -reply -config tsa.cnf -queryfile req.tsq -inkey tsa.key -signer tsa.pem \
    -out "$1.tsr"
  openssl ts -verify -data payload.bin -in "$1.tsr" -CAfile root.pem -untrusted tsa.pem
  cp "$1.tsr" "$out/"
}

respond ess-v2-sha256 sha256 sha256 sha256 no
respond ess-v1-sha384 sha256 sha384 sha1 no
respond imprint-sha512 sha512 sha256 sha256 yes
cp root.pem tsa.pem payload.bin "$out/"
echo "wrote $out"
