// The webhook sender's loop on simulated time: retries wait for their instant, at most max_in_flight
// deliveries run at once, and an event is abandoned once older than max_age_s. The receiver is real HTTP
// on 127.0.0.1; only the sender's clock and timers are simulated.
#include <catch2/catch.hpp>

#include <chrono>

#include "dialerd/http/network.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/webhooks/sender.hpp"
#include "fakes/webhook_receiver.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using domain::UnixMs;

namespace {

const UnixMs kNow = 1772625600000;  // 2026-03-04 12:00 UTC
const std::uint64_t kSeed = 5;

class SenderLoop {
 public:
  explicit SenderLoop(int max_in_flight = 8, int max_age_s = 3600) {
    settings.secrets = {{"s", "0123456789abcdef"}};
    settings.allow_networks = {*http::parse_network("127.0.0.1")};
    settings.retry_min_ms = 1000;
    settings.retry_max_s = 10;
    settings.max_in_flight = max_in_flight;
    settings.max_age_s = max_age_s;
    sender.set_settings(settings);
  }
  ~SenderLoop() {
    sender.stop();
    settle();
  }
  // A campaign created running queues one campaign.started event.
  void queue_events(int n) {
    for (int i = 0; i < n; ++i) {
      domain::CampaignSpec s;
      s.name = "c" + std::to_string(i);
      s.agent_id = "a";
      s.provider = "acme";
      s.from_number = "+14155550100";
      s.webhook = domain::Webhook{receiver.url(), "s"};
      store.create_campaign(s, {}, time.now_ms());
    }
    sender.wake();
  }
  void settle() {
    ioc.restart();
    while (ioc.poll() > 0) {
    }
  }
  // Runs the loop (real sockets, simulated time standing still) until `done`, checking `each` after every
  // handler; fails after 10 s of wall time.
  template <class Done, class Each>
  void run_until(Done done, Each each) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    ioc.restart();
    while (!done()) {
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      ioc.run_one_for(std::chrono::milliseconds(20));
      each();
    }
    settle();
  }
  void run_until_deliveries(std::size_t n) {
    run_until([&] { return receiver.deliveries().size() >= n; }, [] {});
  }

  testing::WebhookReceiver receiver;
  testing::TempDir dir;
  store::Store store{store::StoreOptions{dir.file("q.db"), "normal"}};
  asio::io_context ioc;
  util::SimulatedTimeSystem time{kNow};
  webhooks::Settings settings;
  webhooks::Sender sender{ioc, store, time, kSeed};
};

}  // namespace

TEST_CASE("sender loop: a failed delivery is tried again at its backoff instant and not before") {
  SenderLoop loop;
  loop.receiver.fail_next(1);
  loop.queue_events(1);
  loop.sender.start();
  loop.run_until_deliveries(1);
  CHECK(loop.receiver.deliveries().at(0).answered == 500);
  // The sender's first jitter draw, from its seed.
  util::Random random(kSeed);
  const UnixMs retry_at = kNow + webhooks::retry_delay_ms(1, loop.settings, random.uniform());
  loop.run_until([&] { return loop.time.next_deadline() == retry_at; }, [] {});
  loop.time.set(retry_at - 1);
  loop.settle();
  CHECK(loop.receiver.deliveries().size() == 1);
  CHECK(loop.time.next_deadline() == retry_at);
  loop.time.set(retry_at);
  loop.run_until_deliveries(2);
  CHECK(loop.receiver.deliveries().at(1).answered == 204);
  loop.run_until([&] { return loop.store.reports().webhook_backlog() == 0; }, [] {});
  CHECK(loop.receiver.accepted_ids().size() == 1);
}

TEST_CASE("sender loop: at most max_in_flight deliveries run at once and each event arrives once") {
  SenderLoop loop(/*max_in_flight=*/2);
  loop.queue_events(7);
  loop.sender.start();
  std::size_t most = 0;
  loop.run_until([&] { return loop.store.reports().webhook_backlog() == 0; },
                 [&] { most = std::max(most, loop.sender.tries_running()); });
  CHECK(most == 2);
  auto ids = loop.receiver.accepted_ids();
  CHECK(ids.size() == 7);
  for (const auto& [id, times] : ids) CHECK(times == 1);
}

TEST_CASE("sender loop: an event still failing after max_age_s is abandoned and tried no more") {
  SenderLoop loop(8, /*max_age_s=*/60);
  loop.receiver.fail_next(1000);
  loop.queue_events(1);
  loop.sender.start();
  loop.run_until_deliveries(1);
  std::size_t tries = 1;
  UnixMs last_try = kNow;
  for (int step = 0; step < 40; ++step) {
    loop.run_until([&] { return loop.store.reports().webhook_backlog() == 0 || loop.time.next_deadline().has_value(); },
                   [] {});
    auto next = loop.time.next_deadline();
    if (!next) break;
    loop.time.set(*next);
    last_try = *next;
    loop.run_until_deliveries(++tries);
  }
  CHECK(loop.store.reports().webhook_backlog() == 0);
  CHECK(loop.time.next_deadline() == std::nullopt);
  // Backoff 1, 2, 4, 8, then 10 s (+/-20 %): the try at or after 60 s is the last.
  CHECK(last_try - kNow >= 60000);
  CHECK(last_try - kNow < 72000);
  CHECK(tries >= 8);
  CHECK(tries <= 12);
  CHECK(loop.receiver.deliveries().size() == tries);
}
