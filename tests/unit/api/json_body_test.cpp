#include <catch2/catch.hpp>

#include "api/common.hpp"
#include "dialerd/util/json_depth.hpp"

using dialerd::api::BadRequest;
using dialerd::api::parse_json_body;
using dialerd::util::json_nested_deeper_than;
using dialerd::util::kMaxJsonDepth;

namespace {
dialerd::http::Request json_request(std::string body) {
  dialerd::http::Request r;
  r.method = "POST";
  r.headers["content-type"] = "application/json";
  r.body = std::move(body);
  return r;
}
std::string nested(int depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}
}  // namespace

// Regression: copying, comparing and dumping a parsed value recurse once per level, so a body of a few
// hundred kilobytes of '[' overflowed the stack in parse_json_body's UTF-8 check and crashed the daemon.
TEST_CASE("api: a JSON body nested 200000 deep is 400 invalid_json and not a crash") {
  try {
    parse_json_body(json_request(nested(200000)));
    FAIL("a body nested 200000 deep was accepted");
  } catch (const BadRequest& e) {
    CHECK(e.status == 400);
    CHECK(e.code == "invalid_json");
    CHECK(std::string(e.what()).find("64 deep") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_json_body(json_request(std::string(200000, '{'))), BadRequest);
}

TEST_CASE("api: JSON bodies nest up to kMaxJsonDepth and brackets in strings do not count") {
  CHECK(parse_json_body(json_request(nested(kMaxJsonDepth))).is_array());
  CHECK_THROWS_AS(parse_json_body(json_request(nested(kMaxJsonDepth + 1))), BadRequest);
  auto brackets = "{\"a\": \"" + std::string(100, '[') + "\\\"" + std::string(100, '{') + "\"}";
  CHECK(parse_json_body(json_request(brackets))["a"].get<std::string>().size() == 201);
  CHECK_FALSE(json_nested_deeper_than(brackets, 2));
  CHECK(json_nested_deeper_than("{\"a\": [{\"b\": [1]}]}", 3));
  CHECK_FALSE(json_nested_deeper_than("{\"a\": [{\"b\": [1]}]}", 4));
}

// Regression (fuzz_api): nlohmann reports a number beyond a double as out_of_range, not parse_error, and it
// escaped the handler: the server answered 500 to any JSON body holding 1e999.
TEST_CASE("api: a JSON number too large for a double is 400 invalid_json") {
  for (const char* body : {"1e999", "{\"concurrency\": -1e400}", "[1, 4444444444e4444444444]"}) {
    INFO(body);
    try {
      parse_json_body(json_request(body));
      FAIL("accepted");
    } catch (const BadRequest& e) {
      CHECK(e.status == 400);
      CHECK(e.code == "invalid_json");
    }
  }
}
