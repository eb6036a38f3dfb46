// The pre-dial checker (scheduler/predial.hpp) against a fake endpoint on 127.0.0.1: what an answer means,
// what an ask carries, the standing answers and their expiry, and the bound on asks per campaign.
#include <catch2/catch.hpp>

#include "dialerd/http/network.hpp"
#include "dialerd/scheduler/predial.hpp"
#include "dialerd/util/clock.hpp"
#include "fakes/predial_endpoint.hpp"

using namespace dialerd;
using Answer = schedule::PredialAnswer;

namespace {

http::ClientResult answered(int status, std::string body) {
  http::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

domain::Campaign campaign_to(const std::string& url, domain::CampaignId id = 7) {
  domain::Campaign c;
  c.id = id;
  c.spec.name = "renewals";
  c.spec.workspace = "acme";
  c.spec.subject = "policy 9";
  c.spec.predial = domain::Predial{url, "crm", 2000, false, 60};
  return c;
}

config::WebhookSettings settings() {
  config::WebhookSettings s;
  s.secrets = {{"crm", "predial-secret"}};
  s.allow_networks = {*http::parse_network("127.0.0.1")};
  return s;
}

scheduler::PredialSubject subject(std::string phone) {
  return {std::move(phone), std::nullopt, std::nullopt, 1, "", "", "{}"};
}

// Runs the loop until `done` holds (the endpoint answers on its own thread).
template <class Done>
void run_until(asio::io_context& ioc, Done done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(10));
  }
  REQUIRE(done());
}

}  // namespace

TEST_CASE("predial: an answer is allow, deny (maybe for a while), or an error saying what is wrong") {
  const domain::UnixMs now = 1'000'000;
  auto a = scheduler::PredialChecker::read_answer(answered(200, R"({"allow": true, "reason": "ok"})"), now);
  CHECK(a.kind == Answer::Kind::allowed);
  CHECK(a.reason == "ok");
  CHECK(a.asked_at == now);
  a = scheduler::PredialChecker::read_answer(answered(201, R"({"allow": false})"), now);
  CHECK(a.kind == Answer::Kind::denied);
  CHECK_FALSE(a.retry_at);
  a = scheduler::PredialChecker::read_answer(answered(200, R"({"allow": false, "retry_after_seconds": 90})"), now);
  CHECK(a.kind == Answer::Kind::denied);
  CHECK(a.retry_at == now + 90000);
  // A reason is cut to 500 characters with control characters escaped.
  a = scheduler::PredialChecker::read_answer(
      answered(200, nlohmann::json{{"allow", true}, {"reason", "a\nb" + std::string(900, 'x')}}.dump()), now);
  CHECK(a.reason.rfind("a\\nb", 0) == 0);
  CHECK(a.reason.size() <= 501);

  auto error = [&](int status, const std::string& body) {
    auto r = scheduler::PredialChecker::read_answer(answered(status, body), now);
    CHECK(r.kind == Answer::Kind::error);
    return r.reason;
  };
  CHECK(error(500, R"({"allow": true})") == "HTTP 500");
  CHECK(error(302, "") == "HTTP 302");
  CHECK(error(200, "yes") == "the answer is not a JSON object with a boolean \"allow\"");
  CHECK(error(200, R"({"allow": "true"})") == "the answer is not a JSON object with a boolean \"allow\"");
  CHECK(error(200, R"({"allow": true, "reason": 5})") == "the answer's \"reason\" is not a string");
  CHECK_THAT(error(200, R"({"allow": false, "retry_after_seconds": -1})"), Catch::Contains("retry_after_seconds"));
  CHECK_THAT(error(200, R"({"allow": false, "retry_after_seconds": 1.5})"), Catch::Contains("retry_after_seconds"));
  http::ClientResult timed_out = util::fail(http::ClientError{true, true, "deadline reached"});
  CHECK_THAT(scheduler::PredialChecker::read_answer(timed_out, now).reason,
             Catch::Contains("no answer within predial.timeout_ms"));
}

TEST_CASE("predial: an ask names the campaign, the contact and the call") {
  scheduler::PredialSubject who{"+14155550100", 12, 99, 2, "Ann", "Lee", R"({"balance": "120.00"})"};
  auto body = nlohmann::json::parse(
      scheduler::PredialChecker::request_body(campaign_to("https://crm.example/ok"), who, 1'781'524'800'000));
  CHECK(body["type"] == "predial.check");
  CHECK(body["asked_at"] == "2026-06-15T12:00:00.000Z");
  CHECK(body["campaign"] ==
        nlohmann::json({{"id", "7"}, {"name", "renewals"}, {"workspace", "acme"}, {"subject", "policy 9"}}));
  CHECK(body["contact"] == nlohmann::json({{"phone_number", "+14155550100"},
                                           {"contact_id", "ctc_12"},
                                           {"first_name", "Ann"},
                                           {"last_name", "Lee"},
                                           {"variables", {{"balance", "120.00"}}}}));
  CHECK(body["call"] == nlohmann::json({{"id", "99"}, {"attempt", 2}}));
  // Call-now asks before the call exists.
  scheduler::PredialSubject fresh{"+14155550100", std::nullopt, std::nullopt, 1, "", "", "not json"};
  body = nlohmann::json::parse(
      scheduler::PredialChecker::request_body(campaign_to("https://crm.example/ok"), fresh, 1'781'524'800'000));
  CHECK(body["call"]["id"].is_null());
  CHECK(body["contact"]["contact_id"].is_null());
  CHECK(body["contact"]["variables"] == nlohmann::json::object());
}

TEST_CASE("predial: answers stand for cache_seconds, an error for 30 s, and at most 16 asks of a campaign run") {
  testing::PredialEndpoint endpoint;
  endpoint.deny({"+14155550102"});
  asio::io_context ioc;
  util::ManualClock clock(1'781'524'800'000);
  scheduler::PredialChecker checker(ioc, clock);
  checker.set_settings(settings());
  int woken = 0;
  checker.on_answer([&] { ++woken; });
  auto allow = campaign_to(endpoint.url("allow"));
  const auto& url = allow.spec.predial->url;

  CHECK(checker.ask(allow, subject("+14155550101")));
  CHECK(checker.ask(allow, subject("+14155550101")));  // under way: not asked twice
  CHECK(checker.ask(allow, subject("+14155550102")));
  CHECK(checker.asks_under_way() == 2);
  run_until(ioc, [&] { return woken == 2; });
  CHECK(endpoint.asks("allow").size() == 2);
  auto now = clock.now_ms();
  CHECK(checker.answer(allow.id, url, "+14155550101", now)->kind == Answer::Kind::allowed);
  CHECK(checker.answer(allow.id, url, "+14155550102", now)->kind == Answer::Kind::denied);
  CHECK_FALSE(checker.answer(allow.id, "https://elsewhere.example/", "+14155550101", now));  // another URL
  CHECK_FALSE(checker.answer(allow.id + 1, url, "+14155550101", now));                       // another campaign
  clock.advance(60000);
  CHECK_FALSE(checker.answer(allow.id, url, "+14155550101", clock.now_ms()));  // cache_seconds passed

  // An error stands 30 s, and says when it is asked again.
  auto failing = campaign_to(endpoint.url("fail"), 8);
  CHECK(checker.ask(failing, subject("+14155550103")));
  run_until(ioc, [&] { return woken == 3; });
  auto error = checker.answer(failing.id, failing.spec.predial->url, "+14155550103", clock.now_ms());
  REQUIRE(error);
  CHECK(error->kind == Answer::Kind::error);
  CHECK(error->reason == "HTTP 500");
  CHECK(error->retry_at == clock.now_ms() + 30000);
  clock.advance(30000);
  CHECK_FALSE(checker.answer(failing.id, failing.spec.predial->url, "+14155550103", clock.now_ms()));

  // A secret that is not configured is an error without a request.
  auto unsigned_campaign = campaign_to(endpoint.url("allow"), 9);
  unsigned_campaign.spec.predial->secret_id = "gone";
  CHECK(checker.ask(unsigned_campaign, subject("+14155550104")));
  run_until(ioc, [&] { return woken == 4; });
  CHECK_THAT(checker.answer(9, unsigned_campaign.spec.predial->url, "+14155550104", clock.now_ms())->reason,
             Catch::Contains("not in webhooks.secrets"));
  CHECK(endpoint.asks("allow").size() == 2);

  // A slow endpoint: 16 asks of one campaign at once; another campaign still gets its own.
  endpoint.set_delay_ms(1500);
  auto slow = campaign_to(endpoint.url("slow"), 10);
  int started = 0;
  for (int i = 0; i < 20; ++i) started += checker.ask(slow, subject("+1415555020" + std::to_string(i))) ? 1 : 0;
  CHECK(started == 16);
  CHECK(checker.asks_under_way() == 16);
  auto other = campaign_to(endpoint.url("slow"), 11);
  CHECK(checker.ask(other, subject("+14155550300")));
  CHECK(checker.asks_under_way() == 17);

  // ask_all: every subject answered, in turns of 16 (call-now).
  std::vector<scheduler::PredialSubject> many;
  for (int i = 0; i < 20; ++i) many.push_back(subject("+1415555020" + std::to_string(i)));
  bool done = false;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        co_await checker.ask_all(slow, many);
        done = true;
      },
      asio::detached);
  run_until(ioc, [&] { return done; });
  for (const auto& s : many) CHECK(checker.answer(slow.id, slow.spec.predial->url, s.phone, clock.now_ms()));
  CHECK(endpoint.asks("slow").size() == 21);  // each once
}
