#ifndef CX509_H
#define CX509_H
#include <stddef.h>

/// What a client certificate is, read by OpenSSL's libcrypto (which libcurl already loads):
/// apictl checks a certificate and its key before anything is sent, and hands libcurl both
/// from memory, so a key kept in the credential store never touches the disk.
typedef struct {
    long long not_before;        /// seconds since 1970, UTC
    long long not_after;
    unsigned char sha256[32];    /// of the leaf's DER: RFC 8705's x5t#S256
    char subject[512];           /// RFC 2253 one-line form
    char issuer[512];
    int self_signed;
} apictl_x509_info;

enum {
    APICTL_X509_OK = 0,
    APICTL_X509_CERT_UNREADABLE = 1,   /// no certificate in it (neither PEM nor PKCS#12)
    APICTL_X509_KEY_UNREADABLE = 2,    /// no private key where one was expected
    APICTL_X509_NEEDS_PASSPHRASE = 3,  /// the key or the PKCS#12 file is encrypted and no passphrase was given
    APICTL_X509_BAD_PASSPHRASE = 4,
    APICTL_X509_KEY_MISMATCH = 5,      /// the key is not the certificate's
    APICTL_X509_NO_KEY = 6,            /// neither the key bytes nor the certificate file hold a key
    APICTL_X509_WEAK_KEY = 7,          /// a key TLS would refuse or leave unsent: RSA under 2048 bits, DSA, an uncommon curve
};

/// Reads `cert` (PEM, leaf first, chain and key allowed; or PKCS#12 DER) and the private key
/// (`key` PEM, or NULL to find it in `cert`), decrypting with `passphrase` when needed, and checks
/// that the key is the certificate's. On success `chain_pem` (leaf then chain) and `key_pem`
/// (unencrypted PKCS#8) are allocated for the caller, who frees them with apictl_x509_free_secret.
/// With `require_key` 0 a certificate without a key is still read (NO_KEY is returned, info filled).
int apictl_x509_load(const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                     const char *passphrase, int require_key, apictl_x509_info *info,
                     unsigned char **chain_pem, size_t *chain_len, unsigned char **key_pem, size_t *key_len_out);

/// Zeroes and frees what apictl_x509_load allocated.
void apictl_x509_free_secret(unsigned char *bytes, size_t length);

/// Has libcurl's OpenSSL context note, in `*asked`, that the server asked for a client
/// certificate while the transfer had none to give: a handshake the server then ends (often
/// with a reset that races its alert) is told for what it is. `handle` is the CURL easy handle.
void apictl_curl_note_certificate_request(void *handle, int *asked);
#endif
