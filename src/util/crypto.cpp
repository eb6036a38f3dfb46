#include "dialerd/util/crypto.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace dialerd::util {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[mac[i] >> 4];
    hex[2 * i + 1] = kHex[mac[i] & 0xf];
  }
  return hex;
}

namespace {
std::array<unsigned char, SHA256_DIGEST_LENGTH> sha256(std::string_view s) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}
}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  auto da = sha256(a);
  auto db = sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace dialerd::util
