#pragma once
// Secrets, over OpenSSL: signing webhook bodies and checking what a client or a provider presents.
#include <string>
#include <string_view>

namespace dialerd::util {

// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// True when a == b, in a time that depends on neither the contents nor the lengths: both are hashed
// (SHA-256) and the fixed-size digests compared with CRYPTO_memcmp. For API keys and callback secrets.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace dialerd::util
