#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "dialerd/util/json_text.hpp"

using dialerd::util::append_json_string;
using dialerd::util::utf8_prefix;

namespace {
std::string ours(const std::string& s) {
  std::string out = "x";  // appends, never replaces
  append_json_string(out, s);
  return out.substr(1);
}
std::string theirs(const std::string& s) {
  return nlohmann::json(s).dump();
}
}  // namespace

TEST_CASE("json text: a string is written exactly as nlohmann writes it") {
  for (int c = 0; c < 0x80; ++c) {
    std::string s(1, static_cast<char>(c));
    INFO("byte " << c);
    CHECK(ours(s) == theirs(s));
  }
  for (std::string s : {"", "+14155550100", "say \"hi\"\\n", "tab\there", "Zoë", "日本語", "emoji 😀", "\x7f"})
    CHECK(ours(s) == theirs(s));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 24, ' ');
    for (auto& c : s) c = static_cast<char>(rng() % 0x80);
    if (i % 4 == 0) s += "é";
    REQUIRE(ours(s) == theirs(s));
    CHECK(nlohmann::json::parse(ours(s)).get<std::string>() == s);
  }
}

TEST_CASE("json text: invalid UTF-8 is refused as nlohmann refuses it") {
  std::string out;
  CHECK_THROWS_AS(append_json_string(out, "bad \xff byte"), nlohmann::json::type_error);
  CHECK_THROWS_AS(theirs("bad \xff byte"), nlohmann::json::type_error);
}

TEST_CASE("json text: utf8_prefix never ends inside a character") {
  CHECK(utf8_prefix("abc", 5) == "abc");
  CHECK(utf8_prefix("abc", 2) == "ab");
  CHECK(utf8_prefix("abc", 0).empty());
  CHECK(utf8_prefix("aé", 2) == "a");  // é = C3 A9
  CHECK(utf8_prefix("aé", 3) == "aé");
  CHECK(utf8_prefix("日本", 4) == "日");  // three bytes each
  CHECK(utf8_prefix("日本", 5) == "日");
  CHECK(utf8_prefix("x😀", 4) == "x");  // four bytes
  CHECK(utf8_prefix("x😀y", 5) == "x😀");
  std::mt19937_64 rng(11);
  const char* pieces[] = {"a", "é", "日", "😀", "\n"};
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 40); k > 0; --k) s += pieces[rng() % 5];
    auto max = static_cast<std::size_t>(rng() % (s.size() + 2));
    auto p = utf8_prefix(s, max);
    REQUIRE(p.size() <= max);
    REQUIRE(p.size() + 3 >= std::min(max, s.size()));  // at most one character's other bytes left out
    REQUIRE(s.compare(0, p.size(), p) == 0);
    std::string out;
    append_json_string(out, p);  // valid UTF-8: does not throw
  }
}
