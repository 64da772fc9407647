#include "CLibCrypto.h"

#define OPENSSL_SUPPRESS_DEPRECATED   // SHA256_Init and friends: see apictl_sha256
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

/// A library context of apictl's own, which openssl.cnf does not configure: the system's
/// configuration is for TLS (libcurl uses the default context), and one that limits the
/// default properties (`fips=yes`) or the providers would otherwise take scrypt away and
/// leave the credential file unopenable. The default provider loads on the first fetch.
/// libcrypto's one-time global set-up still reads the file (OPENSSL_CONF) on first use,
/// as it does for libcurl's TLS in every command that connects: a configuration that
/// blocks when read blocks these commands too.
static OSSL_LIB_CTX *own_context;
static pthread_once_t own_context_once = PTHREAD_ONCE_INIT;
static void make_own_context(void) { own_context = OSSL_LIB_CTX_new(); }

static OSSL_LIB_CTX *context(void) {
    pthread_once(&own_context_once, make_own_context);
    return own_context;
}

/// AES-256-GCM from the default context when it offers it: an https request's TLS has
/// fetched its ciphers there already (building a context's cipher table costs about 2.4 M
/// instructions, 1.5 ms here), and any provider's AES-GCM writes the same bytes. From
/// apictl's own context when the configuration leaves the default without it.
static EVP_CIPHER *aes_256_gcm(void) {
    ERR_set_mark();
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    ERR_pop_to_mark();
    if (cipher == NULL && context() != NULL) cipher = EVP_CIPHER_fetch(context(), "AES-256-GCM", NULL);
    return cipher;
}

/// SHA-256 runs for every request with a stored key (the audit record's fingerprint), and
/// OpenSSL 3's first fetch of any EVP algorithm costs about 3 M instructions (~0.7 ms,
/// callgrind): its low-level functions, deprecated in 3.0 but kept, compute the same digest
/// with no provider, and so no configuration, involved.
int apictl_sha256(const void *data, size_t length, unsigned char digest[32]) {
    SHA256_CTX state;
    int ok = SHA256_Init(&state) == 1 && SHA256_Update(&state, data, length) == 1 && SHA256_Final(digest, &state) == 1;
    OPENSSL_cleanse(&state, sizeof state);
    return ok ? 0 : -1;
}

/// RFC 2104 over the same low-level SHA-256, for the same reason: the credential file's key
/// check runs on every request that opens the file, and EVP_Q_mac's fetch of the MAC and
/// its digest cost 3.2 M instructions there. RFC 4231's vectors check it (LibCryptoTests).
int apictl_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length,
                       unsigned char mac[32]) {
    unsigned char block[64] = {0}, pad[64], inner[32];
    SHA256_CTX state;
    int ok = 1;
    if (key_length > sizeof block) ok = apictl_sha256(key, key_length, block) == 0;   // a long key is hashed first
    else if (key_length > 0) memcpy(block, key, key_length);
    for (size_t i = 0; i < sizeof pad; i++) pad[i] = block[i] ^ 0x36;
    ok = ok && SHA256_Init(&state) == 1 && SHA256_Update(&state, pad, sizeof pad) == 1
        && SHA256_Update(&state, data, length) == 1 && SHA256_Final(inner, &state) == 1;
    for (size_t i = 0; i < sizeof pad; i++) pad[i] = block[i] ^ 0x5c;
    ok = ok && SHA256_Init(&state) == 1 && SHA256_Update(&state, pad, sizeof pad) == 1
        && SHA256_Update(&state, inner, sizeof inner) == 1 && SHA256_Final(mac, &state) == 1;
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&state, sizeof state);
    return ok ? 0 : -1;
}

/// EVP takes lengths as int; the empty update is skipped, as its pointer may be NULL.
static int gcm_update(EVP_CIPHER_CTX *state, int encrypt, unsigned char *out, const void *in, size_t length) {
    int written = 0;
    if (length == 0) return 1;
    if (length > INT_MAX) return 0;
    return encrypt ? EVP_EncryptUpdate(state, out, &written, in, (int)length)
                   : EVP_DecryptUpdate(state, out, &written, in, (int)length);
}

int apictl_aes256gcm_seal(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *plaintext, size_t length,
                          unsigned char *ciphertext, unsigned char tag[16]) {
    EVP_CIPHER *cipher = aes_256_gcm();
    EVP_CIPHER_CTX *state = EVP_CIPHER_CTX_new();
    unsigned char last[16];
    int written = 0;
    int ok = cipher != NULL && state != NULL
        && EVP_EncryptInit_ex2(state, cipher, key, nonce, NULL) == 1   // GCM's default IV is 12 bytes
        && gcm_update(state, 1, NULL, aad, aad_length)
        && gcm_update(state, 1, ciphertext, plaintext, length)
        && EVP_EncryptFinal_ex(state, last, &written) == 1 && written == 0
        && EVP_CIPHER_CTX_ctrl(state, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(state);
    EVP_CIPHER_free(cipher);
    return ok ? 0 : -1;
}

int apictl_aes256gcm_open(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *ciphertext, size_t length,
                          const unsigned char tag[16], unsigned char *plaintext) {
    EVP_CIPHER *cipher = aes_256_gcm();
    EVP_CIPHER_CTX *state = EVP_CIPHER_CTX_new();
    unsigned char expected[16], last[16];
    int written = 0;
    for (int i = 0; i < 16; i++) expected[i] = tag[i];
    int ok = cipher != NULL && state != NULL
        && EVP_DecryptInit_ex2(state, cipher, key, nonce, NULL) == 1
        && gcm_update(state, 0, NULL, aad, aad_length)
        && gcm_update(state, 0, plaintext, ciphertext, length)
        && EVP_CIPHER_CTX_ctrl(state, EVP_CTRL_GCM_SET_TAG, 16, expected) == 1
        && EVP_DecryptFinal_ex(state, last, &written) == 1 && written == 0;
    EVP_CIPHER_CTX_free(state);
    EVP_CIPHER_free(cipher);
    return ok ? 0 : -1;
}

int apictl_scrypt(const void *passphrase, size_t passphrase_length, const void *salt, size_t salt_length,
                  uint64_t n, uint64_t r, uint64_t p, uint64_t max_memory,
                  unsigned char *key, size_t key_length) {
    if (context() == NULL) return -1;
    return EVP_PBE_scrypt_ex(passphrase, passphrase_length, salt, salt_length, n, r, p, max_memory,
                             key, key_length, context(), NULL) == 1 ? 0 : -1;
}
