// The one callback reader every HTTP kind declares its format to (src/providers/callbacks.hpp). The
// adapters' tests cover each kind's format; these cover the reader's rules for a format of any shape.
#include <catch2/catch.hpp>

#include "providers/callbacks.hpp"

using namespace dialerd;
using namespace dialerd::providers;

namespace {
std::vector<domain::OutcomeReport> reports(const EventsParse& parsed) {
  REQUIRE(parsed.has_value());
  return *parsed;
}
std::string problem(const EventsParse& parsed) {
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}
}  // namespace

TEST_CASE("callbacks: id members join with ':' in declared order and non-final statuses yield nothing") {
  const CallbackFormat format{{"job", "to"}, false, false};
  auto out = reports(read_callbacks(R"([{"to":"+15550001","job":"j1","status":"No-Answer","detail":"rang out"},
                                         {"job":"j1","to":"+15550002","status":"ringing"},
                                         {"job":"","to":"","status":"completed","detail":7}])",
                                    format));
  REQUIRE(out.size() == 2);
  CHECK(out[0].provider_call_id == "j1:+15550001");
  CHECK(out[0].outcome == domain::Outcome::no_answer);
  CHECK(out[0].detail == "rang out");
  CHECK(out[1].provider_call_id == ":");  // empty ids allowed unless the format refuses them
  CHECK(out[1].detail.empty());           // a detail that is not a string is ignored
  CHECK(reports(read_callbacks(R"({"job":"j","to":"t","status":"queued"})", format)).empty());
}

TEST_CASE("callbacks: a malformed event refuses the whole body and names the element") {
  const CallbackFormat format{{"job", "to"}, false, false};
  CHECK(problem(read_callbacks("{", format)) == "body is not valid JSON");
  CHECK(problem(read_callbacks("3", format)) == "event must be a JSON object");
  CHECK(problem(read_callbacks(R"([{"job":"j","to":"t","status":"busy"},"x"])", format)) == "[1] must be an object");
  CHECK(problem(read_callbacks(R"({"to":"t","status":"busy"})", format)) == "job is required and must be a string");
  CHECK(problem(read_callbacks(R"([{"job":"j","to":1,"status":"busy"}])", format)) ==
        "[0].to is required and must be a string");
  CHECK(problem(read_callbacks(R"([{"job":"j","to":"t"}])", format)) == "[0].status is required and must be a string");
}

TEST_CASE("callbacks: ids_non_empty refuses an empty id and unwrap_data reads a data envelope") {
  const CallbackFormat format{{"id"}, true, true};
  CHECK(problem(read_callbacks(R"({"id":"","status":"busy"})", format)) == "id must not be empty");
  auto out = reports(read_callbacks(R"({"requestId":"r","data":[{"id":"c1","status":"failed"}]})", format));
  REQUIRE(out.size() == 1);
  CHECK(out[0].provider_call_id == "c1");
  CHECK(out[0].outcome == domain::Outcome::failed);
  CHECK(problem(read_callbacks(R"({"data":{"status":"busy"}})", format)) == "data.id is required and must be a string");
  CHECK(problem(read_callbacks(R"({"data":[{"id":"c","status":2}]})", format)) ==
        "data[0].status is required and must be a string");
  // Without unwrap_data, the envelope is an event that lacks its id.
  CHECK(problem(read_callbacks(R"({"data":{"id":"c","status":"busy"}})", CallbackFormat{{"id"}, true, false})) ==
        "id is required and must be a string");
}

TEST_CASE("callbacks: a do-not-call request during the call is the outcome opted_out in every spelling") {
  for (const char* s : {"do_not_call", "Do-Not-Call", "opted_out", "opt-out", "DNC"})
    CHECK(map_callback_status(s) == domain::Outcome::opted_out);
  const CallbackFormat format{{"id"}, false, false};
  auto out = reports(read_callbacks(R"({"id":"c1","status":"do_not_call","detail":"said stop"})", format));
  REQUIRE(out.size() == 1);
  CHECK(out[0].outcome == domain::Outcome::opted_out);
  CHECK(domain::to_string(domain::Outcome::opted_out) == "opted_out");
  CHECK(domain::outcome_from("opted_out") == domain::Outcome::opted_out);
}

TEST_CASE("callbacks: callback_at asks for a callback - RFC 3339 or Unix ms - and a malformed one refuses the body") {
  const CallbackFormat format{{"job", "to"}, false, false};
  auto out =
      reports(read_callbacks(R"([{"job":"j","to":"a","status":"completed","callback_at":"2026-06-15T15:00:00-04:00"},
                                         {"job":"j","to":"b","status":"no-answer","callback_at":1781550000000},
                                         {"job":"j","to":"c","status":"busy","callback_at":null},
                                         {"job":"j","to":"d","status":"busy"}])",
                             format));
  REQUIRE(out.size() == 4);
  CHECK(out[0].callback_at == 1781550000000);
  CHECK(out[1].callback_at == 1781550000000);
  CHECK_FALSE(out[2].callback_at);
  CHECK_FALSE(out[3].callback_at);
  CHECK(problem(read_callbacks(R"([{"job":"j","to":"a","status":"busy"},
                                   {"job":"j","to":"b","status":"completed","callback_at":"tomorrow at 3"}])",
                               format)) == "[1].callback_at must be an RFC 3339 time or Unix milliseconds");
  CHECK(problem(read_callbacks(R"({"job":"j","to":"a","status":"completed","callback_at":-5})", format)) ==
        "callback_at must be an RFC 3339 time or Unix milliseconds");
  // Checked on an event that is not final too; a string of digits is Unix milliseconds.
  CHECK(problem(read_callbacks(R"({"job":"j","to":"a","status":"ringing","callback_at":"later"})", format)) ==
        "callback_at must be an RFC 3339 time or Unix milliseconds");
  CHECK(reports(read_callbacks(R"({"job":"j","to":"a","status":"busy","callback_at":"1781550000000"})", format))
            .at(0)
            .callback_at == 1781550000000);
}
