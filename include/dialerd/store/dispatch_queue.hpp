#pragma once
// The dispatch role of the store: what the scheduler reads and records to move calls from pending to
// an outcome (triggers, the claim, submissions, outcomes, timeouts). No SQLite type here: another backend
// implements the same interface.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/domain/dispatch.hpp"
#include "dialerd/schedule/retry.hpp"

namespace dialerd::store {

struct OutcomeApplied {
  // deferred: the call id is not known yet but a submission to this provider is in flight; the outcome
  // is kept and applied when the submission's answer is recorded.
  enum class Effect { applied, duplicate, deferred, unknown_call };
  Effect effect = Effect::unknown_call;
  domain::CampaignId campaign_id = 0;
  domain::CallId call_id = 0;
  domain::CallState state = domain::CallState::pending;  // the call's state afterwards
};

// A due call as the claim sees it: what the compliance decision needs to know about it.
struct Candidate {
  domain::DispatchCall call;
  std::optional<std::string> contact_timezone;
  bool active = true;
  std::optional<std::string> suppression;  // the reason, when the number is suppressed
};

// Call history, read inside the claim's transaction (so it counts the calls the chunk has taken so far).
class History {
 public:
  virtual ~History() = default;
  // Calls placed to the contact since `since`, across every campaign.
  virtual std::int64_t contact_calls_since(std::int64_t contact_id, domain::UnixMs since) = 0;
  // When the contact's n-th most recent call placed since `since` went out; nothing if fewer than n.
  virtual std::optional<domain::UnixMs> contact_nth_recent_call(std::int64_t contact_id, int n,
                                                                domain::UnixMs since) = 0;
};

struct Verdict {
  enum class Kind { dispatch, wait, skip };
  Kind kind = Kind::dispatch;
  domain::UnixMs until = 0;  // wait: due again from this instant
  std::string reason;        // wait, skip: recorded in last_error
};
// Decides each candidate; a null Judge dispatches everything it is given.
using Judge = std::function<Verdict(const Candidate&, History&)>;

struct ClaimOptions {
  int limit = 1000;                // most calls in the chunk
  int max_examined = 0;            // most candidates judged in one claim (0 = 4 x limit)
  bool caller_id_per_call = true;  // false: one from_number for the whole chunk (batch APIs)
  std::string provider;            // where the chunk goes: "" = the campaign's provider (else its failover)
};

class DispatchQueue {
 public:
  virtual ~DispatchQueue() = default;

  // Scheduled campaigns whose trigger time has come, and the earliest trigger still to come.
  virtual std::vector<domain::CampaignId> triggered_campaigns(domain::UnixMs now) = 0;
  virtual std::optional<domain::UnixMs> next_trigger() = 0;
  // Moves a campaign to `to` if the state machine allows it; returns whether it moved.
  virtual bool set_campaign_status(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now) = 0;
  // The campaigns in `status`; one whose row cannot be read is set aside (logged), the others returned.
  virtual std::vector<domain::Campaign> campaigns_with_status(domain::CampaignStatus status) = 0;
  // Completes a running campaign with nothing left to do (complete_when_done); returns whether it did.
  virtual bool complete_if_done(domain::CampaignId id, domain::UnixMs now) = 0;
  // Calls the campaign placed since `since` (its daily cap); its calls dispatching or in progress.
  virtual std::int64_t campaign_calls_since(domain::CampaignId id, domain::UnixMs since) = 0;
  virtual std::int64_t in_flight(domain::CampaignId id) = 0;
  // When the campaign's next pending call is due.
  virtual std::optional<domain::UnixMs> next_due(domain::CampaignId id) = 0;

  // Claims due calls of a running campaign, judging each: marks the dispatched ones dispatching under one
  // fresh idempotency key, defers or skips the others, in one transaction.
  virtual std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, const ClaimOptions& options,
                                                     domain::UnixMs now, const Judge& judge) = 0;
  // The rule each outcome recorded from now on is decided by (record_submission's early outcomes,
  // record_outcomes, expire_in_progress). The scheduler installs its own: the retry settings in force and
  // its draws. None (or an empty rule): the default retry settings and no jitter.
  virtual void set_outcome_rule(schedule::OutcomeRule rule) = 0;
  // Durably notes that a claimed chunk's request is about to be written.
  virtual void mark_sent(const std::string& dispatch_key, domain::UnixMs now) = 0;
  // Records the provider's answer for a claimed chunk, in one transaction.
  virtual void record_submission(const domain::DispatchChunk& chunk, const std::vector<domain::SubmitResult>& results,
                                 domain::UnixMs now) = 0;
  // Applies outcomes for calls of `provider`'s campaigns, in one transaction. Duplicates change nothing.
  virtual std::vector<OutcomeApplied> record_outcomes(const std::string& provider,
                                                      const std::vector<domain::OutcomeReport>& reports,
                                                      domain::UnixMs now) = 0;
  // Applies the outcome `timeout` to at most `limit` calls in progress since `cutoff` or earlier.
  virtual std::vector<OutcomeApplied> expire_in_progress(domain::UnixMs cutoff, int limit, domain::UnixMs now) = 0;
  // When the longest-running in-progress call went in progress.
  virtual std::optional<domain::UnixMs> oldest_in_progress() = 0;
};

}  // namespace dialerd::store
