#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "dialerd/domain/phone.hpp"

using namespace dialerd::domain;

namespace {
std::string ok(std::string_view in, std::string_view region = "US") {
  auto r = normalize_phone(in, region);
  REQUIRE(r.has_value());
  return *r;
}
bool bad(std::string_view in, std::string_view region = "US") {
  return !normalize_phone(in, region).has_value();
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
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::Contains("'12'"));
}

TEST_CASE("phone: regions") {
  CHECK(is_known_region("US"));
  CHECK(is_known_region("GB"));
  CHECK_FALSE(is_known_region("ZZ"));
  CHECK_FALSE(is_known_region(""));
}

namespace {
using Normalized = dialerd::util::Result<std::string, PhoneError>;
bool same(const Normalized& a, const Normalized& b) {
  if (a.has_value() != b.has_value()) return false;
  return a ? *a == *b : a.error().message == b.error().message;
}
}  // namespace

// The fast path must give exactly the answer of libphonenumber's Parse + IsValidNumber + Format. The full
// study compared 2.4M inputs; this keeps a seeded sample of every input class in the suite, so an upgraded
// libphonenumber that parses or validates differently fails here. DIALERD_PHONE_EQUIV_N scales it.
TEST_CASE("phone: the fast path answers exactly like libphonenumber on generated inputs") {
  REQUIRE(phone_fast_path_enabled());
  const char* env = std::getenv("DIALERD_PHONE_EQUIV_N");
  const int per_class = env ? std::atoi(env) : 3000;
  std::mt19937_64 rng(20261123);
  auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + r(0, 9));
    return s;
  };
  const std::vector<std::string> regions = {"US", "CA", "GB", "DE", "FR", "IT", "IN", "BR", "RU", "KZ", "AU", "MX",
                                            "AR", "JP", "CN", "NL", "ES", "GG", "JE", "VA", "ZZ", "", "001", "us",
                                            // national prefixes for parsing that end in '$'
                                            "AG", "BS", "TT", "IM", "CX", "SM", "MG", "VI"};
  const std::vector<std::string> codes = {"1",  "7",  "20", "27", "31", "33",  "34",  "39",  "44",  "49",  "52", "54",
                                          "55", "61", "81", "86", "91", "352", "379", "800", "882", "979", "998"};
  const std::vector<std::string> valid_shapes = {"+1415555", "+1212", "+447911", "+4915", "+3933",
                                                 "+33612",   "+9198", "+55119",  "+7916", "+61412"};
  std::vector<std::pair<std::string, std::string>> inputs;  // (text, default region)
  for (int i = 0; i < per_class; ++i) {
    // random "+digits" of any length
    inputs.push_back({"+" + digits(r(1, 18)), "US"});
    // a known calling code and random digits
    inputs.push_back(
        {"+" + codes[static_cast<std::size_t>(r(0, static_cast<int>(codes.size()) - 1))] + digits(r(4, 13)), "US"});
    // plausible mobile and fixed numbers
    auto shape = valid_shapes[static_cast<std::size_t>(r(0, static_cast<int>(valid_shapes.size()) - 1))];
    inputs.push_back({shape + digits(static_cast<int>(13 - shape.size() + r(0, 1))), "US"});
    // leading zeros and national prefixes after the calling code, IDD-style input
    inputs.push_back({std::string(r(0, 1) ? "+440" : "+110") + digits(r(8, 11)), "GB"});
    inputs.push_back({"+011" + digits(r(9, 12)), "US"});
    // national formats in a region, with punctuation
    auto region = regions[static_cast<std::size_t>(r(0, static_cast<int>(regions.size()) - 1))];
    auto d = digits(r(6, 12));
    inputs.push_back({d, region});
    inputs.push_back({"(" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6), region});
    inputs.push_back({"0" + d, region});
    // junk: letters, extensions, tel: URIs, odd punctuation
    const char* junk[] = {" ext. 12", "x9", "#", ";ext=1", ",,", "abc", "\xef\xbc\x91", " / "};
    inputs.push_back({"+1 415 555 " + digits(4) + junk[r(0, 7)], "US"});
    inputs.push_back({"tel:+1-415-555-" + digits(4) + ";phone-context=example.com", "US"});
  }
  int mismatches = 0;
  for (const auto& [text, region] : inputs) {
    if (!same(normalize_phone(text, region), normalize_phone_reference(text, region))) {
      ++mismatches;
      if (mismatches <= 5) FAIL_CHECK("differs from libphonenumber: '" << text << "' in '" << region << "'");
    }
  }
  CHECK(mismatches == 0);
  CHECK(inputs.size() == static_cast<std::size_t>(per_class) * 10);
}
