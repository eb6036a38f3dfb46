#pragma once
// The campaigns role of the store: a campaign's row, its calls' creation, its counts and its status
// moves (the state machine of domain/campaign.hpp), and the reads the scheduler wakes on. No SQLite type
// here: another backend implements the same interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/schedule/rotation.hpp"

namespace dialerd::store {

class Campaigns {
 public:
  virtual ~Campaigns() = default;

  // Creates the campaign and its calls (upserting contacts) in one transaction.
  virtual domain::CampaignId create_campaign(const domain::CampaignSpec& spec,
                                             const std::vector<domain::ContactInput>& contacts, domain::UnixMs now) = 0;
  struct AddedContacts {
    std::int64_t added = 0;                // new calls
    std::int64_t updated = 0;              // records that matched a pending call of the campaign and updated it
    std::vector<domain::CallId> call_ids;  // one per record, in order
  };
  // Adds contacts to a campaign in one transaction (callers chunk large lists).
  virtual AddedContacts add_contacts(domain::CampaignId id, const std::vector<domain::ContactInput>& contacts,
                                     domain::UnixMs now) = 0;
  // The campaign; throws CorruptRow for a row it cannot read.
  virtual std::optional<domain::Campaign> campaign(domain::CampaignId id) = 0;
  // The campaign if it belongs to `workspace`: one query that finds nothing alike for a missing id and for
  // another workspace's, so the API answers both the same way in the same time.
  virtual std::optional<domain::Campaign> campaign(const std::string& workspace, domain::CampaignId id) = 0;
  // The campaigns in `status`; one whose row cannot be read is set aside (logged as an error, once per
  // campaign and process), the others returned.
  virtual std::vector<domain::Campaign> campaigns_with_status(domain::CampaignStatus status) = 0;
  virtual domain::CallCounts counts(domain::CampaignId id) = 0;
  // Its calls dispatching or in progress.
  virtual std::int64_t in_flight(domain::CampaignId id) = 0;
  // Calls the campaign placed since `since` (its daily cap).
  virtual std::int64_t campaign_calls_since(domain::CampaignId id, domain::UnixMs since) = 0;

  // Moves a campaign to `to` if the state machine allows it; returns whether it moved.
  virtual bool set_campaign_status(domain::CampaignId id, domain::CampaignStatus to, domain::UnixMs now) = 0;
  // Stores the settings PATCH may change (name, timezone, window, working days, pacing, retries, rotation).
  virtual void update_settings(domain::CampaignId id, const domain::CampaignSpec& spec, domain::UnixMs now) = 0;
  // Cancels a campaign: in one transaction it moves to cancelled (so nothing of it is claimed again) and
  // the first kCancelSlice of its pending calls are skipped with `reason`; skip_pending does the rest, a
  // slice at a time, and finish_cancels at start-up whatever a stop interrupted (held and in-flight calls
  // are left to finish or to an operator). Returns whether it moved.
  static constexpr int kCancelSlice = 2000;
  virtual bool cancel_campaign(domain::CampaignId id, const std::string& reason, domain::UnixMs now) = 0;
  // Skips up to `limit` pending calls of the campaign; returns how many.
  virtual int skip_pending(domain::CampaignId id, const std::string& reason, domain::UnixMs now, int limit) = 0;
  // Skips the pending calls of every cancelled campaign; returns how many there were.
  virtual std::int64_t finish_cancels(domain::UnixMs now) = 0;
  // running -> completed when the campaign has calls and none can go out again. Returns whether it moved.
  virtual bool complete_if_done(domain::CampaignId id, domain::UnixMs now) = 0;

  // Scheduled campaigns whose trigger time has come, and the earliest trigger still to come.
  virtual std::vector<domain::CampaignId> triggered_campaigns(domain::UnixMs now) = 0;
  virtual std::optional<domain::UnixMs> next_trigger() = 0;
  // When the campaign's next pending call is due.
  virtual std::optional<domain::UnixMs> next_due(domain::CampaignId id) = 0;

  // A page of the campaign's calls as the records they were made from (the contact's number, names and
  // zone; the call's variables and own retry budget), in call order after `after_call`, at most `limit`:
  // what POST /v1/campaigns/{id}/duplicate copies. `not_completed`: only the calls not completed.
  struct CallRecord {
    domain::CallId call_id = 0;
    domain::ContactInput contact;
  };
  virtual std::vector<CallRecord> call_records(domain::CampaignId id, bool not_completed, domain::CallId after_call,
                                               int limit) = 0;

  // Calls in flight (dispatching or in progress) across all the workspace's campaigns.
  virtual std::int64_t workspace_in_flight(const std::string& workspace) = 0;
  // What each of the campaign's from numbers did across its workspace's campaigns (caller-id health,
  // schedule/rotation.hpp), in from_numbers order: calls placed since `since` (read only with a daily cap)
  // and its latest finished calls (only with a rest, as many as it counts).
  virtual std::vector<schedule::NumberUse> number_uses(const domain::Campaign& campaign, domain::UnixMs since) = 0;
  // What PATCH /v1/calls/{id} changes of a pending call; a field left empty is kept.
  struct PendingCallChange {
    // The callback time: the call becomes due then (none: now), its last deferral's reason cleared.
    std::optional<std::optional<domain::UnixMs>> not_before = std::nullopt;
    std::optional<int> priority = std::nullopt;
  };
  // Applies `change` in one transaction. False when the call is not pending: nothing changes.
  virtual bool change_pending_call(domain::CallId id, const PendingCallChange& change, domain::UnixMs now) = 0;
};

}  // namespace dialerd::store
