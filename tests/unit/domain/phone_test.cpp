#include <catch2/catch.hpp>

#include "dialerd/domain/phone.hpp"

using namespace dialerd::domain;

namespace {
std::string ok(std::string_view in, std::string_view region = "US") {
  auto r = normalize_phone(in, region);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
bool bad(std::string_view in, std::string_view region = "US") {
  return std::holds_alternative<PhoneError>(normalize_phone(in, region));
}
}  // namespace

TEST_CASE("phone: E.164 and national formats normalize to E.164") {
  CHECK(ok("+14155550101") == "+14155550101");
  CHECK(ok("(415) 555-0101") == "+14155550101");
  CHECK(ok("415.555.0101") == "+14155550101");
  CHECK(ok("020 7946 0958", "GB") == "+442079460958");
  CHECK(ok("+44 20 7946 0958", "US") == "+442079460958");
}

TEST_CASE("phone: invalid numbers are refused with a reason") {
  CHECK(bad(""));
  CHECK(bad("12"));
  CHECK(bad("+1"));
  CHECK(bad("not a number"));
  CHECK(bad("+1 415 555 01019999"));
  CHECK(bad(std::string(100, '5')));
  auto r = normalize_phone("12", "US");
  CHECK_THAT(std::get<PhoneError>(r).message, Catch::Contains("'12'"));
}

TEST_CASE("phone: regions") {
  CHECK(is_known_region("US"));
  CHECK(is_known_region("GB"));
  CHECK_FALSE(is_known_region("ZZ"));
  CHECK_FALSE(is_known_region(""));
}
