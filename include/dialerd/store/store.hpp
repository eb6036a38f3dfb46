#pragma once
// The durable queue: campaigns, contacts, calls and attempts in SQLite (docs/SCHEMA.md).
// Every state change is one transaction; a chunk is marked dispatching and committed before it is sent.
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/domain/dispatch.hpp"
#include "dialerd/schedule/retry.hpp"
#include "dialerd/store/dispatch_queue.hpp"
#include "dialerd/store/errors.hpp"
#include "dialerd/store/outbox.hpp"
#include "dialerd/util/random.hpp"

namespace dialerd::store {

using domain::OutcomeReport;
using domain::SubmitResult;

namespace sqlite {
class Db;
class Stmt;
}  // namespace sqlite

struct StoreOptions {
  std::string path;
  std::string synchronous = "full";  // full | normal
  int busy_timeout_ms = 5000;
  int wal_autocheckpoint_pages = 1000;
  std::uint64_t seed = 0;  // for util::Random (random caller-id rotation, key salt); 0 draws one
};

// What start-up reconciliation found among calls left dispatching by a crash.
struct Reconciliation {
  int released = 0;  // non-idempotent providers, chunks never written (no mark_sent): pending again
  int held = 0;      // non-idempotent providers, chunks that may have been sent: held for an operator
  std::vector<domain::DispatchChunk> resubmit;  // idempotent providers: send again under the same key
};

struct CallRef {
  domain::CallId id = 0;
  domain::CampaignId campaign_id = 0;
  domain::CallState state = domain::CallState::pending;
  std::string workspace;
};

enum class HeldAction { release, fail };

// One call in full, for GET /v1/calls/{id}.
struct AttemptRecord {
  int number = 0;
  std::string dispatch_key, from_number, provider_call_id, outcome, detail;
  domain::UnixMs submitted_at = 0;
  std::optional<domain::UnixMs> finished_at;
};
struct CallDetail {
  Candidate candidate;  // the call as a claim would see it
  domain::CampaignId campaign_id = 0;
  domain::CallState state = domain::CallState::pending;
  int attempts = 0;
  domain::UnixMs next_attempt_at = 0, created_at = 0, updated_at = 0;
  std::optional<std::string> last_outcome, last_error, provider_call_id;
  std::vector<AttemptRecord> history;
};

// The SQLite store. It implements the store's roles (store::DispatchQueue for the scheduler,
// store::Outbox for the webhook sender so far; the others follow) and, until they are split out, everything else the
// daemon keeps.
class Store final : public DispatchQueue, public Outbox {
 public:
  explicit Store(const StoreOptions& options);
  ~Store();
  // How long a statement may wait for another connection's lock before it fails (locked()). Opening waits
  // options.busy_timeout_ms; once the daemon serves it waits store::kLoopLockWaitMs and retries off the
  // loop (lock_wait.hpp).
  void set_lock_wait(int ms);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Creates the campaign and its calls (upserting contacts) in one transaction.
  domain::CampaignId create_campaign(const domain::CampaignSpec& spec,
                                     const std::vector<domain::ContactInput>& contacts, domain::UnixMs now);
  struct AddedContacts {
    std::int64_t added = 0;                // new calls
    std::int64_t updated = 0;              // records that matched a pending call of the campaign and updated it
    std::vector<domain::CallId> call_ids;  // one per record, in order
  };
  // Adds contacts to a campaign in one transaction (callers chunk large lists).
  AddedContacts add_contacts(domain::CampaignId id, const std::vector<domain::ContactInput>& contacts,
                             domain::UnixMs now);
  std::optional<domain::Campaign> campaign(domain::CampaignId id);
  // The campaign if it belongs to `workspace`: one query that finds nothing alike for a missing id and for
  // another workspace's, so the API answers both the same way in the same time.
  std::optional<domain::Campaign> campaign(const std::string& workspace, domain::CampaignId id);
  // campaign() throws CorruptRow for a row it cannot read. campaigns_with_status() sets such a campaign
  // aside (logged as an error, once per campaign and process) so the others go on.
  std::vector<domain::Campaign> campaigns_with_status(domain::CampaignStatus status) override;
  domain::CallCounts counts(domain::CampaignId id);
  std::int64_t in_flight(domain::CampaignId id) override;

  // Moves a campaign to `to` if the state machine allows it; returns whether it moved.
  bool set_campaign_status(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now) override;
  // Stores the settings PATCH may change (name, timezone, window, working days, pacing, retries, rotation).
  void update_settings(domain::CampaignId id, const domain::CampaignSpec& spec, domain::UnixMs now);
  // Cancels a campaign: in one transaction it moves to cancelled (so nothing of it is claimed again) and
  // the first kCancelSlice of its pending calls are skipped with `reason`; skip_pending does the rest, a
  // slice at a time, and finish_cancels at start-up whatever a stop interrupted (held and in-flight calls
  // are left to finish or to an operator). Returns whether it moved.
  static constexpr int kCancelSlice = 2000;
  bool cancel_campaign(domain::CampaignId id, const std::string& reason, domain::UnixMs now);
  // Skips up to `limit` pending calls of the campaign; returns how many.
  int skip_pending(domain::CampaignId id, const std::string& reason, domain::UnixMs now, int limit);
  // Skips the pending calls of every cancelled campaign; returns how many there were.
  std::int64_t finish_cancels(domain::UnixMs now);
  // Campaign ids in id order after `after_id`, optionally of one status.
  std::vector<domain::CampaignId> campaign_ids(const std::string& workspace,
                                               std::optional<domain::CampaignStatus> status,
                                               domain::CampaignId after_id, int limit);
  // running -> completed when the campaign has calls and none can go out again. Returns whether it moved.
  bool complete_if_done(domain::CampaignId id, domain::UnixMs now) override;

  // Claims up to `limit` due calls of a running campaign: marks them dispatching under one fresh
  // idempotency key and records an attempt for each, committed before this returns.
  std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, int limit, domain::UnixMs now);
  // The same, judging each due call first: dispatch it, defer it to the instant it becomes eligible,
  // or skip it with the reason. Deferred and skipped calls leave the due range, so a claim costs in
  // proportion to the calls it examines, never to the queue. One transaction.
  std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, const ClaimOptions& options,
                                             domain::UnixMs now, const Judge& judge) override;
  // Places calls at once (POST /v1/calls): for each contact, adds its call (or takes the campaign's pending
  // call for it), judges it and marks it dispatching, in chunks of at most options.limit. A contact with a
  // call of the campaign already out (dispatching, in progress or held) is refused without judging. A
  // refused record leaves no trace. One transaction; `judge` sees the calls placed before it.
  struct PlacedCall {
    domain::CallId call_id = 0;  // 0 when refused
    std::optional<domain::CallId> busy_call_id;
    Verdict verdict;  // when judged
    std::string from_number, dispatch_key;
  };
  struct PlaceNow {
    std::vector<PlacedCall> items;  // one per contact, in order
    std::vector<domain::DispatchChunk> chunks;
  };
  PlaceNow place_now(const domain::Campaign& campaign, const std::vector<domain::ContactInput>& contacts,
                     const ClaimOptions& options, domain::UnixMs now, const Judge& judge);
  // Calls the campaign placed since `since` (its daily cap).
  std::int64_t campaign_calls_since(domain::CampaignId id, domain::UnixMs since) override;
  void set_outcome_rule(schedule::OutcomeRule rule) override;
  // Records the provider's answer for a claimed chunk, in one transaction.
  void record_submission(const domain::DispatchChunk& chunk, const std::vector<SubmitResult>& results,
                         domain::UnixMs now) override;
  // Applies outcomes for calls of `provider`'s campaigns, in one transaction. Duplicates change nothing.
  std::vector<OutcomeApplied> record_outcomes(const std::string& provider, const std::vector<OutcomeReport>& reports,
                                              domain::UnixMs now) override;

  // Calls in progress with no outcome since `cutoff` or earlier (a call times out at exactly accepted +
  // timeout, the instant the scheduler wakes for): the outcome `timeout` is applied to at most `limit` of
  // them (failed, or pending again when retry.retryable_outcomes names timeout). One transaction.
  std::vector<OutcomeApplied> expire_in_progress(domain::UnixMs cutoff, int limit, domain::UnixMs now) override;
  // When the longest-running in-progress call went in progress.
  std::optional<domain::UnixMs> oldest_in_progress() override;

  // The webhook outbox (store::Outbox).
  std::vector<OutboxEvent> due_webhooks(domain::UnixMs now, int limit) override;
  std::optional<domain::UnixMs> next_webhook_due_after(domain::UnixMs now) override;
  std::int64_t webhook_backlog() override;
  void webhooks_delivered(const std::vector<std::int64_t>& ids, domain::UnixMs now) override;
  void webhook_retry(std::int64_t id, const std::string& error, domain::UnixMs next_at) override;
  void webhook_abandoned(std::int64_t id, const std::string& error, domain::UnixMs now) override;
  // Called after a statement queues a webhook event (from SQLite's update hook; the transaction may still
  // be open, so the callback should only schedule work).
  void on_webhook_queued(std::function<void()> callback);

  // Records, durably, that a claimed chunk's request is about to be written (issue 16.7); forgotten when
  // its answer is recorded. Only a chunk recorded here can have reached the provider.
  void mark_sent(const std::string& dispatch_key, domain::UnixMs now) override;
  // Start-up reconciliation of calls left dispatching by a crash: for providers whose submission is
  // idempotent they are returned as chunks to resubmit under their original keys; for the others, calls
  // whose chunk was never marked sent go back to pending (their attempt given back), and the rest are
  // held with `reason`, never redialled until an operator decides.
  Reconciliation reconcile_dispatching(const std::function<bool(const std::string& provider)>& idempotent,
                                       const std::string& reason, domain::UnixMs now);
  // An operator's decision on held calls: release (pending again, due now) or fail. Calls that are not
  // held are left alone; returns the ids that moved.
  std::vector<domain::CallId> resolve_held(const std::vector<domain::CallId>& ids, HeldAction action,
                                           const std::string& reason, domain::UnixMs now);
  std::vector<domain::CallId> held_calls(domain::CampaignId campaign_id);
  // A contact by E.164 number, the calls it has in one workspace's campaigns (newest first), and changes.
  struct ContactCall {
    domain::CallId id = 0;
    domain::CampaignId campaign_id = 0;
    domain::CallState state = domain::CallState::pending;
    int attempts = 0;
    std::optional<std::string> last_outcome;
    domain::UnixMs next_attempt_at = 0;
  };
  // Contacts are per workspace: the workspace's record of the number.
  std::optional<domain::Contact> contact(const std::string& workspace, const std::string& phone);
  // Why the workspace's contact must not be called (its own suppression's reason, or that the number is on
  // the global list), as the claim decides it; none when it may be called.
  std::optional<std::string> contact_suppressed(const std::string& workspace, const std::string& phone);
  std::vector<ContactCall> contact_calls(std::int64_t contact_id, const std::string& workspace, int limit);
  void update_contact(const domain::Contact& contact, domain::UnixMs now);
  // Numbers that must not be called, with why, by owner: a workspace, or domain::kGlobalList. Adding one
  // for a number the owner already has updates it. A removal is recorded in suppression_removals with
  // `removed_by`.
  domain::Suppression add_suppression(const domain::Suppression& s);
  std::optional<domain::Suppression> suppression(const std::string& owner, const std::string& phone);
  std::vector<domain::Suppression> suppressions(const std::string& owner, const std::string& after_phone, int limit);
  bool remove_suppression(const std::string& owner, const std::string& phone,
                          const std::optional<std::string>& removed_by, domain::UnixMs now);
  // Provider call ids of the in-progress calls of `provider`'s campaigns.
  std::vector<std::string> in_progress_call_ids(const std::string& provider);
  // A page of a campaign's calls after `after`, in (state, next_attempt_at, id) order, optionally of one
  // state only.
  struct CallSummary {
    domain::CallId id = 0;
    std::string phone;
    domain::CallState state = domain::CallState::pending;
    int attempts = 0;
    domain::UnixMs next_attempt_at = 0, created_at = 0, updated_at = 0;
    std::optional<std::string> last_outcome, last_error, provider_call_id;
  };
  // Where a page ends: the last call's state, its key within the state (cursor_key) and id.
  struct CallCursor {
    std::string state;  // "" sorts before every state
    std::int64_t key = std::numeric_limits<std::int64_t>::min();
    domain::CallId id = 0;
  };
  // A campaign's calls of one state, or of every state grouped by state in alphabetical order. Within a
  // state: pending calls in due order (next_attempt_at, id), calls in progress by (updated_at, id), the
  // others by id.
  std::vector<CallSummary> campaign_calls(domain::CampaignId id, std::optional<domain::CallState> state,
                                          const CallCursor& after, int limit);
  // A call's position within its state's order: next_attempt_at (pending), updated_at (in progress), else 0.
  static std::int64_t cursor_key(const CallSummary& c);
  std::optional<CallRef> call_ref(domain::CallId id);
  // The call if its campaign belongs to `workspace` (as campaign(workspace, id)).
  std::optional<CallRef> call_ref(const std::string& workspace, domain::CallId id);
  std::optional<CallDetail> call_detail(domain::CallId id);
  // A pending call's place in the due order.
  struct DueKey {
    domain::UnixMs next_attempt_at = 0;
    domain::CallId call_id = 0;
  };
  // The next `limit` pending calls of the campaign in due order after `after` (from the start if none),
  // read from the index alone: the forecast samples a campaign a page at a time.
  std::vector<DueKey> pending_page(domain::CampaignId id, std::optional<DueKey> after, int limit);
  // A call's (phone, contact timezone).
  std::optional<std::pair<std::string, std::optional<std::string>>> call_place(domain::CallId id);
  // The call history outside a claim (for explanations).
  History& history() { return *history_; }
  // Earliest next_attempt_at among the campaign's pending calls.
  std::optional<domain::UnixMs> next_due(domain::CampaignId id) override;
  // Earliest trigger time among scheduled campaigns.
  std::optional<domain::UnixMs> next_trigger() override;
  // Scheduled campaigns whose trigger time has come.
  std::vector<domain::CampaignId> triggered_campaigns(domain::UnixMs now) override;

  // For GET /metrics: calls by state (and "called") and campaigns by status, over the whole database.
  std::vector<std::pair<std::string, std::int64_t>> call_totals();
  std::vector<std::pair<std::string, std::int64_t>> campaign_totals();

  void checkpoint();
  // Whether the database answers a query (for readiness).
  bool ping();

 private:
  AddedContacts insert_contacts(domain::CampaignId id, const std::vector<domain::ContactInput>& contacts,
                                domain::UnixMs now);
  // Moves a campaign's status inside an open transaction if the state machine allows it.
  bool move_campaign(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now);
  // Applies one outcome inside an open transaction.
  OutcomeApplied apply_outcome(const std::string& provider, const OutcomeReport& report, domain::UnixMs now);
  OutcomeApplied apply_to_found(const sqlite::Stmt& row, domain::Outcome outcome, const std::string& detail,
                                domain::UnixMs now);

  class ChunkBuilder;
  std::string new_dispatch_key(domain::CampaignId campaign_id, domain::UnixMs now);

  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<History> history_;
  std::function<void()> on_webhook_queued_;
  std::uint64_t key_seq_ = 0;
  std::uint32_t key_salt_ = 0;
  schedule::OutcomeRule outcome_rule_;           // what an outcome does (set_outcome_rule)
  std::set<domain::CampaignId> corrupt_logged_;  // campaigns set aside and said so
  util::Random random_;                          // random caller-id rotation, the idempotency-key salt
};

}  // namespace dialerd::store
