// Caller-id rotation as a pure function: the cursor and a draw in, the pick and the next cursor out.
#include <catch2/catch.hpp>

#include "dialerd/schedule/rotation.hpp"

using namespace dialerd::schedule;

TEST_CASE("rotation: round_robin and sequential walk the numbers from the stored cursor") {
  std::int64_t cursor = 0;
  std::vector<std::size_t> picks;
  for (int i = 0; i < 7; ++i) {
    auto p = next_caller_id("round_robin", 3, cursor, 0.99);
    picks.push_back(p.index);
    cursor = p.cursor;
  }
  CHECK(picks == std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(cursor == 7);
  // A cursor saved before a number was removed still lands inside the list.
  CHECK(next_caller_id("sequential", 2, 7, 0.0).index == 1);
  CHECK(next_caller_id("sequential", 2, 7, 0.0).cursor == 8);
}

TEST_CASE("rotation: random takes the draw and leaves the cursor") {
  CHECK(next_caller_id("random", 4, 5, 0.0).index == 0);
  CHECK(next_caller_id("random", 4, 5, 0.26).index == 1);
  CHECK(next_caller_id("random", 4, 5, 0.999999).index == 3);
  CHECK(next_caller_id("random", 4, 5, 0.5).cursor == 5);
  CHECK(next_caller_id("random", 1, 0, 0.7).index == 0);
}

TEST_CASE("rotation: a number per call only where the kind takes one per call and not under sequential") {
  CHECK(caller_id_per_call("round_robin", true));
  CHECK(caller_id_per_call("random", true));
  CHECK_FALSE(caller_id_per_call("sequential", true));
  CHECK_FALSE(caller_id_per_call("round_robin", false));
}

TEST_CASE("rotation: local_presence picks the contact's area code, else its state, else its country, else rotates") {
  const std::vector<std::string> from = {"+12125550100", "+13055550100", "+14155550100", "+14155550101",
                                         "+442071234567"};
  std::vector<NumberPlace> places;
  for (const auto& n : from) places.push_back(number_place(n));
  CHECK(places[0].area == "212");
  CHECK(places[0].region == "US-NY");
  CHECK(places[0].country == "US");
  CHECK(places[4].area.empty());
  CHECK(places[4].region == "GB");
  CHECK(local_numbers(number_place("+12125550199"), places) == std::vector<std::size_t>{0});           // area code
  CHECK(local_numbers(number_place("+16465550199"), places) == std::vector<std::size_t>{0});           // NY, 646
  CHECK(local_numbers(number_place("+14155550199"), places) == std::vector<std::size_t>{2, 3});        // two in 415
  CHECK(local_numbers(number_place("+13125550199"), places) == std::vector<std::size_t>{0, 1, 2, 3});  // US
  CHECK(local_numbers(number_place("+441614960000"), places) == std::vector<std::size_t>{4});          // GB
  CHECK(local_numbers(number_place("+33612345678"), places).empty());
  // One of the local ones by the draw (the cursor stays), else round robin among all.
  auto a = *local_presence_pick(number_place("+14155550199"), places, 5, 0.1);
  auto b = *local_presence_pick(number_place("+14155550199"), places, 5, 0.9);
  CHECK(a.index == 2);
  CHECK(b.index == 3);
  CHECK(a.cursor == 5);
  auto far = *local_presence_pick(number_place("+33612345678"), places, 7, 0.5);
  CHECK(far.index == 2);
  CHECK(far.cursor == 8);

  // Only numbers with room: a tier whose numbers are all closed gives way to the next.
  const NumberRooms rooms = {0, 3, 0, 1, 2};
  CHECK(local_numbers(number_place("+12125550199"), places, rooms) == std::vector<std::size_t>{1, 3});  // US
  CHECK(local_numbers(number_place("+14155550199"), places, rooms) == std::vector<std::size_t>{3});
  CHECK(local_presence_pick(number_place("+14155550199"), places, 5, 0.1, rooms)->index == 3);
  // No local number: round robin among the open ones (cursor 7 is number 2, closed: number 3 it is).
  auto open_far = local_presence_pick(number_place("+33612345678"), places, 7, 0.5, rooms);
  REQUIRE(open_far);
  CHECK(open_far->index == 3);
  CHECK(open_far->cursor == 9);
  CHECK_FALSE(local_presence_pick(number_place("+14155550199"), places, 5, 0.1, NumberRooms(5, 0)));
}

TEST_CASE("rotation: the picks skip numbers without room") {
  const NumberRooms rooms = {0, 2, 0, 1};
  auto p = next_open_caller_id("round_robin", rooms, 4, 0, 0.5);
  REQUIRE(p);
  CHECK(p->index == 1);
  CHECK(p->cursor == 2);
  p = next_open_caller_id("sequential", rooms, 4, 2, 0.5);
  REQUIRE(p);
  CHECK(p->index == 3);
  CHECK(p->cursor == 4);
  // random draws among the open ones only.
  CHECK(next_open_caller_id("random", rooms, 4, 9, 0.0)->index == 1);
  CHECK(next_open_caller_id("random", rooms, 4, 9, 0.99)->index == 3);
  CHECK(next_open_caller_id("random", rooms, 4, 9, 0.99)->cursor == 9);
  // No room anywhere: none. No limit at all (empty): the plain rotation.
  CHECK_FALSE(next_open_caller_id("round_robin", NumberRooms{0, 0}, 2, 0, 0.5));
  CHECK_FALSE(next_open_caller_id("random", NumberRooms{0, 0}, 2, 0, 0.5));
  CHECK(next_open_caller_id("round_robin", {}, 3, 4, 0.5)->index == 1);
}

namespace {
using dialerd::domain::Outcome;
constexpr dialerd::domain::UnixMs kNow = 1'765'000'000'000;
constexpr dialerd::domain::UnixMs kNextDay = kNow + 5 * 3600 * 1000;
NumberUse failing(int n, dialerd::domain::UnixMs last, Outcome o = Outcome::failed) {
  NumberUse use;
  for (int i = 0; i < n; ++i) use.recent.push_back({o, last - i * 60000});
  return use;
}
}  // namespace

TEST_CASE("rotation: a number at its daily cap is closed until the next day") {
  dialerd::domain::CampaignSpec spec;
  CHECK_FALSE(limits_caller_ids(spec));
  spec.max_calls_per_number_per_day = 3;
  CHECK(limits_caller_ids(spec));
  NumberUse two, three;
  two.calls_today = 2;
  three.calls_today = 5;  // more than the cap (another campaign's calls, a lowered cap): no room, not negative
  auto st = number_states(spec, {"+12125550100", "+12125550101", "+12125550102"}, {two, three, {}}, kNow, kNextDay);
  REQUIRE(st.size() == 3);
  CHECK(st[0].room == 1);
  CHECK_FALSE(st[0].until);
  CHECK(st[1].room == 0);
  CHECK(st[1].until == kNextDay);
  CHECK(st[1].why == "placed 5 calls today, its max_calls_per_number_per_day is 3");
  CHECK(st[2].room == 3);
  CHECK(number_rooms(st) == NumberRooms{1, 0, 3});
  CHECK_FALSE(caller_ids_open_at(st));
  CHECK(caller_ids_open_at({st[1]}) == kNextDay);
}

TEST_CASE("rotation: a number whose last calls all failed rests after the last of them") {
  dialerd::domain::CampaignSpec spec;
  spec.number_rest = dialerd::domain::NumberRest{3, 600, {Outcome::failed, Outcome::provider_error}};
  const dialerd::domain::UnixMs last = kNow - 60000;  // the latest failure, a minute ago
  auto mixed = failing(3, last);
  mixed.recent[1].outcome = Outcome::provider_error;
  auto broken = failing(3, last);
  broken.recent[2].outcome = Outcome::no_answer;  // a call that reached no one but did not fail: the run breaks
  auto st =
      number_states(spec, {"+1a", "+1b", "+1c", "+1d", "+1e"},
                    {failing(3, last), mixed, broken, failing(2, last), failing(3, kNow - 600000)}, kNow, kNextDay);
  CHECK(st[0].room == 0);
  CHECK(st[0].until == last + 600000);
  CHECK(st[0].why == "rested until 2025-12-06T05:55:40Z (its last 3 calls ended failed or provider_error)");
  CHECK(st[1].room == 0);
  CHECK(st[2].room > 0);  // no_answer is not among the outcomes
  CHECK(st[3].room > 0);  // two failures of three
  CHECK(st[4].room > 0);  // its rest ended just now
  CHECK_FALSE(st[4].until);
  // The rest runs from the last of them to finish, which need not be the last placed.
  auto late = failing(3, last);
  late.recent[2].at = last + 5000;
  CHECK(number_states(spec, {"+1a"}, {late}, kNow, kNextDay)[0].until == last + 5000 + 600000);
  // Capped and resting: open again once both are over.
  spec.max_calls_per_number_per_day = 2;
  auto both = failing(3, last);
  both.calls_today = 2;
  auto s2 = number_states(spec, {"+1a"}, {both}, kNow, kNow + 1000);
  CHECK(s2[0].until == last + 600000);
  CHECK(s2[0].why ==
        "placed 2 calls today, its max_calls_per_number_per_day is 2; rested until "
        "2025-12-06T05:55:40Z (its last 3 calls ended failed or provider_error)");
  CHECK(caller_ids_open_at(s2) == last + 600000);
}

TEST_CASE("rotation: a number_rest reads back as written and bad ones name the field") {
  using dialerd::domain::parse_number_rest;
  std::string field, error;
  auto r = parse_number_rest(
      nlohmann::json::parse(R"({"after_failures": 4, "outcomes": ["failed", "busy", "failed"]})"), field, error);
  REQUIRE(r);
  CHECK(r->after_failures == 4);
  CHECK(r->rest_seconds == 3600);  // the default
  CHECK(r->outcomes == std::vector<Outcome>{Outcome::failed, Outcome::busy});
  CHECK(dialerd::domain::number_rest_json(*r) ==
        nlohmann::json::parse(R"({"after_failures": 4, "rest_seconds": 3600, "outcomes": ["failed", "busy"]})"));
  CHECK(parse_number_rest(nlohmann::json::parse(R"({"after_failures": 1})"), field, error)->outcomes ==
        std::vector<Outcome>{Outcome::failed});
  auto bad = [&](const char* text, const std::string& at, const std::string& says) {
    CHECK_FALSE(parse_number_rest(nlohmann::json::parse(text), field, error));
    CHECK(field == at);
    CHECK_THAT(error, Catch::Contains(says));
  };
  bad("5", "number_rest", "must be an object");
  bad(R"({"rest_seconds": 600})", "number_rest.after_failures", "is required (an integer from 1 to 100)");
  bad(R"({"after_failures": 0})", "number_rest.after_failures", "from 1 to 100");
  bad(R"({"after_failures": "5"})", "number_rest.after_failures", "must be an integer");
  bad(R"({"after_failures": 5, "rest_seconds": 59})", "number_rest.rest_seconds", "from 60 to 604800");
  bad(R"({"after_failures": 5, "outcomes": []})", "number_rest.outcomes", "non-empty array");
  bad(R"({"after_failures": 5, "outcomes": ["failed", "ringing"]})", "number_rest.outcomes[1]",
      "must be one of no_answer, busy, voicemail, failed, provider_error, timeout");
  bad(R"({"after_failures": 5, "outcomes": ["completed"]})", "number_rest.outcomes[0]", "must be one of");
  bad(R"({"after_failures": 5, "every": 1})", "number_rest.every", "unknown field");
}
