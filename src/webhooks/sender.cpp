#include "dialerd/webhooks/sender.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "dialerd/http/client.hpp"
#include "dialerd/util/backoff.hpp"
#include "dialerd/util/crypto.hpp"
#include "dialerd/util/metrics.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::webhooks {

std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  std::string signed_text = std::to_string(unix_seconds) + "." + std::string(body);
  return "t=" + std::to_string(unix_seconds) + ",v1=" + util::hmac_sha256_hex(secret, signed_text);
}

std::string event_body(const store::OutboxEvent& e) {
  // The payload is spliced in as stored (a JSON object SQLite built), so the bytes never change.
  return R"({"id":)" + nlohmann::json(e.event_id).dump() + R"(,"type":)" + nlohmann::json(e.type).dump() +
         R"(,"created_at":")" + util::format_rfc3339(e.created_at) + R"(","data":)" + e.payload + "}";
}

domain::UnixMs retry_delay_ms(int failed_tries, const Settings& s, double u) {
  return util::backoff_ms({double(s.retry_min_ms), 2.0, s.retry_max_s * 1000.0, 0.2, 0.2}, failed_tries, u);
}

namespace {
metrics::Counter& deliveries(const char* result) {
  return metrics::registry().counter("dialerd_webhook_deliveries_total", "Webhook delivery tries, by result.",
                                     {{"result", result}});
}
}  // namespace

Sender::Sender(asio::io_context& ioc, store::Outbox& outbox, util::TimeSystem& time, std::uint64_t seed)
    : ioc_(ioc), store_(outbox), clock_(time), timer_(time.make_timer(ioc)), random_(seed) {
  for (const char* result : {"delivered", "failed", "abandoned"}) deliveries(result);  // listed at zero from the start
  metrics::loop_passes("webhooks");
  metrics::loop_busy("webhooks").set(1);  // until its first pass
}

void Sender::set_settings(Settings settings) {
  if (!client_ || settings.ca_file != settings_.ca_file)
    client_ = std::make_shared<http::Client>(ioc_.get_executor(), http::TlsOptions{settings.ca_file});
  settings_ = std::move(settings);
  client_->set_address_filter([allowed = settings_.allow_networks](const boost::asio::ip::address& a) {
    return http::address_refusal(a, allowed);
  });
}

void Sender::start() {
  asio::co_spawn(ioc_, run(), asio::detached);
}

void Sender::wake() {
  metrics::loop_busy("webhooks").set(1);
  timer_->cancel();
}

void Sender::stop() {
  stopped_ = true;
  timer_->cancel();
  record_delivered();
}

void Sender::record_delivered() {
  record_posted_ = false;
  if (delivered_.empty()) return;
  std::vector<std::int64_t> ids;
  ids.swap(delivered_);
  try {
    store_.webhooks_delivered(ids, clock_.now_ms());
  } catch (const std::exception& e) {
    spdlog::error("webhooks: recording {} deliveries failed (they will be sent again): {}", ids.size(), e.what());
  }
  for (auto id : ids) in_flight_.erase(id);
  if (!stopped_) wake();
}

awaitable<void> Sender::run() {
  while (!stopped_) {
    std::optional<domain::UnixMs> next;
    try {
      auto now = clock_.now_ms();
      // in_flight_ also holds the delivered events not yet recorded: they do not take room.
      int room = settings_.max_in_flight - static_cast<int>(in_flight_.size() - delivered_.size());
      if (room > 0) {
        // Events in flight are still due in the table: ask for enough rows to see past them.
        for (auto& event : store_.due_webhooks(now, room + static_cast<int>(in_flight_.size() + delivered_.size()))) {
          if (room <= 0) break;
          if (in_flight_.count(event.id)) continue;
          --room;
          in_flight_.insert(event.id);
          asio::co_spawn(ioc_, deliver(std::move(event)), asio::detached);
        }
      }
      // Due events not taken now wait for a try to end (it wakes this loop); later ones for their time.
      next = store_.next_webhook_due_after(now);
    } catch (const std::exception& e) {
      spdlog::error("webhooks: reading the outbox failed: {}", e.what());
      next = clock_.now_ms() + 1000;
    }
    metrics::loop_passes("webhooks").inc();
    metrics::loop_busy("webhooks").set(in_flight_.empty() ? 0 : 1);
    timer_->expires_at(next);
    co_await timer_->wait();
  }
}

awaitable<void> Sender::deliver(store::OutboxEvent event) {
  auto secret = settings_.secrets.find(event.secret_id);
  // A URL stored before URLs were checked strictly is checked at each try too (never sent as it is).
  if (auto url = http::url_problem(event.url); !url) {
    failed(event, "webhook URL refused: " + url.error());
  } else if (secret == settings_.secrets.end()) {
    failed(event, "secret_id '" + event.secret_id + "' is not in webhooks.secrets");
  } else {
    std::string body = event_body(event);
    http::ClientRequest req;
    req.url = event.url;
    req.body = body;
    req.timeout_ms = settings_.timeout_ms;
    req.max_answer_bytes = 64 * 1024;  // only the status matters; a huge answer is a failed delivery
    req.headers = {{"X-Dialerd-Event-Id", event.event_id},
                   {"X-Dialerd-Event-Type", event.type},
                   {"X-Dialerd-Signature", signature_header(secret->second, clock_.now_ms() / 1000, body)},
                   {"User-Agent", "dialerd"}};
    auto client = client_;
    auto result = co_await client->fetch(std::move(req));
    if (result && result->status >= 200 && result->status < 300) {
      deliveries("delivered").inc();
      spdlog::debug("campaign {}: webhook event {} ({}) delivered to {}", event.campaign_id, event.event_id, event.type,
                    event.url);
      // Recorded with the others that end in this turn of the loop; until then it stays in in_flight_.
      delivered_.push_back(event.id);
      if (stopped_) {
        record_delivered();
      } else if (!record_posted_) {
        record_posted_ = true;
        asio::post(ioc_, [this] { record_delivered(); });
      }
      co_return;
    } else if (result) {
      failed(event, "HTTP " + std::to_string(result->status));
    } else {
      failed(event, result.error().message);
    }
  }
  in_flight_.erase(event.id);
  if (!stopped_) wake();
}

void Sender::failed(const store::OutboxEvent& event, const std::string& error) {
  auto now = clock_.now_ms();
  try {
    bool abandon = now - event.created_at >= domain::UnixMs{settings_.max_age_s} * 1000;
    deliveries(abandon ? "abandoned" : "failed").inc();
    if (abandon) {
      store_.webhook_abandoned(event.id, error, now);
      spdlog::warn("campaign {}: webhook event {} ({}) to {} abandoned after {} tries over {} s; last error: {}",
                   event.campaign_id, event.event_id, event.type, event.url, event.attempts + 1, settings_.max_age_s,
                   error);
      return;
    }
    auto delay = retry_delay_ms(event.attempts + 1, settings_, random_.uniform());
    store_.webhook_retry(event.id, error, now + delay);
    spdlog::info("campaign {}: webhook event {} ({}) to {} failed ({}); try {} in {} ms", event.campaign_id,
                 event.event_id, event.type, event.url, error, event.attempts + 2, delay);
  } catch (const std::exception& e) {
    spdlog::error("webhooks: recording a failed try of {} failed: {}", event.event_id, e.what());
  }
}

}  // namespace dialerd::webhooks
