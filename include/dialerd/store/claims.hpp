#pragma once
// The claim role of the store: due calls taken for a chunk (judged one by one, each one's compliance
// decision made inside the claim's transaction), and the calls placed at once by POST /v1/calls. No
// SQLite type here: another backend implements the same interface.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/domain/dispatch.hpp"
#include "dialerd/domain/dnc.hpp"
#include "dialerd/schedule/rotation.hpp"

namespace dialerd::store {

// A due call as the claim sees it: what the compliance decision needs to know about it.
struct Candidate {
  domain::DispatchCall call;
  std::optional<std::string> contact_timezone;
  bool active = true;
  std::optional<std::string> suppression;    // the reason, when the number is suppressed
  std::optional<domain::Consent> consent;    // none recorded
  std::optional<domain::UnixMs> not_before;  // a callback at a set time: not placed before it
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
  // The same, counting only the calls of campaigns with `subject`, or with none, of `campaign_id` alone
  // (a per-subject rolling cap, docs/COMPLIANCE.md).
  virtual std::optional<domain::UnixMs> subject_nth_recent_call(std::int64_t contact_id, int n, domain::UnixMs since,
                                                                const std::optional<std::string>& subject,
                                                                domain::CampaignId campaign_id) = 0;
  // When the contact's latest conversation (a call completed or opted out) on the subject (as above) ended,
  // if it ended at or after `since`: Regulation F's quiet period.
  virtual std::optional<domain::UnixMs> subject_last_conversation(std::int64_t contact_id, domain::UnixMs since,
                                                                  const std::optional<std::string>& subject,
                                                                  domain::CampaignId campaign_id) = 0;
  // The first of `lists` whose current numbers hold `phone` (E.164); null when none does.
  virtual const domain::DncList* dnc_listed(std::string_view phone, const std::vector<domain::DncList>& lists) = 0;
};

struct Verdict {
  // hold: not now, and not deferred either: the call stays due, untouched (its pre-dial answer is on the
  // way, and the answer wakes the scheduler). A claim ends after the batch that held one.
  enum class Kind { dispatch, wait, skip, hold };
  Kind kind = Kind::dispatch;
  domain::UnixMs until = 0;  // wait: due again from this instant
  std::string reason;        // wait, skip: recorded in last_error
};
// Decides each candidate; a null Judge dispatches everything it is given.
using Judge = std::function<Verdict(const Candidate&, History&)>;

// A claim's order: the due calls of the highest priority first (domain::ContactInput::priority), each level
// in due order, then the next level down; priority 0 (the default) last. No call starves: for every
// domain::kPriorityFairEvery - 1 calls a campaign takes by priority, it takes one by age (the call due
// longest, whatever its priority), first thing in its next claim.

struct ClaimOptions {
  int limit = 1000;                // most calls in the chunk
  int max_examined = 0;            // most candidates judged in one claim (0 = 4 x limit)
  bool caller_id_per_call = true;  // false: one from_number for the whole chunk (batch APIs)
  // The chunk's one from_number reaches the provider: under local_presence a chunk holds the calls of one
  // caller id (a kind that sends none keeps whole chunks).
  bool chunk_per_caller_id = false;
  std::string provider;  // where the chunk goes: "" = the campaign's provider (else its failover)
  // Caller-id health: the calls each from number may still place (schedule::number_rooms); empty = no
  // limit. A number without room is not used; a call no number with room can take ends the claim, left due.
  schedule::NumberRooms number_rooms = {};
};

class Claims {
 public:
  virtual ~Claims() = default;

  // Claims due calls of a running campaign, judging each: dispatch it, defer it to the instant it becomes
  // eligible, or skip it with the reason. The dispatched ones are marked dispatching under one fresh
  // idempotency key, each with its attempt recorded; deferred and skipped calls leave the due range, so a
  // claim costs in proportion to the calls it examines, never to the queue. A held call stays due, and the
  // claim reads no further batch after one (it would read the held call again). One transaction, committed
  // before this returns.
  virtual std::optional<domain::DispatchChunk> claim(const domain::Campaign& campaign, const ClaimOptions& options,
                                                     domain::UnixMs now, const Judge& judge) = 0;

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
  virtual PlaceNow place_now(const domain::Campaign& campaign, const std::vector<domain::ContactInput>& contacts,
                             const ClaimOptions& options, domain::UnixMs now, const Judge& judge) = 0;

  // The call history outside a claim (for explanations).
  virtual History& history() = 0;
};

}  // namespace dialerd::store
