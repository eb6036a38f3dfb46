#include "dialerd/scheduler/predial.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "dialerd/domain/contact.hpp"
#include "dialerd/http/url_policy.hpp"
#include "dialerd/util/json_text.hpp"
#include "dialerd/util/log_safe.hpp"
#include "dialerd/util/metrics.hpp"
#include "dialerd/util/time.hpp"
#include "dialerd/webhooks/sender.hpp"

namespace dialerd::scheduler {

using domain::UnixMs;
using Answer = schedule::PredialAnswer;

namespace {

const char* const kAsksHelp = "Pre-dial asks, by answer (allowed, denied, error).";
metrics::Counter& asks(const char* answer) {
  return metrics::registry().counter("dialerd_predial_asks_total", kAsksHelp, {{"answer", answer}});
}
const char* answer_name(Answer::Kind k) {
  switch (k) {
    case Answer::Kind::allowed:
      return "allowed";
    case Answer::Kind::denied:
      return "denied";
    case Answer::Kind::error:
      return "error";
  }
  return "error";
}

// At most this much of the endpoint's reason is kept (it is shown in every explanation of the call).
constexpr std::size_t kMaxReason = 500;

}  // namespace

PredialChecker::PredialChecker(asio::io_context& ioc, const util::Clock& clock) : ioc_(ioc), clock_(clock) {
  for (const char* a : {"allowed", "denied", "error"}) asks(a);  // listed at zero from the start
}

void PredialChecker::set_settings(const config::WebhookSettings& settings) {
  if (!client_ || settings.ca_file != settings_.ca_file)
    client_ = std::make_shared<http::Client>(ioc_.get_executor(), http::TlsOptions{settings.ca_file});
  settings_ = settings;
  client_->set_address_filter([allowed = settings_.allow_networks](const boost::asio::ip::address& a) {
    return http::address_refusal(a, allowed);
  });
}

std::optional<Answer> PredialChecker::answer(domain::CampaignId campaign, const std::string& url,
                                             std::string_view phone, UnixMs now) const {
  auto it = cache_.find(Key{campaign, std::string(phone)});
  if (it == cache_.end() || it->second.expires_at <= now || it->second.url != url) return std::nullopt;
  return it->second.answer;
}

std::string PredialChecker::request_body(const domain::Campaign& c, const PredialSubject& s, UnixMs now) {
  using nlohmann::json;
  auto variables = json::parse(s.variables, nullptr, /*allow_exceptions=*/false);
  if (!variables.is_object()) variables = json::object();
  json campaign = {{"id", std::to_string(c.id)}, {"name", c.spec.name}, {"workspace", c.spec.workspace}};
  campaign["subject"] = c.spec.subject ? json(*c.spec.subject) : json(nullptr);
  json contact = {{"phone_number", s.phone},
                  {"contact_id", s.contact_id ? json(domain::contact_ref(*s.contact_id)) : json(nullptr)},
                  {"first_name", s.first_name},
                  {"last_name", s.last_name},
                  {"variables", std::move(variables)}};
  json call = {{"id", s.call_id ? json(std::to_string(*s.call_id)) : json(nullptr)},
               {"attempt", s.attempt > 0 ? json(s.attempt) : json(nullptr)}};
  return json{{"type", "predial.check"},
              {"asked_at", util::format_rfc3339(now)},
              {"campaign", std::move(campaign)},
              {"contact", std::move(contact)},
              {"call", std::move(call)}}
      .dump();
}

Answer PredialChecker::read_answer(const http::ClientResult& result, UnixMs now) {
  Answer a;
  a.asked_at = now;
  a.kind = Answer::Kind::error;
  if (!result) {
    a.reason = result.error().timed_out ? "no answer within predial.timeout_ms (" + result.error().message + ")"
                                        : result.error().message;
    return a;
  }
  if (result->status < 200 || result->status >= 300) {
    a.reason = "HTTP " + std::to_string(result->status);
    return a;
  }
  auto body = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  auto allow = body.is_object() ? body.find("allow") : body.end();
  if (!body.is_object() || allow == body.end() || !allow->is_boolean()) {
    a.reason = "the answer is not a JSON object with a boolean \"allow\"";
    return a;
  }
  if (auto r = body.find("reason"); r != body.end() && !r->is_null()) {
    if (!r->is_string()) {
      a.reason = "the answer's \"reason\" is not a string";
      return a;
    }
    a.reason = util::escape_control(util::utf8_prefix(r->get<std::string>(), kMaxReason));
  }
  a.kind = allow->get<bool>() ? Answer::Kind::allowed : Answer::Kind::denied;
  if (auto r = body.find("retry_after_seconds"); r != body.end() && !r->is_null() && a.kind == Answer::Kind::denied) {
    if (!r->is_number_integer() || r->get<std::int64_t>() < 0 || r->get<std::int64_t>() > 366LL * 86400) {
      a = Answer{Answer::Kind::error,
                 "the answer's \"retry_after_seconds\" is not a whole number of seconds 0..31622400", std::nullopt,
                 now};
      return a;
    }
    a.retry_at = now + r->get<std::int64_t>() * 1000;
  }
  return a;
}

bool PredialChecker::ask(const domain::Campaign& campaign, PredialSubject subject) {
  if (!campaign.spec.predial) return false;
  Key key{campaign.id, subject.phone};
  if (asking_.count(key)) return true;
  int& under_way = asking_per_campaign_[campaign.id];
  if (under_way >= kMaxAsksPerCampaign) return false;
  ++under_way;
  asking_.insert(key);
  asio::co_spawn(ioc_, run_ask(campaign, std::move(subject)), asio::detached);
  return true;
}

awaitable<void> PredialChecker::ask_all(const domain::Campaign& campaign, std::vector<PredialSubject> subjects) {
  if (!campaign.spec.predial) co_return;
  std::vector<bool> asked(subjects.size(), false);
  asio::steady_timer timer(ioc_);
  waiters_->insert(&timer);
  struct Leave {
    std::shared_ptr<std::set<asio::steady_timer*>> waiters;
    asio::steady_timer* timer;
    ~Leave() { waiters->erase(timer); }
  } leave{waiters_, &timer};
  for (;;) {
    // Done when each subject has an answer, or was asked and its ask has ended (an answer that expired
    // already is not asked for again: the caller sees no answer).
    bool done = true;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      const auto now = clock_.now_ms();
      if (answer(campaign.id, campaign.spec.predial->url, subjects[i].phone, now)) continue;
      const bool under_way = asking_.count(Key{campaign.id, subjects[i].phone}) > 0;
      if (asked[i] && !under_way) continue;
      done = false;
      if (!under_way && ask(campaign, subjects[i])) asked[i] = true;
      if (under_way) asked[i] = true;
    }
    if (done) co_return;
    timer.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

awaitable<void> PredialChecker::run_ask(domain::Campaign campaign, PredialSubject subject) {
  const auto& spec = *campaign.spec.predial;
  Key key{campaign.id, subject.phone};
  const UnixMs now = clock_.now_ms();
  Answer a;
  auto secret = settings_.secrets.find(spec.secret_id);
  // The URL and the secret are checked at each ask too: a reload may have taken the secret away.
  if (auto url = http::url_problem(spec.url); !url) {
    a = Answer{Answer::Kind::error, "the URL is refused: " + url.error(), std::nullopt, now};
  } else if (secret == settings_.secrets.end()) {
    a = Answer{Answer::Kind::error, "secret_id '" + spec.secret_id + "' is not in webhooks.secrets", std::nullopt, now};
  } else {
    http::ClientRequest req;
    req.url = spec.url;
    req.body = request_body(campaign, subject, now);
    req.timeout_ms = spec.timeout_ms;
    req.max_answer_bytes = 64 * 1024;
    req.headers = {{"X-Dialerd-Event-Type", "predial.check"},
                   {"X-Dialerd-Signature", webhooks::signature_header(secret->second, now / 1000, req.body)},
                   {"User-Agent", "dialerd"}};
    auto client = client_;
    auto result = co_await client->fetch(std::move(req));
    a = read_answer(result, now);
  }
  asks(answer_name(a.kind)).inc();
  // An answer stands from when it came (an ask may take up to timeout_ms, longer than cache_seconds).
  const UnixMs came = std::max(clock_.now_ms(), now);
  const UnixMs stands = std::int64_t{spec.cache_seconds} * 1000;
  Entry entry{spec.url, a, came + stands};
  if (a.kind == Answer::Kind::error) {
    entry.expires_at = came + std::min(stands, kErrorStandsMs);
    entry.answer.retry_at = entry.expires_at;
    // Said at most every 10 s per campaign: an endpoint that is down fails every ask.
    if (auto& said = error_logged_at_[campaign.id]; said == 0 || now - said >= 10000) {
      said = now;
      spdlog::warn("campaign {}: the pre-dial endpoint gave no answer{}: {} (on_error {}: {})", campaign.id,
                   subject.call_id ? " for call " + std::to_string(*subject.call_id) : std::string(), a.reason,
                   spec.call_on_error ? "call" : "wait",
                   spec.call_on_error ? "the calls go out" : "the calls wait and are asked about again");
    }
  } else if (a.kind == Answer::Kind::denied && a.retry_at) {
    entry.expires_at = std::min(entry.expires_at, *a.retry_at);
  }
  keep(key, std::move(entry), now);
  asking_.erase(key);
  if (auto it = asking_per_campaign_.find(campaign.id); it != asking_per_campaign_.end() && --it->second <= 0)
    asking_per_campaign_.erase(it);
  answered();
}

void PredialChecker::keep(Key key, Entry entry, UnixMs now) {
  if (cache_.size() >= kMaxCached && !cache_.count(key)) {
    std::erase_if(cache_, [now](const auto& e) { return e.second.expires_at <= now; });
    // Still full: drop the answers that expire first (a tenth, so this runs rarely).
    if (cache_.size() >= kMaxCached) {
      std::vector<std::pair<UnixMs, Key>> by_expiry;
      by_expiry.reserve(cache_.size());
      for (const auto& [k, e] : cache_) by_expiry.emplace_back(e.expires_at, k);
      const auto drop = by_expiry.begin() + static_cast<std::ptrdiff_t>(kMaxCached / 10);
      std::nth_element(by_expiry.begin(), drop, by_expiry.end());
      for (auto it = by_expiry.begin(); it != drop; ++it) cache_.erase(it->second);
    }
  }
  cache_[std::move(key)] = std::move(entry);
}

void PredialChecker::answered() {
  for (auto* t : *waiters_) t->cancel();
  if (on_answer_) on_answer_();
}

}  // namespace dialerd::scheduler
