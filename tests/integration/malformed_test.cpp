// Thousands of malformed request bodies: each gets a 4xx, never a 5xx or a dropped connection, the
// daemon stays healthy and nothing is stored. Seeded; DIALERD_MALFORMED_REQUESTS sets the count.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

const json kCampaign = {{"name", "fuzz"},    {"agent_id", "agent_1"},
                        {"provider", "sim"}, {"from_number", "+14155550100"},
                        {"concurrency", 2},  {"retry_attempts", 1},
                        {"status", "draft"}, {"contacts", {{{"phone_number", "+14155550101"}, {"first_name", "Ann"}}}}};

// One body that is certainly not acceptable.
std::string malformed(std::mt19937_64& rng, const json& valid) {
  std::string text = valid.dump();
  switch (rng() % 5) {
    case 0:  // a strict prefix of a JSON object is never valid JSON
      return text.substr(0, rng() % (text.size() - 1));
    case 1: {  // random bytes (a scalar or an array that happens to parse is still not a request)
      std::string junk(1 + rng() % 200, ' ');
      for (auto& c : junk) c = static_cast<char>(rng() % 256);
      return junk;
    }
    case 2: {  // a known field with the wrong type
      json j = valid;
      auto it = j.begin();
      std::advance(it, static_cast<long>(rng() % j.size()));
      // (null is no wrong type: for an optional field it means "absent")
      const json wrong[] = {json(12345), json(-1), json(true), json("x"), json::array({1}), json::object({{"k", 1}})};
      // Start at a random candidate and take the first whose type differs from the field's.
      auto start = rng() % std::size(wrong);
      for (std::size_t k = 0; k < std::size(wrong); ++k) {
        const json& w = wrong[(start + k) % std::size(wrong)];
        if (w.type() != it->type() && !(w.is_number() && it->is_number())) {
          *it = w;
          break;
        }
      }
      return j.dump();
    }
    case 3: {  // an unknown field
      json j = valid;
      j["field_" + std::to_string(rng() % 1000)] = 1;
      return j.dump();
    }
    default: {  // invalid UTF-8 inside a string
      std::string s = text;
      auto q = s.find('"', 1 + rng() % (s.size() - 2));
      if (q == std::string::npos) q = 1;
      s.insert(q, "\xC3\x28");
      return s;
    }
  }
}

}  // namespace

TEST_CASE("malformed: every malformed body gets a 4xx and the daemon stays healthy") {
  const char* env = std::getenv("DIALERD_MALFORMED_REQUESTS");
  const int requests = env && *env ? std::atoi(env) : 3000;
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", {{"kind", "simulator"}}}}}});
  auto created = http_post(daemon.url("/v1/campaigns"), kCampaign.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();

  struct Target {
    std::string path;
    json valid;
  };
  const std::vector<Target> targets = {
      {"/v1/campaigns", kCampaign},
      {"/v1/campaigns/" + id + "/contacts", {{"contacts", {{{"phone_number", "+14155550102"}}}}}},
      {"/v1/suppressions", {{"phone_number", "+14155550103"}, {"reason", "test"}}},
      {"/v1/providers/sim/events", {{"status", "completed"}}},
      {"/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", "+14155550104"}}}}},
      {"/v1/calls/bulk", {{"campaign_id", id}, {"contacts", {{{"phone_number", "+14155550105"}}}}}},
  };
  std::mt19937_64 rng(20261123);
  int non_4xx = 0;
  for (int i = 0; i < requests; ++i) {
    const auto& t = targets[static_cast<std::size_t>(rng()) % targets.size()];
    auto body = malformed(rng, t.valid);
    auto r = http_post(daemon.url(t.path), body);
    // A bulk call answers 200 with per-record failures when only a record is bad: fine if nothing went out.
    bool bulk_refused = r.status == 200 && t.path == "/v1/calls/bulk" && r.body["data"]["summary"]["successful"] == 0;
    if ((r.status < 400 || r.status >= 500) && !bulk_refused) {
      if (++non_4xx <= 5)
        UNSCOPED_INFO(t.path << " " << r.status << " for "
                             << json(body).dump(-1, ' ', false, json::error_handler_t::replace) << " -> " << r.raw);
    }
  }
  CHECK(non_4xx == 0);
  // Malformed CSV too.
  for (const char* csv : {"", "\"", "phone_number\n\"+1", "a,a\n1,2", "phone_number,x\n1", "\xFF\xFE"})
    CHECK(http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), csv, "text/csv").status / 100 == 4);
  CHECK(http_get(daemon.url("/healthz")).status == 200);
  CHECK(daemon.running());
  // Nothing accepted before was lost; nothing malformed was stored.
  auto data = http_get(daemon.url("/v1/campaigns/" + id)).body["data"];
  CHECK(data["counts"]["total"] == 1);
  CHECK(http_get(daemon.url("/v1/campaigns")).body["data"]["items"].size() == 1);
  CHECK(http_get(daemon.url("/v1/suppressions")).body["data"]["items"].empty());
}

TEST_CASE("malformed: a value with line breaks cannot forge a log line") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", {{"kind", "simulator"}}}}}});
  json c = kCampaign;
  c["name"] = "x\n2026-01-01T00:00:00.000 error FORGED line\r\x1b[31m";
  REQUIRE(http_post(daemon.url("/v1/campaigns"), c.dump()).status == 201);
  daemon.stop();
  auto log = daemon.log();
  CHECK_THAT(log, Catch::Contains("created 'x\\n2026-01-01T00:00:00.000 error FORGED line\\r\\x1b[31m'"));
  CHECK(log.find("\nFORGED") == std::string::npos);
  CHECK(log.find("\n2026-01-01T00:00:00.000 error") == std::string::npos);
  CHECK(log.find('\x1b') == std::string::npos);
}
