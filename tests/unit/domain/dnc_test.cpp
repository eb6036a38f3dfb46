// Do-not-call list values: the number forms an import accepts and the key each is stored as, and a list's age.
#include <catch2/catch.hpp>

#include "dialerd/domain/dnc.hpp"

using namespace dialerd::domain;

namespace {
std::int64_t key_of(std::string_view text) {
  std::string error;
  auto key = parse_dnc_number(text, error);
  INFO(text << ": " << error);
  CHECK(key != 0);
  return key;
}
std::string error_of(std::string_view text) {
  std::string error;
  CHECK(parse_dnc_number(text, error) == 0);
  return error;
}
constexpr UnixMs kDay = 24LL * 3600 * 1000;
}  // namespace

TEST_CASE("dnc numbers: E.164 and 10- and 11-digit NANP forms are one key") {
  CHECK(key_of("+12025550123") == 12025550123);
  CHECK(key_of("2025550123") == 12025550123);
  CHECK(key_of("12025550123") == 12025550123);
  CHECK(key_of("(202) 555-0123") == 12025550123);
  CHECK(key_of(" +1 202.555.0123\r") == 12025550123);
  CHECK(key_of("\"2025550123\"") == 12025550123);
  CHECK(key_of("+442079460958") == 442079460958);
  CHECK(dnc_key("+12025550123") == 12025550123);
  CHECK(dnc_phone(12025550123) == "+12025550123");
  CHECK(dnc_key("12025550123") == 0);  // not E.164
  CHECK(dnc_key("+1202555012x") == 0);
}

TEST_CASE("dnc numbers: what is not a number says why") {
  CHECK_THAT(error_of(""), Catch::Contains("no digits"));
  CHECK_THAT(error_of("hello"), Catch::Contains("unexpected character 'h'"));
  CHECK_THAT(error_of("555-0123"), Catch::Contains("10-digit NANP"));
  CHECK_THAT(error_of("1025550123"), Catch::Contains("area code"));   // area code starting with 1
  CHECK_THAT(error_of("2021550123"), Catch::Contains("exchange"));    // exchange starting with 1
  CHECK_THAT(error_of("+1202555012"), Catch::Contains("10 digits"));  // +1 with 9 digits
  CHECK_THAT(error_of("+0123456789"), Catch::Contains("does not start with 0"));
  CHECK_THAT(error_of("+1234567"), Catch::Contains("8 to 15 digits"));
  CHECK_THAT(error_of("+4412345678901234"), Catch::Contains("8 to 15 digits"));
  CHECK_THAT(error_of("+12345678901234567"), Catch::Contains("too many digits"));
  CHECK_THAT(error_of("20255501+23"), Catch::Contains("unexpected character '+'"));
}

TEST_CASE("dnc lists: stale past max_age_days since as_of - never without a max age") {
  DncList l;
  CHECK_FALSE(l.stale(0));
  l.max_age_days = 31;
  CHECK(l.stale(0));  // a max age and nothing imported yet
  CHECK_FALSE(l.stale_at());
  l.as_of = 100 * kDay;
  CHECK_FALSE(l.stale(131 * kDay - 1));
  CHECK(l.stale(131 * kDay));
  CHECK(*l.stale_at() == 131 * kDay);
}
