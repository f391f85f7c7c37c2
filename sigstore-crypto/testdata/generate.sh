#!/usr/bin/env bash
# Regenerates the signature test vectors in this folder with OpenSSL (an implementation
# independent of both of our backends). Run from this folder: bash generate.sh
# Each vector NAME has NAME.pub.pem (SubjectPublicKeyInfo), NAME.sig (signature over msg.txt)
# and a line in vectors.txt: NAME SCHEME HASH.
set -euo pipefail
printf 'sigstore-crypto test message\n' > msg.txt
: > vectors.txt
gen() { # name, genpkey args, dgst args, scheme, hash
  local name=$1 scheme=$4 hash=$5
  openssl genpkey $2 -out "$name.key.pem" 2>/dev/null
  openssl pkey -in "$name.key.pem" -pubout -out "$name.pub.pem"
  # shellcheck disable=SC2086
  openssl pkeyutl -sign -inkey "$name.key.pem" $3 -in msg.txt -rawin -out "$name.sig" 2>/dev/null \
    || openssl dgst $3 -sign "$name.key.pem" -out "$name.sig" msg.txt
  echo "$name $scheme $hash" >> vectors.txt
}
gen p256_sha256 "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" "-digest sha256" ecdsa sha256
gen p256_sha384 "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" "-digest sha384" ecdsa sha384
gen p384_sha384 "-algorithm EC -pkeyopt ec_paramgen_curve:P-384" "-digest sha384" ecdsa sha384
gen p384_sha256 "-algorithm EC -pkeyopt ec_paramgen_curve:P-384" "-digest sha256" ecdsa sha256
gen p521_sha512 "-algorithm EC -pkeyopt ec_paramgen_curve:P-521" "-digest sha512" ecdsa sha512
gen ed25519 "-algorithm ED25519" "" ed25519 none
gen rsa2048_pkcs1_sha256 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "-digest sha256 -pkeyopt rsa_padding_mode:pkcs1" rsa-pkcs1 sha256
gen rsa3072_pkcs1_sha384 "-algorithm RSA -pkeyopt rsa_keygen_bits:3072" "-digest sha384 -pkeyopt rsa_padding_mode:pkcs1" rsa-pkcs1 sha384
gen rsa4096_pkcs1_sha512 "-algorithm RSA -pkeyopt rsa_keygen_bits:4096" "-digest sha512 -pkeyopt rsa_padding_mode:pkcs1" rsa-pkcs1 sha512
gen rsa2048_pss_sha256 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "-digest sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest" rsa-pss sha256
gen rsa3072_pss_sha256 "-algorithm RSA -pkeyopt rsa_keygen_bits:3072" "-digest sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest" rsa-pss sha256
# Keys outside what we accept.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 2>/dev/null | openssl pkey -pubout -out rsa1024.pub.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 2>/dev/null | openssl pkey -pubout -out secp256k1.pub.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout -ec_conv_form compressed -out p256_compressed.pub.pem
# A PKCS#8 private key for the signer tests; the *.key.pem of the vectors are not kept.
cp p256_sha256.key.pem signer_p256.key.pem
rm -f ./*_sha*.key.pem ./ed25519.key.pem ./rsa*.key.pem
