// The store's submissions and outcomes: answers, outcomes (the scheduler's rule decides, the store
// records), timeouts, start-up reconciliation.
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;
using namespace sql;

namespace {
// The common answer, every call of the chunk accepted, each once, with no note and no early outcome waiting
// for this provider: one statement for the whole chunk (kSubmitAcceptedMany). Returns false, having written
// nothing, for anything else; the caller then records it call by call.
bool record_all_accepted(Db& db, const DispatchChunk& chunk, const std::vector<SubmitResult>& results, UnixMs now) {
  if (results.empty()) return false;
  std::unordered_set<CallId> seen;
  seen.reserve(results.size());
  for (const auto& r : results)
    if (r.kind != SubmitResult::Kind::accepted || !r.reason.empty() || !seen.insert(r.call_id).second) return false;
  if (db.cached(kAnyEarly).bind(1, chunk.provider_name()).first_int64()) return false;
  db.cached(kClearChunkRows).run();
  auto& stage = db.cached(kStageChunkRow);
  for (const auto& r : results) {
    stage.bind(1, r.call_id).bind_null(2).bind_null(3).bind_null(4);
    if (r.provider_call_id.empty())
      stage.bind_null(5);
    else
      stage.bind(5, r.provider_call_id);
    stage.run();
    stage.reset();
  }
  db.cached(kSubmitAcceptedMany).bind(1, chunk.idempotency_key).bind(2, now).run();
  return true;
}
}  // namespace

void Store::mark_sent(const std::string& dispatch_key, UnixMs now) {
  db_->cached(kMarkSent).bind(1, dispatch_key).bind(2, now).run();
}

void Store::record_submission(const DispatchChunk& chunk, const std::vector<SubmitResult>& results, UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kForgetSent).bind(1, chunk.idempotency_key).run();
  if (record_all_accepted(*db_, chunk, results, now)) {
    tx.commit();
    return;
  }
  const std::string& key = chunk.idempotency_key;
  std::vector<OutcomeReport> early;
  for (const auto& r : results) {
    std::optional<std::string> pcid = non_empty(r.provider_call_id);
    std::string outcome;
    bool moved = false;
    switch (r.kind) {
      case SubmitResult::Kind::accepted: {
        db_->cached(kSubmitAccepted).bind(1, r.call_id).bind(2, key).bind(3, pcid).bind(4, now).run();
        moved = db_->changes() > 0;
        if (!pcid) break;
        auto& take = db_->cached(kTakeEarly);
        take.bind(1, chunk.provider_name()).bind(2, *pcid);
        if (take.step()) {
          if (auto outcome = outcome_from(take.text("outcome")))
            early.push_back({*pcid, *outcome, take.text("detail"), take.opt_int64("callback_at")});
          else  // a hand edit or a newer version's outcome: not applied as some other outcome
            spdlog::error(
                "store: the early outcome kept for provider call id {} of call {} is not an outcome this "
                "version knows; it is dropped and the call waits for another outcome or its timeout",
                *pcid, r.call_id);
        }
        take.reset();
        break;
      }
      case SubmitResult::Kind::rejected:
        db_->cached(kSubmitRejected).bind(1, r.call_id).bind(2, key).bind(3, r.reason).bind(4, now).run();
        moved = db_->changes() > 0;
        outcome = "rejected";
        break;
      case SubmitResult::Kind::not_submitted:
        db_->cached(kSubmitNotSent)
            .bind(1, r.call_id)
            .bind(2, key)
            .bind(3, r.reason)
            .bind(4, now)
            .bind(5, now + r.retry_after_ms)
            .run();
        moved = db_->changes() > 0;
        outcome = "not_submitted";
        break;
      case SubmitResult::Kind::uncertain:
        db_->cached(kSubmitUncertain).bind(1, r.call_id).bind(2, key).bind(3, r.reason).bind(4, now).run();
        moved = db_->changes() > 0;
        outcome = "uncertain";
        break;
    }
    // Only the answer that moved the call is the attempt's: a call listed twice in one answer (accepted,
    // then rejected) keeps the first, and its attempt the outcome that comes for it later.
    if (!moved) continue;
    auto& a = db_->cached(kAttemptAnswered);
    a.bind(1, r.call_id).bind(2, key).bind(3, pcid).bind(4, non_empty(outcome)).bind(5, non_empty(r.reason));
    if (outcome.empty())
      a.bind_null(6);
    else
      a.bind(6, now);
    a.run();
  }
  for (const auto& report : early) apply_outcome(chunk.provider_name(), report, now);
  tx.commit();
}

std::vector<OutcomeApplied> Store::record_outcomes(const std::string& provider,
                                                   const std::vector<OutcomeReport>& reports, UnixMs now) {
  Transaction tx(*db_);
  std::vector<OutcomeApplied> out;
  out.reserve(reports.size());
  for (const auto& r : reports) {
    try {
      out.push_back(apply_outcome(provider, r, now));
    } catch (const CorruptRow& e) {  // thrown by a read, before anything of this outcome was written
      spdlog::error("store: outcome for provider call id {}: {}; not applied until the row is fixed",
                    r.provider_call_id, e.what());
      OutcomeApplied set_aside;
      set_aside.effect = OutcomeApplied::Effect::corrupt;
      set_aside.corrupt = e.what();
      out.push_back(std::move(set_aside));
    }
  }
  tx.commit();
  return out;
}

OutcomeApplied Store::apply_outcome(const std::string& provider, const OutcomeReport& r, UnixMs now) {
  OutcomeApplied applied;
  auto& find = db_->cached(kFindCallByProviderId);
  find.bind(1, r.provider_call_id).bind(2, provider);
  sqlite::ResetOnExit find_done(find);
  if (!find.step()) {
    find.reset();
    // An event for an earlier attempt of a call that has moved on is a harmless duplicate.
    auto& known = db_->cached(kKnownAttempt);
    known.bind(1, r.provider_call_id).bind(2, provider);
    sqlite::ResetOnExit known_done(known);
    if (known.step()) {
      applied.effect = OutcomeApplied::Effect::duplicate;
      applied.campaign_id = known.int64("campaign_id");
      applied.call_id = known.int64("call_id");
      applied.state = stored_call_state(known.text("state"), applied.call_id);
      known.reset();
      return applied;
    }
    known.reset();
    // The callback may have beaten the submission's answer: keep it while a submission is in flight.
    auto& busy = db_->cached(kProviderDispatching);
    busy.bind(1, provider);
    bool in_flight = busy.step();
    busy.reset();
    if (in_flight) {
      // Early outcomes live minutes at most; anything older belongs to a submission that never answered.
      db_->cached(kPurgeEarly).bind(1, now - UnixMs{3600} * 1000).run();
      db_->cached(kSaveEarly)
          .bind(1, provider)
          .bind(2, r.provider_call_id)
          .bind(3, to_string(r.outcome))
          .bind(4, non_empty(r.detail))
          .bind(5, now)
          .bind(6, r.callback_at)
          .run();
      applied.effect = OutcomeApplied::Effect::deferred;
    }
    return applied;
  }
  applied = apply_to_found(find, r.outcome, r.detail, r.callback_at, now);
  find.reset();
  return applied;
}

// Applies an outcome to the call `row` points at (the columns of kFindCallByProviderId). Leaves `row` as is.
OutcomeApplied Store::apply_to_found(const Stmt& row, Outcome outcome, const std::string& detail,
                                     std::optional<UnixMs> callback_at, UnixMs now) {
  OutcomeApplied applied;
  applied.call_id = row.int64("id");
  applied.campaign_id = row.int64("campaign_id");
  schedule::CallAtOutcome call;
  call.state = stored_call_state(row.text("state"), applied.call_id);
  call.attempts = static_cast<int>(row.int64("attempts"));
  call.campaign_cancelled = row.text("status") == "cancelled";
  call.retry_attempts = static_cast<int>(row.opt_int64("max_retries").value_or(row.int64("retry_attempts")));
  call.retry_delay_s = static_cast<int>(row.int64("retry_delay_s"));
  call.callback_at = callback_at;
  if (auto policy = row.opt_text("retry_policy")) {
    // A policy edited by hand into something else must not stop outcomes from landing: said, and the
    // outcome decided by config retry.* alone.
    try {
      call.per_outcome = stored_retry_policy(*policy, applied.campaign_id);
    } catch (const CorruptRow& e) {
      spdlog::error("store: {}; the outcome of call {} follows config retry.* (fix the row)", e.what(),
                    applied.call_id);
    }
  }
  applied.state = call.state;
  // The decision is the rule's (the scheduler's retry settings and draws); the store records it.
  const auto effect = outcome_rule_(call, outcome, now);
  if (!effect.applies) {
    applied.effect = OutcomeApplied::Effect::duplicate;
    return applied;
  }
  const auto& next = effect.next;
  // last_error: why the call is not done, and what became of a callback asked for.
  std::string last_error = next.state == CallState::completed ? std::string() : detail;
  if (!effect.callback.empty()) last_error += (last_error.empty() ? "" : "; ") + effect.callback;
  db_->cached(kApplyOutcome)
      .bind(1, applied.call_id)
      .bind(2, to_string(next.state))
      .bind(3, next.next_attempt_at)
      .bind(4, to_string(outcome))
      .bind(5, non_empty(last_error))
      .bind(6, now)
      .bind(7, effect.not_before)
      .run();
  if (!effect.callback.empty())
    spdlog::info("campaign {} call {}: {}", applied.campaign_id, applied.call_id, effect.callback);
  db_->cached(kAttemptOutcome)
      .bind(1, applied.call_id)
      .bind(2, to_string(outcome))
      .bind(3, non_empty(detail))
      .bind(4, now)
      .run();
  applied.effect = OutcomeApplied::Effect::applied;
  applied.state = next.state;
  if (outcome == Outcome::opted_out) {
    // In the outcome's transaction: no call to the number can be claimed after the opt-out is recorded.
    const auto contact_id = row.int64("contact_id");
    const std::string why = "asked not to be called (opted out during call " + std::to_string(applied.call_id) + ")";
    applied.skipped = suppress_opted_out(row.text("workspace"), contact_id, "call", why, now);
    spdlog::warn(
        "campaign {} call {}: the person opted out; the number is suppressed for workspace {} and {} pending "
        "call(s) to it skipped",
        applied.campaign_id, applied.call_id, row.text("workspace"), applied.skipped);
  }
  return applied;
}

std::vector<OutcomeApplied> Store::expire_in_progress(UnixMs cutoff, int limit, UnixMs now) {
  Transaction tx(*db_);
  std::vector<OutcomeApplied> out;
  // Read first, then apply: the updates move rows out of the index being walked.
  auto& q = db_->cached(kTimedOutCalls);
  q.bind(1, cutoff).bind(2, limit);
  std::vector<CallId> ids;
  while (q.step()) ids.push_back(q.int64(0));
  q.reset();
  auto& one = db_->cached(kFindCallForOutcome);
  for (CallId id : ids) {
    one.bind(1, id);
    if (one.step())
      out.push_back(
          apply_to_found(one, Outcome::timeout, "no outcome within calls.timeout_seconds", std::nullopt, now));
    one.reset();
  }
  tx.commit();
  return out;
}

Reconciliation Store::reconcile_dispatching(const std::function<bool(const std::string&)>& idempotent,
                                            const std::string& reason, UnixMs now) {
  Transaction tx(*db_);
  Reconciliation out;
  std::vector<std::string> providers;
  auto& ps = db_->cached(kDispatchingProviders);
  while (ps.step()) providers.push_back(ps.text(0));
  ps.reset();
  for (const auto& provider : providers) {
    if (!idempotent(provider)) {
      // Never written: certainly not placed, so pending again. The rest may have reached the provider.
      const std::string never_sent = "released at start-up: the daemon stopped before the request was sent";
      db_->cached(kNeverSentAttempts).bind(1, provider).bind(2, never_sent).bind(3, now).run();
      db_->cached(kReleaseNeverSent).bind(1, provider).bind(2, never_sent).bind(3, now).run();
      out.released += db_->changes();
      db_->cached(kHoldDispatching).bind(1, provider).bind(2, reason).bind(3, now).run();
      out.held += db_->changes();
      continue;
    }
    // Same chunks, same keys: the provider recognises a resubmission and places nothing twice.
    auto& q = db_->cached(kDispatchingOfProvider);
    q.bind(1, provider);
    std::vector<std::pair<CallId, std::string>> corrupt;
    while (q.step()) {
      DispatchCall call;
      try {
        call = read_call(q, -1, true);  // -1: the campaign's budget, filled in below
      } catch (const CorruptRow& e) {
        corrupt.emplace_back(q.int64("id"), e.what());  // not resent with its variables replaced
        continue;
      }
      CampaignId campaign_id = q.int64("campaign_id");
      std::string key = q.text("dispatch_key");
      call.from_number = q.opt_text("from_number").value_or("");
      if (out.resubmit.empty() || out.resubmit.back().idempotency_key != key) {
        DispatchChunk chunk;
        chunk.campaign_id = campaign_id;
        chunk.idempotency_key = key;
        chunk.provider = provider;
        out.resubmit.push_back(std::move(chunk));
      }
      out.resubmit.back().calls.push_back(std::move(call));
    }
    q.reset();
    for (const auto& [id, why] : corrupt) {
      spdlog::error("store: {}; the call, left dispatching by the last stop, is held for an operator", why);
      db_->cached(kHoldDispatchingCall).bind(1, id).bind(2, "corrupt row: " + why).bind(3, now).run();
      out.held += db_->changes();
    }
  }
  for (auto& chunk : out.resubmit) {
    auto campaign = this->campaign(chunk.campaign_id);
    if (campaign) chunk.campaign = *campaign;
    for (auto& call : chunk.calls) {
      if (call.max_retries < 0) call.max_retries = chunk.campaign.spec.retry_attempts;
      if (call.from_number.empty()) call.from_number = chunk.campaign.spec.from_number;
    }
  }
  // Early outcomes whose submission answer never came belong to calls now held (or long gone).
  db_->cached(kPurgeEarly).bind(1, now - UnixMs{3600} * 1000).run();
  db_->cached(kForgetAnsweredSent).run();  // markers of chunks held or released above
  tx.commit();
  return out;
}

void Store::set_outcome_rule(schedule::OutcomeRule rule) {
  outcome_rule_ = rule ? std::move(rule) : schedule::retry_rule({}, [] { return 0.5; });
}

std::optional<UnixMs> Store::oldest_in_progress() {
  return db_->cached(kOldestInProgress).first_int64();
}

std::vector<CallId> Store::resolve_held(const std::vector<CallId>& ids, HeldAction action, const std::string& reason,
                                        UnixMs now) {
  Transaction tx(*db_);
  std::vector<CallId> moved;
  for (CallId id : ids) {
    auto& s = db_->cached(action == HeldAction::release ? kReleaseHeld : kFailHeld);
    s.bind(1, id).bind(2, now).bind(3, reason).run();
    if (db_->changes() == 0) continue;
    moved.push_back(id);
    if (action == HeldAction::fail) db_->cached(kStatsOperatorFailed).bind(1, id).bind(2, now).run();
  }
  tx.commit();
  return moved;
}

std::vector<std::string> Store::in_progress_call_ids(const std::string& provider) {
  auto& s = db_->cached(kInProgressOfProvider);
  s.bind(1, provider);
  std::vector<std::string> out;
  while (s.step())
    if (auto id = s.opt_text(0)) out.push_back(*id);
  return out;
}

std::vector<CallId> Store::held_calls(CampaignId campaign_id) {
  return db_->cached(kHeldOfCampaign).bind(1, campaign_id).all_int64();
}

}  // namespace dialerd::store
