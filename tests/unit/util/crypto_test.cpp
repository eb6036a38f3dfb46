#include <catch2/catch.hpp>

#include "dialerd/util/crypto.hpp"

using namespace dialerd::util;

TEST_CASE("crypto: HMAC-SHA256 matches RFC 4231") {
  // RFC 4231 test case 2.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex("", "").size() == 64);
}

TEST_CASE("crypto: constant-time equality") {
  CHECK(constant_time_equal("secret", "secret"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("secret", "secreT"));
  CHECK_FALSE(constant_time_equal("secret", "secret2"));  // lengths differ
  CHECK_FALSE(constant_time_equal("", "x"));
  std::string with_nul("a\0b", 3);
  CHECK_FALSE(constant_time_equal(with_nul, "a"));
  CHECK(constant_time_equal(with_nul, std::string("a\0b", 3)));
}
