# One N-API addon: OpenSSL contexts kept per ESP SA (src/esp_crypto.c). It links against nothing:
# Node exports the OpenSSL it is built with, and the addon uses those symbols (README.md here).
{
  "targets": [
    {
      "target_name": "esp_crypto",
      "sources": ["src/esp_crypto.c", "src/udp_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      # Resolve every symbol at load: a Node without the OpenSSL 3 symbols makes require() throw
      # (and WakeLab fall back to node:crypto) instead of killing the process at the first call.
      "ldflags": ["-Wl,-z,now"]
    }
  ]
}
