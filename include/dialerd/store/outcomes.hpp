#pragma once
// The submissions-and-outcomes role of the store: a claimed chunk's send and answer, outcomes (the
// scheduler's rule decides what each does, the store records it), timeouts, start-up reconciliation and
// the operator's decisions on held calls. No SQLite type here: another backend implements the same
// interface.
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
  // is kept and applied when the submission's answer is recorded. corrupt: the call's stored row cannot be
  // read (what it breaks in `corrupt`); nothing is written for it, the other outcomes go on.
  enum class Effect { applied, duplicate, deferred, unknown_call, corrupt };
  Effect effect = Effect::unknown_call;
  domain::CampaignId campaign_id = 0;
  domain::CallId call_id = 0;
  domain::CallState state = domain::CallState::pending;  // the call's state afterwards
  std::string corrupt;
  // An opt-out (domain::Outcome::opted_out): the contact's pending calls it skipped, in every campaign of
  // the workspace, and the number suppressed for the workspace in the same transaction.
  std::int64_t skipped = 0;
};

// What start-up reconciliation found among calls left dispatching by a crash.
struct Reconciliation {
  int released = 0;  // non-idempotent providers, chunks never written (no mark_sent): pending again
  int held = 0;      // non-idempotent providers, chunks that may have been sent: held for an operator
  std::vector<domain::DispatchChunk> resubmit;  // idempotent providers: send again under the same key
};

enum class HeldAction { release, fail };

class Outcomes {
 public:
  virtual ~Outcomes() = default;

  // The rule each outcome recorded from now on is decided by (record_submission's early outcomes,
  // record_outcomes, expire_in_progress). The scheduler installs its own: the retry settings in force and
  // its draws. None (or an empty rule): the default retry settings and no jitter.
  virtual void set_outcome_rule(schedule::OutcomeRule rule) = 0;
  // Records, durably, that a claimed chunk's request is about to be written (issue 16.7); forgotten when
  // its answer is recorded. Only a chunk recorded here can have reached the provider.
  virtual void mark_sent(const std::string& dispatch_key, domain::UnixMs now) = 0;
  // Records the provider's answer for a claimed chunk, in one transaction.
  virtual void record_submission(const domain::DispatchChunk& chunk, const std::vector<domain::SubmitResult>& results,
                                 domain::UnixMs now) = 0;
  // Applies outcomes for calls of `provider`'s campaigns, in one transaction. Duplicates change nothing.
  virtual std::vector<OutcomeApplied> record_outcomes(const std::string& provider,
                                                      const std::vector<domain::OutcomeReport>& reports,
                                                      domain::UnixMs now) = 0;
  // Calls in progress with no outcome since `cutoff` or earlier (a call times out at exactly accepted +
  // timeout, the instant the scheduler wakes for): the outcome `timeout` is applied to at most `limit` of
  // them (failed, or pending again when the rule retries timeout). One transaction.
  virtual std::vector<OutcomeApplied> expire_in_progress(domain::UnixMs cutoff, int limit, domain::UnixMs now) = 0;
  // When the longest-running in-progress call went in progress.
  virtual std::optional<domain::UnixMs> oldest_in_progress() = 0;
  // Provider call ids of the in-progress calls of `provider`'s campaigns.
  virtual std::vector<std::string> in_progress_call_ids(const std::string& provider) = 0;

  // Start-up reconciliation of calls left dispatching by a crash: for providers whose submission is
  // idempotent they are returned as chunks to resubmit under their original keys; for the others, calls
  // whose chunk was never marked sent go back to pending (their attempt given back), and the rest are
  // held with `reason`, never redialled until an operator decides.
  virtual Reconciliation reconcile_dispatching(const std::function<bool(const std::string& provider)>& idempotent,
                                               const std::string& reason, domain::UnixMs now) = 0;
  // An operator's decision on held calls: release (pending again, due now) or fail. Calls that are not
  // held are left alone; returns the ids that moved.
  virtual std::vector<domain::CallId> resolve_held(const std::vector<domain::CallId>& ids, HeldAction action,
                                                   const std::string& reason, domain::UnixMs now) = 0;
  virtual std::vector<domain::CallId> held_calls(domain::CampaignId campaign_id) = 0;
};

}  // namespace dialerd::store
