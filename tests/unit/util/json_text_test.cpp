#include <catch2/catch.hpp>

#include <random>

#include <nlohmann/json.hpp>

#include "dialerd/util/json_text.hpp"

using dialerd::util::append_json_string;

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
