#pragma once
// Outbound webhooks (docs/WEBHOOKS.md): events queued in the durable outbox are POSTed to the campaign's
// webhook URL, signed with HMAC-SHA256, retried with backoff until delivered or too old. At least once,
// with a stable event id; not ordered.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "dialerd/asio.hpp"
#include "dialerd/config/config.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/url_policy.hpp"
#include "dialerd/store/outbox.hpp"
#include "dialerd/util/random.hpp"
#include "dialerd/util/timer.hpp"

namespace dialerd::webhooks {

using Settings = config::WebhookSettings;

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>": the X-Dialerd-Signature header.
std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body);
// The JSON body delivered for an event: fixed by its stored fields, so every try sends the same bytes.
std::string event_body(const store::OutboxEvent& event);
// The wait before the next try after `failed_tries` failures: util::backoff_ms from retry_min_ms, doubling,
// at most retry_max_s, with +/-20 % jitter (`u` in [0, 1)).
domain::UnixMs retry_delay_ms(int failed_tries, const Settings& settings, double u);

class Sender {
 public:
  // Reads the time from `time` and waits on its timers. seed: for the retry jitter (util::Random; 0 draws
  // one).
  Sender(asio::io_context& ioc, store::Outbox& outbox, util::TimeSystem& time, std::uint64_t seed = 0);
  // Throws std::runtime_error when settings.ca_file cannot be loaded (the settings in force stay).
  void set_settings(Settings settings);
  void start();
  // An event was queued: look again now.
  void wake();
  // No new tries start; tries in flight finish (an event whose try is cut short is tried again later).
  void stop();
  // Events taken by a try, delivered ones not yet recorded included.
  std::size_t in_flight() const { return in_flight_.size(); }
  // Tries under way: what webhooks.max_in_flight bounds.
  std::size_t tries_running() const { return in_flight_.size() - delivered_.size(); }
  // Records the deliveries not yet recorded (stop() does too). Each turn of the event loop records the
  // deliveries that ended in it in one transaction, rather than one transaction (and fsync) each.
  void record_delivered();

 private:
  awaitable<void> run();
  awaitable<void> deliver(store::OutboxEvent event);
  // Records a failed try: retried later, or abandoned once the event is older than max_age_s.
  void failed(const store::OutboxEvent& event, const std::string& error);

  asio::io_context& ioc_;
  store::Outbox& store_;  // the only part of the store the sender uses
  const util::Clock& clock_;
  Settings settings_;
  std::shared_ptr<http::Client> client_;  // a delivery keeps the client it started with
  std::unique_ptr<util::Timer> timer_;
  std::set<std::int64_t> in_flight_;
  std::vector<std::int64_t> delivered_;  // delivered, not yet recorded: still due in the outbox, not sent again
  bool record_posted_ = false;
  bool stopped_ = false;
  util::Random random_;  // retry jitter
};

}  // namespace dialerd::webhooks
