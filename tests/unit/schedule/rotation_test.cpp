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
  auto a = local_presence_pick(number_place("+14155550199"), places, 5, 0.1);
  auto b = local_presence_pick(number_place("+14155550199"), places, 5, 0.9);
  CHECK(a.index == 2);
  CHECK(b.index == 3);
  CHECK(a.cursor == 5);
  auto far = local_presence_pick(number_place("+33612345678"), places, 7, 0.5);
  CHECK(far.index == 2);
  CHECK(far.cursor == 8);
}
