// Local hours and days as spans of instants (schedule/buckets.hpp), the stats endpoint's buckets.
#include <catch2/catch.hpp>

#include "dialerd/schedule/buckets.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd;
using namespace dialerd::schedule;
using domain::UnixMs;

namespace {

UnixMs at(const char* rfc3339) {
  auto t = util::parse_rfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

// Each bucket as "start/end" in its local time.
std::vector<std::string> spans(const char* zone, BucketSize size, const char* from, const char* to) {
  Zone z = find_zone(zone);
  REQUIRE(z);
  std::vector<std::string> out;
  for (const auto& b : local_buckets(z, size, at(from), at(to)))
    out.push_back(util::format_rfc3339_at_offset(b.start, b.start_offset_min) + "/" +
                  util::format_rfc3339_at_offset(b.end, b.end_offset_min));
  return out;
}

}  // namespace

TEST_CASE("buckets: hours cover the range whole - the first from its hour's start, the last to its end") {
  CHECK(spans("UTC", BucketSize::hour, "2026-03-20T10:20:00Z", "2026-03-20T12:00:00Z") ==
        std::vector<std::string>{"2026-03-20T10:00:00Z/2026-03-20T11:00:00Z",
                                 "2026-03-20T11:00:00Z/2026-03-20T12:00:00Z"});
  CHECK(spans("UTC", BucketSize::hour, "2026-03-20T10:00:00Z", "2026-03-20T10:00:00.001Z") ==
        std::vector<std::string>{"2026-03-20T10:00:00Z/2026-03-20T11:00:00Z"});
  CHECK(local_buckets(find_zone("UTC"), BucketSize::hour, 5, 5).empty());
}

TEST_CASE("buckets: a half-hour or 45-minute zone's hours and days start at its own local boundaries") {
  CHECK(spans("Asia/Kolkata", BucketSize::hour, "2026-03-20T04:40:00Z", "2026-03-20T05:31:00Z") ==
        std::vector<std::string>{"2026-03-20T10:00:00+05:30/2026-03-20T11:00:00+05:30",
                                 "2026-03-20T11:00:00+05:30/2026-03-20T12:00:00+05:30"});
  CHECK(spans("Asia/Kathmandu", BucketSize::day, "2026-03-20T00:00:00Z", "2026-03-20T01:00:00Z") ==
        std::vector<std::string>{"2026-03-20T00:00:00+05:45/2026-03-21T00:00:00+05:45"});
}

TEST_CASE("buckets: the hour repeated when clocks go back is two buckets - the day is 25 hours") {
  // New York, 2026-11-01: 01:00-02:00 EDT, then 01:00-02:00 EST.
  CHECK(spans("America/New_York", BucketSize::hour, "2026-11-01T04:30:00Z", "2026-11-01T07:30:00Z") ==
        std::vector<std::string>{"2026-11-01T00:00:00-04:00/2026-11-01T01:00:00-04:00",
                                 "2026-11-01T01:00:00-04:00/2026-11-01T01:00:00-05:00",
                                 "2026-11-01T01:00:00-05:00/2026-11-01T02:00:00-05:00",
                                 "2026-11-01T02:00:00-05:00/2026-11-01T03:00:00-05:00"});
  auto day = local_buckets(find_zone("America/New_York"), BucketSize::day, at("2026-11-01T12:00:00Z"),
                           at("2026-11-01T13:00:00Z"));
  REQUIRE(day.size() == 1);
  CHECK(day[0].end - day[0].start == 25 * 3600000LL);
  CHECK(day[0].start == at("2026-11-01T04:00:00Z"));
}

TEST_CASE("buckets: the hour skipped when clocks go forward is no bucket - the day is 23 hours") {
  CHECK(spans("America/New_York", BucketSize::hour, "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z") ==
        std::vector<std::string>{"2026-03-08T01:00:00-05:00/2026-03-08T03:00:00-04:00",
                                 "2026-03-08T03:00:00-04:00/2026-03-08T04:00:00-04:00"});
  CHECK(spans("America/New_York", BucketSize::day, "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z") ==
        std::vector<std::string>{"2026-03-07T00:00:00-05:00/2026-03-08T00:00:00-05:00",
                                 "2026-03-08T00:00:00-05:00/2026-03-09T00:00:00-04:00",
                                 "2026-03-09T00:00:00-04:00/2026-03-10T00:00:00-04:00"});
}

TEST_CASE("buckets: slots are 15 minutes of UTC - every bucket edge is one") {
  CHECK(slot_of(0) == 0);
  CHECK(slot_of(899999) == 0);
  CHECK(slot_of(900000) == 900000);
  CHECK(slot_of(-1) == -900000);
  for (const char* zone : {"America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
                           "Pacific/Chatham", "America/St_Johns"})
    for (auto size : {BucketSize::hour, BucketSize::day})
      for (const auto& b :
           local_buckets(find_zone(zone), size, at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z"))) {
        INFO(zone << " " << b.start);
        CHECK(b.start % kSlotMs == 0);
        CHECK(b.end > b.start);
      }
}

TEST_CASE("buckets: a local time is written with its offset, Z at zero") {
  CHECK(util::format_rfc3339_at_offset(at("2026-11-01T06:00:00Z"), -300) == "2026-11-01T01:00:00-05:00");
  CHECK(util::format_rfc3339_at_offset(at("2026-03-20T04:30:00Z"), 330) == "2026-03-20T10:00:00+05:30");
  CHECK(util::format_rfc3339_at_offset(at("2026-03-20T04:30:00.999Z"), 0) == "2026-03-20T04:30:00Z");
  CHECK(utc_offset_min(find_zone("Asia/Kathmandu"), 0) == 330);  // Nepal was +05:30 until 1986
  CHECK(utc_offset_min(find_zone("Asia/Kathmandu"), at("2026-03-20T00:00:00Z")) == 345);
}
