#include "CLibCrypto.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int apictl_sha256(const void *data, size_t length, unsigned char digest[32]) {
    unsigned int size = 0;
    return EVP_Digest(data, length, digest, &size, EVP_sha256(), NULL) == 1 && size == 32 ? 0 : -1;
}

int apictl_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length,
                       unsigned char mac[32]) {
    unsigned int size = 0;
    if (key_length > INT_MAX) return -1;
    return HMAC(EVP_sha256(), key, (int)key_length, data, length, mac, &size) != NULL && size == 32 ? 0 : -1;
}

/// EVP takes lengths as int; the empty update is skipped, as its pointer may be NULL.
static int gcm_update(EVP_CIPHER_CTX *context, int encrypt, unsigned char *out, const void *in, size_t length) {
    int written = 0;
    if (length == 0) return 1;
    if (length > INT_MAX) return 0;
    return encrypt ? EVP_EncryptUpdate(context, out, &written, in, (int)length)
                   : EVP_DecryptUpdate(context, out, &written, in, (int)length);
}

int apictl_aes256gcm_seal(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *plaintext, size_t length,
                          unsigned char *ciphertext, unsigned char tag[16]) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    unsigned char last[16];
    int written = 0;
    int ok = context != NULL
        && EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, nonce) == 1   // GCM's default IV is 12 bytes
        && gcm_update(context, 1, NULL, aad, aad_length)
        && gcm_update(context, 1, ciphertext, plaintext, length)
        && EVP_EncryptFinal_ex(context, last, &written) == 1 && written == 0
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(context);
    return ok ? 0 : -1;
}

int apictl_aes256gcm_open(const unsigned char key[32], const unsigned char nonce[12],
                          const void *aad, size_t aad_length, const void *ciphertext, size_t length,
                          const unsigned char tag[16], unsigned char *plaintext) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    unsigned char expected[16], last[16];
    int written = 0;
    for (int i = 0; i < 16; i++) expected[i] = tag[i];
    int ok = context != NULL
        && EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, nonce) == 1
        && gcm_update(context, 0, NULL, aad, aad_length)
        && gcm_update(context, 0, plaintext, ciphertext, length)
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, expected) == 1
        && EVP_DecryptFinal_ex(context, last, &written) == 1 && written == 0;
    EVP_CIPHER_CTX_free(context);
    return ok ? 0 : -1;
}

int apictl_scrypt(const void *passphrase, size_t passphrase_length, const void *salt, size_t salt_length,
                  uint64_t n, uint64_t r, uint64_t p, uint64_t max_memory,
                  unsigned char *key, size_t key_length) {
    return EVP_PBE_scrypt(passphrase, passphrase_length, salt, salt_length, n, r, p, max_memory,
                          key, key_length) == 1 ? 0 : -1;
}
