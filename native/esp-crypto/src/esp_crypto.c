/*
 * ESP's per-packet cryptography with OpenSSL contexts kept per SA (N-API, C).
 *
 * node:crypto makes a new EVP_CIPHER_CTX, expands the key and parses the algorithm name for every
 * createCipheriv: about 3 us a call on the benchmark machine, more than the AES-GCM of a 64-octet
 * packet (BENCHMARKS.md, "ESP per packet"). Here a handle holds, for one SA's keys, an encryption
 * and a decryption context with the key schedule done once; each packet only sets its IV
 * (EVP_CipherInit_ex with a NULL cipher and key keeps the key, OpenSSL 3 EVP_EncryptInit(3)).
 *
 * - AEAD handles (RFC 4106 AES-GCM, RFC 7634 ChaCha20-Poly1305): nonce = salt | IV (RFC 4106 4,
 *   RFC 7634 2), the 4-octet salt kept in the handle, the 8-octet IV per packet; the AAD as given;
 *   ICV = the tag, 8, 12 or 16 octets for GCM (RFC 4106 8.1 / IKEv2 ENCR_AES_GCM_8/12/16).
 * - CBC handles (RFC 3602 AES-CBC without padding of its own, RFC 4868 HMAC-SHA2 / RFC 2404
 *   HMAC-SHA1-96): ICV = HMAC(aad | IV | ciphertext | tail) truncated (RFC 4303 3.3.2.1), checked
 *   before anything is decrypted (RFC 4303 3.4.4.1), in constant time (CRYPTO_memcmp). The HMAC
 *   context is keyed once; EVP_MAC_init with a NULL key re-starts it with the same key.
 *
 * Lengths are checked in JavaScript (core/crypto/detached.ts) before a call; the checks here only
 * keep a wrong call from touching memory it should not, and throw.
 * Text is encrypted in place (OpenSSL allows out == in for these modes); decryption writes into a
 * caller's buffer of the ciphertext's length.
 */
#include <node_api.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udp_batch.h"

#define NONCE_BYTES 12
#define SALT_BYTES 4
#define MAX_ARGS 8
/* What a handle holds outside the JS heap (contexts, key schedules), told to the collector. */
#define HANDLE_EXTERNAL_BYTES 2048

/* Marks the externals this addon made: another addon's External is never read as a handle. */
static const napi_type_tag HANDLE_TAG = {0x7761b3e1c0de4e53ULL, 0x9a5f2d64e5917b08ULL};

typedef struct {
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
  EVP_MAC_CTX *mac; /* CBC handles only */
  int aead;
  size_t icv_bytes;
  unsigned char salt[SALT_BYTES];
} esp_handle;

typedef struct {
  unsigned char *data;
  size_t length;
} bytes;

static void handle_free(napi_env env, void *data, void *hint) {
  int64_t left;
  (void)hint;
  esp_handle *h = (esp_handle *)data;
  if (env != NULL) napi_adjust_external_memory(env, -HANDLE_EXTERNAL_BYTES, &left);
  EVP_CIPHER_CTX_free(h->enc);
  EVP_CIPHER_CTX_free(h->dec);
  EVP_MAC_CTX_free(h->mac);
  OPENSSL_cleanse(h->salt, sizeof h->salt);
  free(h);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_WAKELAB_ESP_CRYPTO", message);
  return NULL;
}

/* The bytes of a Uint8Array argument (or of any integer typed array, as bytes). */
static int get_bytes(napi_env env, napi_value v, bytes *out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  out->data = (unsigned char *)data;
  out->length = length;
  return 1;
}

static int get_handle(napi_env env, napi_value v, esp_handle **out) {
  void *data;
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &HANDLE_TAG, &tagged) != napi_ok || !tagged) return 0;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) return 0;
  *out = (esp_handle *)data;
  return 1;
}

/*
 * A packet call's arguments: exactly `argc` of them, a handle of the right kind (AEAD or not)
 * first, then Uint8Arrays into `b` (argc - 1 of them).
 */
static int unpack(napi_env env, napi_callback_info info, size_t argc, int aead, esp_handle **h, bytes *b) {
  napi_value argv[MAX_ARGS];
  size_t got = MAX_ARGS;
  if (argc > MAX_ARGS || napi_get_cb_info(env, info, &got, argv, NULL, NULL) != napi_ok || got != argc) return 0;
  if (!get_handle(env, argv[0], h) || (*h)->aead != aead) return 0;
  for (size_t i = 1; i < argc; i++) {
    if (!get_bytes(env, argv[i], &b[i - 1])) return 0;
  }
  return 1;
}

static napi_value wrap(napi_env env, esp_handle *h) {
  napi_value external;
  int64_t total;
  if (napi_create_external(env, h, handle_free, NULL, &external) != napi_ok) {
    handle_free(NULL, h, NULL);
    return fail(env, "cannot create the handle");
  }
  napi_adjust_external_memory(env, HANDLE_EXTERNAL_BYTES, &total);
  if (napi_type_tag_object(env, external, &HANDLE_TAG) != napi_ok) return fail(env, "cannot tag the handle");
  return external;
}

static esp_handle *handle_new(void) {
  esp_handle *h = (esp_handle *)calloc(1, sizeof *h);
  if (h == NULL) return NULL;
  h->enc = EVP_CIPHER_CTX_new();
  h->dec = EVP_CIPHER_CTX_new();
  if (h->enc == NULL || h->dec == NULL) {
    EVP_CIPHER_CTX_free(h->enc);
    EVP_CIPHER_CTX_free(h->dec);
    free(h);
    return NULL;
  }
  return h;
}

static const EVP_CIPHER *aes_gcm(size_t key_bytes) {
  switch (key_bytes) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return NULL;
  }
}

static const EVP_CIPHER *aes_cbc(size_t key_bytes) {
  switch (key_bytes) {
    case 16: return EVP_aes_128_cbc();
    case 24: return EVP_aes_192_cbc();
    case 32: return EVP_aes_256_cbc();
    default: return NULL;
  }
}

/* aeadNew(kind: 'aes-gcm' | 'chacha20-poly1305', key, salt, icvBytes) -> handle */
static napi_value aead_new(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char kind[32];
  size_t kind_length;
  bytes key, salt;
  uint32_t icv_bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return fail(env, "aeadNew takes 4 arguments");
  if (napi_get_value_string_utf8(env, argv[0], kind, sizeof kind, &kind_length) != napi_ok) return fail(env, "aeadNew: kind must be a string");
  if (!get_bytes(env, argv[1], &key) || !get_bytes(env, argv[2], &salt) || salt.length != SALT_BYTES) return fail(env, "aeadNew: key and a 4-octet salt expected");
  if (napi_get_value_uint32(env, argv[3], &icv_bytes) != napi_ok) return fail(env, "aeadNew: icvBytes must be a number");
  const EVP_CIPHER *cipher;
  if (strcmp(kind, "aes-gcm") == 0) {
    cipher = aes_gcm(key.length);
    if (icv_bytes != 8 && icv_bytes != 12 && icv_bytes != 16) return fail(env, "aeadNew: the GCM ICV is 8, 12 or 16 octets");
  } else if (strcmp(kind, "chacha20-poly1305") == 0) {
    cipher = key.length == 32 ? EVP_chacha20_poly1305() : NULL;
    if (icv_bytes != 16) return fail(env, "aeadNew: the ChaCha20-Poly1305 ICV is 16 octets");
  } else {
    return fail(env, "aeadNew: unknown kind");
  }
  if (cipher == NULL) return fail(env, "aeadNew: wrong key length for the cipher");
  esp_handle *h = handle_new();
  if (h == NULL) return fail(env, "aeadNew: out of memory");
  h->aead = 1;
  h->icv_bytes = icv_bytes;
  memcpy(h->salt, salt.data, SALT_BYTES);
  /* The nonce length is 12 octets, OpenSSL's default for both ciphers; set it anyway. */
  if (EVP_EncryptInit_ex(h->enc, cipher, NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(h->enc, EVP_CTRL_AEAD_SET_IVLEN, NONCE_BYTES, NULL) != 1 ||
      EVP_EncryptInit_ex(h->enc, NULL, NULL, key.data, NULL) != 1 ||
      EVP_DecryptInit_ex(h->dec, cipher, NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(h->dec, EVP_CTRL_AEAD_SET_IVLEN, NONCE_BYTES, NULL) != 1 ||
      EVP_DecryptInit_ex(h->dec, NULL, NULL, key.data, NULL) != 1) {
    handle_free(NULL, h, NULL);
    return fail(env, "aeadNew: OpenSSL refused the key");
  }
  return wrap(env, h);
}

/* aeadSeal(handle, iv8, aad, text, icv): text encrypted in place, the tag written into icv. */
static napi_value aead_seal(napi_env env, napi_callback_info info) {
  esp_handle *h;
  bytes a[4];
  unsigned char nonce[NONCE_BYTES];
  int n;
  if (!unpack(env, info, 5, 1, &h, a)) return fail(env, "aeadSeal: an AEAD handle and 4 Uint8Arrays expected");
  const bytes iv = a[0], aad = a[1], text = a[2], icv = a[3];
  if (iv.length != NONCE_BYTES - SALT_BYTES || icv.length != h->icv_bytes || text.length > INT32_MAX || aad.length > INT32_MAX) return fail(env, "aeadSeal: wrong lengths");
  memcpy(nonce, h->salt, SALT_BYTES);
  memcpy(nonce + SALT_BYTES, iv.data, iv.length);
  if (EVP_EncryptInit_ex(h->enc, NULL, NULL, NULL, nonce) != 1 ||
      (aad.length > 0 && EVP_EncryptUpdate(h->enc, NULL, &n, aad.data, (int)aad.length) != 1) ||
      (text.length > 0 && EVP_EncryptUpdate(h->enc, text.data, &n, text.data, (int)text.length) != 1) ||
      EVP_EncryptFinal_ex(h->enc, text.data + text.length, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(h->enc, EVP_CTRL_AEAD_GET_TAG, (int)icv.length, icv.data) != 1) {
    return fail(env, "aeadSeal: OpenSSL failed");
  }
  return NULL;
}

/* aeadOpen(handle, iv8, aad, ciphertext, icv, out) -> whether the tag verified (out holds the text then). */
static napi_value aead_open(napi_env env, napi_callback_info info) {
  esp_handle *h;
  bytes a[5];
  unsigned char nonce[NONCE_BYTES];
  unsigned char tag[16];
  int n, ok;
  napi_value result;
  if (!unpack(env, info, 6, 1, &h, a)) return fail(env, "aeadOpen: an AEAD handle and 5 Uint8Arrays expected");
  const bytes iv = a[0], aad = a[1], ct = a[2], icv = a[3], out = a[4];
  if (iv.length != NONCE_BYTES - SALT_BYTES || icv.length != h->icv_bytes || out.length != ct.length || ct.length > INT32_MAX || aad.length > INT32_MAX) return fail(env, "aeadOpen: wrong lengths");
  memcpy(nonce, h->salt, SALT_BYTES);
  memcpy(nonce + SALT_BYTES, iv.data, iv.length);
  memcpy(tag, icv.data, icv.length); /* OpenSSL wants a non-const tag */
  ok = EVP_DecryptInit_ex(h->dec, NULL, NULL, NULL, nonce) == 1 &&
       EVP_CIPHER_CTX_ctrl(h->dec, EVP_CTRL_AEAD_SET_TAG, (int)icv.length, tag) == 1 &&
       (aad.length == 0 || EVP_DecryptUpdate(h->dec, NULL, &n, aad.data, (int)aad.length) == 1) &&
       (ct.length == 0 || EVP_DecryptUpdate(h->dec, out.data, &n, ct.data, (int)ct.length) == 1) &&
       EVP_DecryptFinal_ex(h->dec, out.data + out.length, &n) == 1;
  if (!ok) OPENSSL_cleanse(out.data, out.length); /* nothing of a forgery is handed out */
  napi_get_boolean(env, ok, &result);
  return result;
}

/* cbcNew(key, digest: 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512', integKey, icvBytes) -> handle */
static napi_value cbc_new(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char digest[16];
  size_t digest_length;
  bytes key, integ_key;
  uint32_t icv_bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return fail(env, "cbcNew takes 4 arguments");
  if (!get_bytes(env, argv[0], &key) || !get_bytes(env, argv[2], &integ_key)) return fail(env, "cbcNew: keys must be Uint8Arrays");
  if (napi_get_value_string_utf8(env, argv[1], digest, sizeof digest, &digest_length) != napi_ok) return fail(env, "cbcNew: digest must be a string");
  if (napi_get_value_uint32(env, argv[3], &icv_bytes) != napi_ok || icv_bytes == 0 || icv_bytes > 64) return fail(env, "cbcNew: icvBytes must be 1 to 64");
  const EVP_CIPHER *cipher = aes_cbc(key.length);
  if (cipher == NULL) return fail(env, "cbcNew: wrong AES key length");
  /* The INTEG transforms ESP offers with AES-CBC (RFC 2404, RFC 4868); nothing else. */
  if (strcmp(digest, "sha1") != 0 && strcmp(digest, "sha256") != 0 && strcmp(digest, "sha384") != 0 && strcmp(digest, "sha512") != 0) {
    return fail(env, "cbcNew: unknown digest (sha1, sha256, sha384 or sha512)");
  }
  const EVP_MD *md = EVP_get_digestbyname(digest);
  if (md == NULL || EVP_MD_get_size(md) <= 0 || (size_t)EVP_MD_get_size(md) < icv_bytes) return fail(env, "cbcNew: unknown digest or ICV too long");
  esp_handle *h = handle_new();
  if (h == NULL) return fail(env, "cbcNew: out of memory");
  h->icv_bytes = icv_bytes;
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  h->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
  EVP_MAC_free(mac); /* the context keeps its own reference */
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (h->mac == NULL || EVP_MAC_init(h->mac, integ_key.data, integ_key.length, params) != 1 ||
      EVP_EncryptInit_ex(h->enc, cipher, NULL, key.data, NULL) != 1 || EVP_CIPHER_CTX_set_padding(h->enc, 0) != 1 ||
      EVP_DecryptInit_ex(h->dec, cipher, NULL, key.data, NULL) != 1 || EVP_CIPHER_CTX_set_padding(h->dec, 0) != 1) {
    handle_free(NULL, h, NULL);
    return fail(env, "cbcNew: OpenSSL refused the keys");
  }
  return wrap(env, h);
}

/* The untruncated HMAC of aad | iv | ct | tail into md (at least 64 octets); its length, or 0. */
static size_t cbc_mac(esp_handle *h, const bytes *aad, const bytes *iv, const unsigned char *ct, size_t ct_length, const bytes *tail, unsigned char *md) {
  size_t md_length = 0;
  if (EVP_MAC_init(h->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(h->mac, aad->data, aad->length) != 1 ||
      EVP_MAC_update(h->mac, iv->data, iv->length) != 1 || EVP_MAC_update(h->mac, ct, ct_length) != 1 ||
      (tail->length > 0 && EVP_MAC_update(h->mac, tail->data, tail->length) != 1) || EVP_MAC_final(h->mac, md, &md_length, EVP_MAX_MD_SIZE) != 1) {
    return 0;
  }
  return md_length;
}

/* cbcSeal(handle, iv16, aad, text, tail, icv): text encrypted in place, then the ICV. */
static napi_value cbc_seal(napi_env env, napi_callback_info info) {
  esp_handle *h;
  bytes a[5];
  unsigned char md[EVP_MAX_MD_SIZE];
  int n;
  if (!unpack(env, info, 6, 0, &h, a)) return fail(env, "cbcSeal: a CBC handle and 5 Uint8Arrays expected");
  const bytes iv = a[0], aad = a[1], text = a[2], tail = a[3], icv = a[4];
  if (iv.length != 16 || text.length % 16 != 0 || text.length > INT32_MAX || icv.length != h->icv_bytes) return fail(env, "cbcSeal: wrong lengths");
  if (EVP_EncryptInit_ex(h->enc, NULL, NULL, NULL, iv.data) != 1 ||
      (text.length > 0 && EVP_EncryptUpdate(h->enc, text.data, &n, text.data, (int)text.length) != 1) ||
      EVP_EncryptFinal_ex(h->enc, text.data + text.length, &n) != 1 ||
      cbc_mac(h, &aad, &iv, text.data, text.length, &tail, md) < icv.length) {
    return fail(env, "cbcSeal: OpenSSL failed");
  }
  memcpy(icv.data, md, icv.length);
  return NULL;
}

/* cbcOpen(handle, iv16, aad, ciphertext, tail, icv, out) -> whether the ICV verified (out holds the text then). */
static napi_value cbc_open(napi_env env, napi_callback_info info) {
  esp_handle *h;
  bytes a[6];
  unsigned char md[EVP_MAX_MD_SIZE];
  int n, ok;
  napi_value result;
  if (!unpack(env, info, 7, 0, &h, a)) return fail(env, "cbcOpen: a CBC handle and 6 Uint8Arrays expected");
  const bytes iv = a[0], aad = a[1], ct = a[2], tail = a[3], icv = a[4], out = a[5];
  if (iv.length != 16 || ct.length % 16 != 0 || ct.length > INT32_MAX || icv.length != h->icv_bytes || out.length != ct.length) return fail(env, "cbcOpen: wrong lengths");
  /* RFC 4303 3.4.4.1: the ICV first; nothing is decrypted for a forged packet. */
  ok = cbc_mac(h, &aad, &iv, ct.data, ct.length, &tail, md) >= icv.length && CRYPTO_memcmp(md, icv.data, icv.length) == 0;
  ok = ok && EVP_DecryptInit_ex(h->dec, NULL, NULL, NULL, iv.data) == 1 &&
       (ct.length == 0 || EVP_DecryptUpdate(h->dec, out.data, &n, ct.data, (int)ct.length) == 1) &&
       EVP_DecryptFinal_ex(h->dec, out.data + out.length, &n) == 1;
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"aeadNew", NULL, aead_new, NULL, NULL, NULL, napi_default, NULL},
      {"aeadSeal", NULL, aead_seal, NULL, NULL, NULL, napi_default, NULL},
      {"aeadOpen", NULL, aead_open, NULL, NULL, NULL, napi_default, NULL},
      {"cbcNew", NULL, cbc_new, NULL, NULL, NULL, napi_default, NULL},
      {"cbcSeal", NULL, cbc_seal, NULL, NULL, NULL, napi_default, NULL},
      {"cbcOpen", NULL, cbc_open, NULL, NULL, NULL, napi_default, NULL},
      {"udpRecvOpen", NULL, udp_recv_open, NULL, NULL, NULL, napi_default, NULL},
      {"udpRecvClose", NULL, udp_recv_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value version;
  if (napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods) != napi_ok) return NULL;
  /* Which OpenSSL the symbols came from (Node's own, when loaded into node). */
  if (napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version) == napi_ok) {
    napi_set_named_property(env, exports, "openssl", version);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
