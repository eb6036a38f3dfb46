// Webhook signatures, bodies and retry delays (docs/WEBHOOKS.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dialerd/webhooks/sender.hpp"

using namespace dialerd;

namespace {
struct Vector {
  std::string secret, timestamp, body, signature;
};

// The "Test vectors" list of docs/WEBHOOKS.md: "- secret: `...`" lines, four per vector.
std::vector<Vector> documented_vectors() {
  std::ifstream in(std::string(DIALERD_SOURCE_DIR) + "/docs/WEBHOOKS.md");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<Vector> out;
  std::regex line(R"(^\s*- (secret|timestamp|body|signature): `(.*)`\s*$)");
  std::string l;
  while (std::getline(text, l)) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    if (m[1] == "secret") out.emplace_back();
    REQUIRE(!out.empty());
    auto& v = out.back();
    (m[1] == "secret" ? v.secret : m[1] == "timestamp" ? v.timestamp : m[1] == "body" ? v.body : v.signature) = m[2];
  }
  return out;
}
}  // namespace

TEST_CASE("webhooks: the signature test vectors in docs/WEBHOOKS.md hold") {
  auto vectors = documented_vectors();
  REQUIRE(vectors.size() == 2);
  for (const auto& v : vectors) {
    INFO(v.body);
    CHECK(webhooks::signature_header(v.secret, std::stoll(v.timestamp), v.body) == v.signature);
  }
}

TEST_CASE("webhooks: an event's body is fixed by its stored fields") {
  store::OutboxEvent e;
  e.event_id = "evt_00aa11bb22cc33dd44ee55ff";
  e.type = "campaign.paused";
  e.created_at = 1767229200000;
  e.payload = R"({"campaign_id":"7","name":"reminders","status":"paused","previous_status":"running"})";
  auto body = webhooks::event_body(e);
  CHECK(body == documented_vectors().at(1).body);
  CHECK(nlohmann::json::parse(body)["data"]["status"] == "paused");
  CHECK(webhooks::event_body(e) == body);
}

TEST_CASE("webhooks: retry delays double from the minimum up to the cap with bounded jitter") {
  webhooks::Settings s;
  s.retry_min_ms = 1000;
  s.retry_max_s = 10;
  CHECK(webhooks::retry_delay_ms(1, s, 0.5) == 1000);
  CHECK(webhooks::retry_delay_ms(2, s, 0.5) == 2000);
  CHECK(webhooks::retry_delay_ms(4, s, 0.5) == 8000);
  CHECK(webhooks::retry_delay_ms(5, s, 0.5) == 10000);
  CHECK(webhooks::retry_delay_ms(40, s, 0.5) == 10000);
  CHECK(webhooks::retry_delay_ms(1, s, 0.0) == 800);
  CHECK(webhooks::retry_delay_ms(1, s, 0.999999) <= 1200);
  // webhooks.retry_max_seconds is the longest wait, jitter included (it once reached 120 % of it).
  CHECK(webhooks::retry_delay_ms(40, s, 0.999999) == 10000);
  CHECK(webhooks::retry_delay_ms(40, s, 0.0) == 8000);
}
