#pragma once
// The SQLite store: campaigns, contacts, calls and attempts in one database file (docs/SCHEMA.md). It
// implements every role of the store (campaigns.hpp, contacts.hpp, claims.hpp, outcomes.hpp, outbox.hpp,
// and reports.hpp through reports()); the daemon's modules each take only the roles they use. Every state
// change is one transaction; a chunk is marked dispatching and committed before it is sent. The
// implementation is under src/store/sqlite/, one file per role.
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/domain/dispatch.hpp"
#include "dialerd/schedule/retry.hpp"
#include "dialerd/store/contacts.hpp"
#include "dialerd/store/dispatch_queue.hpp"
#include "dialerd/store/errors.hpp"
#include "dialerd/store/outbox.hpp"
#include "dialerd/store/reports.hpp"
#include "dialerd/util/random.hpp"

namespace dialerd::store {

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

class Store final : public DispatchQueue, public Contacts, public Outbox {
 public:
  explicit Store(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // How long a statement may wait for another connection's lock before it fails (locked()). Opening waits
  // options.busy_timeout_ms; once the daemon serves it waits store::kLoopLockWaitMs and retries off the
  // loop (lock_wait.hpp).
  void set_lock_wait(int ms);
  // The reporting role over this store's connection.
  Reports& reports() { return *reports_; }
  void checkpoint();

  // Campaigns (campaigns.hpp; src/store/sqlite/campaigns.cpp).
  domain::CampaignId create_campaign(const domain::CampaignSpec& spec,
                                     const std::vector<domain::ContactInput>& contacts, domain::UnixMs now) override;
  AddedContacts add_contacts(domain::CampaignId id, const std::vector<domain::ContactInput>& contacts,
                             domain::UnixMs now) override;
  std::optional<domain::Campaign> campaign(domain::CampaignId id) override;
  std::optional<domain::Campaign> campaign(const std::string& workspace, domain::CampaignId id) override;
  std::vector<domain::Campaign> campaigns_with_status(domain::CampaignStatus status) override;
  domain::CallCounts counts(domain::CampaignId id) override;
  std::int64_t in_flight(domain::CampaignId id) override;
  std::int64_t workspace_in_flight(const std::string& workspace) override;
  std::vector<schedule::NumberUse> number_uses(const domain::Campaign& campaign, domain::UnixMs since) override;
  std::int64_t campaign_calls_since(domain::CampaignId id, domain::UnixMs since) override;
  bool set_campaign_status(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now) override;
  void update_settings(domain::CampaignId id, const domain::CampaignSpec& spec, domain::UnixMs now) override;
  bool cancel_campaign(domain::CampaignId id, const std::string& reason, domain::UnixMs now) override;
  int skip_pending(domain::CampaignId id, const std::string& reason, domain::UnixMs now, int limit) override;
  std::int64_t finish_cancels(domain::UnixMs now) override;
  bool complete_if_done(domain::CampaignId id, domain::UnixMs now) override;
  std::vector<domain::CampaignId> triggered_campaigns(domain::UnixMs now) override;
  std::optional<domain::UnixMs> next_trigger() override;
  std::optional<domain::UnixMs> next_due(domain::CampaignId id) override;
  bool change_pending_call(domain::CallId id, const PendingCallChange& change, domain::UnixMs now) override;
  std::vector<CallRecord> call_records(domain::CampaignId id, bool not_completed, domain::CallId after_call,
                                       int limit) override;

  // The claim (claims.hpp; src/store/sqlite/claim.cpp).
  std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, const ClaimOptions& options,
                                             domain::UnixMs now, const Judge& judge) override;
  // A claim with no judge: the first `limit` due calls.
  std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, int limit, domain::UnixMs now);
  PlaceNow place_now(const domain::Campaign& campaign, const std::vector<domain::ContactInput>& contacts,
                     const ClaimOptions& options, domain::UnixMs now, const Judge& judge) override;
  History& history() override { return *history_; }

  // Submissions and outcomes (outcomes.hpp; src/store/sqlite/outcomes.cpp).
  void set_outcome_rule(schedule::OutcomeRule rule) override;
  void mark_sent(const std::string& dispatch_key, domain::UnixMs now) override;
  void record_submission(const domain::DispatchChunk& chunk, const std::vector<domain::SubmitResult>& results,
                         domain::UnixMs now) override;
  std::vector<OutcomeApplied> record_outcomes(const std::string& provider,
                                              const std::vector<domain::OutcomeReport>& reports,
                                              domain::UnixMs now) override;
  std::vector<OutcomeApplied> expire_in_progress(domain::UnixMs cutoff, int limit, domain::UnixMs now) override;
  std::optional<domain::UnixMs> oldest_in_progress() override;
  std::vector<std::string> in_progress_call_ids(const std::string& provider) override;
  Reconciliation reconcile_dispatching(const std::function<bool(const std::string& provider)>& idempotent,
                                       const std::string& reason, domain::UnixMs now) override;
  std::vector<domain::CallId> resolve_held(const std::vector<domain::CallId>& ids, HeldAction action,
                                           const std::string& reason, domain::UnixMs now) override;
  std::vector<domain::CallId> held_calls(domain::CampaignId campaign_id) override;

  // Contacts and suppressions (contacts.hpp; src/store/sqlite/contacts.cpp).
  std::optional<domain::Contact> contact(const std::string& workspace, const std::string& phone) override;
  std::optional<domain::Contact> contact_by_id(const std::string& workspace, domain::ContactId id) override;
  std::optional<domain::Contact> contact_by_external_id(const std::string& workspace,
                                                        const std::string& external_id) override;
  std::vector<domain::Contact> contacts(const std::string& workspace, const ContactFilter& filter) override;
  UpsertedRecords upsert_contacts(const std::string& workspace, const std::vector<domain::ContactRecordInput>& records,
                                  std::optional<domain::ListId> list, domain::UnixMs now) override;
  bool update_contact(const std::string& workspace, const domain::Contact& contact, domain::UnixMs now) override;
  Deleted delete_contact(const std::string& workspace, domain::ContactId id, domain::UnixMs now) override;
  std::int64_t opt_out(const std::string& workspace, domain::ContactId id, const std::string& reason,
                       domain::UnixMs now) override;
  std::optional<std::string> contact_suppressed(const std::string& workspace, const std::string& phone) override;
  std::vector<ContactCall> contact_calls(std::int64_t contact_id, const std::string& workspace, int limit) override;
  std::optional<domain::ContactList> create_list(const std::string& workspace, const std::string& name,
                                                 const std::string& description, domain::UnixMs now) override;
  std::optional<domain::ContactList> list(const std::string& workspace, domain::ListId id) override;
  bool has_list(const std::string& workspace, domain::ListId id) override;
  std::vector<domain::ContactList> lists(const std::string& workspace, domain::ListId after, int limit) override;
  ListChange update_list(const std::string& workspace, const domain::ContactList& list, domain::UnixMs now) override;
  ListChange delete_list(const std::string& workspace, domain::ListId id) override;
  MembersAdded add_members(const std::string& workspace, domain::ListId list, const std::vector<domain::ContactId>& ids,
                           domain::UnixMs now) override;
  std::int64_t remove_members(const std::string& workspace, domain::ListId list,
                              const std::vector<domain::ContactId>& ids) override;
  domain::Suppression add_suppression(const domain::Suppression& s) override;
  std::optional<domain::Suppression> suppression(const std::string& owner, const std::string& phone) override;
  std::vector<domain::Suppression> suppressions(const std::string& owner, const std::string& after_phone,
                                                int limit) override;
  bool remove_suppression(const std::string& owner, const std::string& phone,
                          const std::optional<std::string>& removed_by, domain::UnixMs now) override;

  // Do-not-call lists (dnc_lists.hpp; src/store/sqlite/dnc_lists.cpp).
  std::vector<domain::DncList> dnc_lists(const std::string& workspace) override;
  std::optional<domain::DncList> dnc_list(const std::string& owner, const std::string& name) override;
  std::optional<domain::DncList> create_dnc_list(const domain::DncList& list) override;
  void update_dnc_list(const domain::DncList& list, domain::UnixMs now) override;
  void delete_dnc_list(const domain::DncList& list) override;
  std::vector<domain::CampaignId> campaigns_honouring(const std::string& owner, const std::string& name) override;
  std::int64_t begin_dnc_set(std::int64_t list_id, domain::UnixMs now) override;
  std::int64_t add_dnc_numbers(std::int64_t set_id, std::vector<std::int64_t>& keys) override;
  void commit_dnc_set(std::int64_t list_id, std::int64_t set_id, std::int64_t numbers,
                      std::optional<domain::UnixMs> as_of, domain::UnixMs now) override;
  void finish_dnc_append(std::int64_t list_id, std::optional<domain::UnixMs> as_of, domain::UnixMs now) override;
  void abandon_dnc_set(std::int64_t set_id) override;
  void retire_loading_dnc_sets() override;
  bool purge_dnc_sets(int limit) override;
  bool dnc_holds(const domain::DncList& list, std::int64_t key) override;
  bool remove_dnc_number(const domain::DncList& list, std::int64_t key, domain::UnixMs now) override;
  std::vector<std::int64_t> dnc_numbers(const domain::DncList& list, std::int64_t after, int limit) override;
  Honoured dnc_lists_of(const domain::Campaign& campaign) override;

  // The webhook outbox (outbox.hpp; src/store/sqlite/outbox.cpp).
  std::vector<OutboxEvent> due_webhooks(domain::UnixMs now, int limit) override;
  std::optional<domain::UnixMs> next_webhook_due_after(domain::UnixMs now) override;
  void webhooks_delivered(const std::vector<std::int64_t>& ids, domain::UnixMs now) override;
  void webhook_retry(std::int64_t id, const std::string& error, domain::UnixMs next_at) override;
  void webhook_abandoned(std::int64_t id, const std::string& error, domain::UnixMs now) override;
  // Called after a statement queues a webhook event (from SQLite's update hook; the transaction may still
  // be open, so the callback should only schedule work).
  void on_webhook_queued(std::function<void()> callback);

 private:
  AddedContacts insert_contacts(domain::CampaignId id, const std::vector<domain::ContactInput>& contacts,
                                domain::UnixMs now);
  // An opt-out inside an open transaction (contacts.cpp): the workspace's suppression of the contact's
  // number, unless it has one, and its pending calls skipped with `why`; returns how many.
  std::int64_t suppress_opted_out(const std::string& workspace, domain::ContactId contact_id, const std::string& source,
                                  const std::string& why, domain::UnixMs now);
  // Writes a contact record's fields inside an open transaction.
  void write_contact(const domain::Contact& c, domain::UnixMs now);
  // Makes the list's new members calls of each campaign following it, inside an open transaction.
  FollowerCalls feed_followers(const std::string& workspace, domain::ListId list,
                               const std::vector<domain::ContactId>& joined, domain::UnixMs now);
  // Moves a campaign's status inside an open transaction if the state machine allows it.
  bool move_campaign(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now);
  // Applies one outcome inside an open transaction.
  OutcomeApplied apply_outcome(const std::string& provider, const domain::OutcomeReport& report, domain::UnixMs now);
  OutcomeApplied apply_to_found(const sqlite::Stmt& row, domain::Outcome outcome, const std::string& detail,
                                std::optional<domain::UnixMs> callback_at, domain::UnixMs now);

  class ChunkBuilder;
  std::string new_dispatch_key(domain::CampaignId campaign_id, domain::UnixMs now);

  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<History> history_;
  std::unique_ptr<Reports> reports_;
  std::function<void()> on_webhook_queued_;
  std::uint64_t key_seq_ = 0;
  std::uint32_t key_salt_ = 0;
  schedule::OutcomeRule outcome_rule_;           // what an outcome does (set_outcome_rule)
  std::set<domain::CampaignId> corrupt_logged_;  // campaigns set aside and said so
  util::Random random_;                          // random caller-id rotation, the idempotency-key salt
  // Per campaign: calls taken by priority whose fair turns (domain::kPriorityFairEvery) are still owed. Kept
  // in memory: a restart only forgives a few turns.
  std::unordered_map<domain::CampaignId, std::int64_t> priority_debt_;
};

}  // namespace dialerd::store
