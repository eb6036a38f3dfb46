#include <catch2/catch.hpp>

#include "api/contact_input.hpp"

using dialerd::api::BadRequest;
using dialerd::api::parse_contact;
using dialerd::api::parse_priority;
using nlohmann::json;

namespace {
// The field and message a refused value gets.
std::pair<std::string, std::string> refusal(const json& v) {
  try {
    parse_priority(v, "contacts[2].priority");
  } catch (const BadRequest& e) {
    return {e.field, e.message};
  }
  return {};
}
}  // namespace

TEST_CASE("api: a priority is an integer 0..100 - or its digits, as a CSV cell or a query parameter gives it") {
  CHECK(parse_priority(json(0), "priority") == 0);
  CHECK(parse_priority(json(100), "priority") == 100);
  CHECK(parse_priority(json("7"), "priority") == 7);
  CHECK(parse_priority(json("060"), "priority") == 60);
  for (const json& bad : {json(101), json(-1), json("high"), json(""), json("1000"), json(2.5), json(true),
                          json::array(), json(18446744073709551615ULL), json("-3")}) {
    INFO(bad.dump());
    auto [field, message] = refusal(bad);
    CHECK(field == "contacts[2].priority");
    CHECK_THAT(message, Catch::Contains("must be an integer from 0 to 100"));
  }
  CHECK_THAT(refusal(json(101)).second, Catch::EndsWith("got 101"));
}

TEST_CASE("api: a record's priority is the call's, not an agent variable") {
  auto c =
      parse_contact({{"phone_number", "+14155550100"}, {"priority", "12"}, {"tier", "gold"}}, "contacts[0]", "US", 0);
  CHECK(c.priority == 12);
  CHECK_FALSE(c.variables.contains("priority"));
  CHECK(c.variables["tier"] == "gold");
  CHECK_FALSE(parse_contact({{"phone_number", "+14155550100"}, {"priority", nullptr}}, "c", "US", 0).priority);
  CHECK_THROWS_AS(parse_contact({{"phone_number", "+14155550100"}, {"priority", 500}}, "c", "US", 0), BadRequest);
}

TEST_CASE("api: a contact-book record refuses a priority - it is a call's setting") {
  try {
    dialerd::api::parse_record({{"phone_number", "+14155550100"}, {"priority", 5}}, "contacts[1]", "US");
    FAIL("a contact record with a priority was accepted");
  } catch (const BadRequest& e) {
    CHECK(e.field == "contacts[1].priority");
    CHECK_THAT(e.message, Catch::Contains("a call's setting, not a contact's"));
  }
  CHECK_NOTHROW(dialerd::api::parse_record({{"phone_number", "+14155550100"}, {"priority", nullptr}}, "c", "US"));
}
