#pragma once
// The pre-dial check (issue 19.6; docs/COMPLIANCE.md, "Pre-dial check"): asks a campaign's endpoint whether
// a number may be called, signed like the webhooks, and keeps each answer for the campaign's cache_seconds.
// Nothing waits for an ask on the loop: the claim leaves a call that has no answer yet where it is, starts
// the ask, and the answer wakes the scheduler; POST /v1/calls awaits its asks before it places anything.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialerd/asio.hpp"
#include "dialerd/config/config.hpp"
#include "dialerd/domain/campaign.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::scheduler {

// Whom an ask is about: the contact, and the call when there is one yet.
struct PredialSubject {
  std::string phone;  // E.164
  std::optional<std::int64_t> contact_id;
  std::optional<domain::CallId> call_id;
  int attempt = 0;  // the attempt the call would be (1 for the first); 0 when not known
  std::string first_name, last_name;
  std::string variables = "{}";  // a JSON object's text
};

class PredialChecker {
 public:
  // Asks under way for one campaign at once: more calls without an answer wait their turn.
  static constexpr int kMaxAsksPerCampaign = 16;
  // A failed ask stands this long (or the campaign's cache_seconds when shorter) before the number is asked
  // again: an endpoint that is down is not asked once per pass.
  static constexpr domain::UnixMs kErrorStandsMs = 30000;
  // The most answers kept; past it, the expired ones are dropped, then the oldest.
  static constexpr std::size_t kMaxCached = 100000;

  PredialChecker(asio::io_context& ioc, const util::Clock& clock);
  // webhooks.secrets sign the asks, webhooks.allow_networks says which special addresses they may reach,
  // webhooks.ca_file which CAs an https endpoint may present. Throws std::runtime_error when the CA file
  // cannot be loaded (the settings in force stay).
  void set_settings(const config::WebhookSettings& settings);
  // Called after each answer (the scheduler wakes).
  void on_answer(std::function<void()> fn) { on_answer_ = std::move(fn); }

  // The standing answer of the campaign's endpoint `url` for the number at `now`; none when it has none
  // (never asked, expired, or asked at another URL).
  std::optional<schedule::PredialAnswer> answer(domain::CampaignId campaign, const std::string& url,
                                                std::string_view phone, domain::UnixMs now) const;
  // Starts asking about the subject, unless an ask for its number is under way or the campaign has
  // kMaxAsksPerCampaign under way. Returns whether an ask for the number is under way now.
  bool ask(const domain::Campaign& campaign, PredialSubject subject);
  // Asks about every subject without a standing answer (at most kMaxAsksPerCampaign at once) and returns
  // when each has had its answer.
  awaitable<void> ask_all(const domain::Campaign& campaign, std::vector<PredialSubject> subjects);

  // The JSON body of an ask (docs/COMPLIANCE.md).
  static std::string request_body(const domain::Campaign& campaign, const PredialSubject& subject, domain::UnixMs now);
  // What an answer of the endpoint means: 2xx with {"allow": true|false, "reason"?, "retry_after_seconds"?};
  // anything else is an error, with why.
  static schedule::PredialAnswer read_answer(const http::ClientResult& result, domain::UnixMs now);

  std::size_t asks_under_way() const { return asking_.size(); }
  std::size_t answers_kept() const { return cache_.size(); }

 private:
  using Key = std::pair<domain::CampaignId, std::string>;
  struct Entry {
    std::string url;
    schedule::PredialAnswer answer;
    domain::UnixMs expires_at = 0;
  };
  awaitable<void> run_ask(domain::Campaign campaign, PredialSubject subject);
  void keep(Key key, Entry entry, domain::UnixMs now);
  void answered();

  asio::io_context& ioc_;
  const util::Clock& clock_;
  config::WebhookSettings settings_;
  std::shared_ptr<http::Client> client_;  // an ask keeps the client it started with
  std::map<Key, Entry> cache_;
  std::set<Key> asking_;
  std::map<domain::CampaignId, int> asking_per_campaign_;
  std::map<domain::CampaignId, domain::UnixMs> error_logged_at_;  // when a failed ask was last logged
  std::function<void()> on_answer_;
  // Each ask_all waiting for answers: a timer it waits on, cancelled by each answer. Shared: an ask_all
  // still waiting when the loop ends is destroyed with the io_context, after this checker.
  std::shared_ptr<std::set<asio::steady_timer*>> waiters_ = std::make_shared<std::set<asio::steady_timer*>>();
};

}  // namespace dialerd::scheduler
