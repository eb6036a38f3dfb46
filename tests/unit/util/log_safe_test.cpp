#include "dialerd/util/log_safe.hpp"

#include <catch2/catch.hpp>

using dialerd::util::escape_control;

TEST_CASE("log_safe: control characters are escaped, everything else is kept") {
  CHECK(escape_control("plain text, ünïcode") == "plain text, ünïcode");
  CHECK(escape_control("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(escape_control(std::string("nul\0here", 8)) == "nul\\x00here");
  CHECK(escape_control("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  CHECK(escape_control("") == "");
}
