#ifndef CLIBCRYPTO_H
#define CLIBCRYPTO_H
#include <stddef.h>
#include <stdint.h>

/// The four primitives apictl's own cryptography needs (the encrypted credential file,
/// PKCE, token fingerprints), from OpenSSL's libcrypto: the library libcurl and the client
/// certificate checks load in every process anyway, and the one Debian's security updates
/// patch. Each returns 0 on success and -1 on any failure; after a failure the output
/// buffers hold nothing to use (AES-GCM may have written some bytes before a tag check failed).
/// AES-GCM and scrypt use a library context of their own, which openssl.cnf does not
/// configure; SHA-256 and HMAC the low-level SHA-256, which involves no provider (libcrypto.c).

int apictl_sha256(const void *data, size_t length, unsigned char digest[32]);

int apictl_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length,
                       unsigned char mac[32]);

/// AES-256-GCM with a 96-bit nonce and a 128-bit tag; `ciphertext` holds `length` bytes.
int apictl_aes256gcm_seal(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *plaintext, size_t length,
                          unsigned char *ciphertext, unsigned char tag[16]);

/// -1 also when the tag does not match: nothing of `plaintext` may then be used.
int apictl_aes256gcm_open(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *ciphertext, size_t length,
                          const unsigned char tag[16], unsigned char *plaintext);

/// RFC 7914 scrypt; refuses parameters needing more than `max_memory` bytes.
int apictl_scrypt(const void *passphrase, size_t passphrase_length, const void *salt, size_t salt_length,
                  uint64_t n, uint64_t r, uint64_t p, uint64_t max_memory,
                  unsigned char *key, size_t key_length);

#endif
