// The claim over SQLite (store/claims.hpp): due calls judged and taken for a chunk, and place-now.
#include <algorithm>
#include <array>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dialerd/schedule/rotation.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {
namespace {
// kSelectDue's column after the candidate's: when the contact's latest counted call went out.
constexpr int kLatestCall = 13;
constexpr std::array<std::string_view, 1> kLatestCallColumn = {"latest_call"};
// Whether a DNC list's number set holds a number (its E.164 digits).
constexpr const char* kDncHolds = "SELECT 1 FROM dnc_numbers WHERE set_id = ?1 AND phone = ?2";
}  // namespace

using namespace domain;
using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;
using namespace sql;

namespace {
class SqlHistory final : public History {
 public:
  explicit SqlHistory(sqlite::Db& db) : db_(db) {}
  std::int64_t contact_calls_since(std::int64_t contact_id, UnixMs since) override {
    return db_.cached(kContactCallsSince).bind(1, contact_id).bind(2, since).first_int64().value_or(0);
  }
  std::optional<UnixMs> contact_nth_recent_call(std::int64_t contact_id, int n, UnixMs since) override {
    return db_.cached(kContactNthRecentCall).bind(1, contact_id).bind(2, since).bind(3, n - 1).first_int64();
  }
  std::optional<UnixMs> subject_nth_recent_call(std::int64_t contact_id, int n, UnixMs since,
                                                const std::optional<std::string>& subject,
                                                CampaignId campaign_id) override {
    return db_.cached(kSubjectNthRecentCall)
        .bind(1, contact_id)
        .bind(2, since)
        .bind(3, n - 1)
        .bind(4, subject)
        .bind(5, campaign_id)
        .first_int64();
  }
  std::optional<UnixMs> subject_last_conversation(std::int64_t contact_id, UnixMs since,
                                                  const std::optional<std::string>& subject,
                                                  CampaignId campaign_id) override {
    return db_.cached(kSubjectLastConversation)
        .bind(1, contact_id)
        .bind(2, since)
        .bind(3, subject)
        .bind(4, campaign_id)
        .first_int64();
  }
  const DncList* dnc_listed(std::string_view phone, const std::vector<DncList>& lists) override {
    const std::int64_t key = dnc_key(phone);
    for (const auto& list : lists)
      if (db_.cached(kDncHolds).bind(1, list.set_id).bind(2, key).first_int64()) return &list;
    return nullptr;
  }

 private:
  sqlite::Db& db_;
};
}  // namespace

std::unique_ptr<History> sql_history(Db& db) {
  return std::make_unique<SqlHistory>(db);
}

std::optional<DispatchChunk> Store::claim(const Campaign& campaign, int limit, UnixMs now) {
  ClaimOptions options;
  options.limit = limit;
  return claim(campaign, options, now, nullptr);
}

std::string Store::new_dispatch_key(CampaignId campaign_id, UnixMs now) {
  return "dk-" + std::to_string(campaign_id) + "-" + std::to_string(now) + "-" + std::to_string(key_salt_) + "-" +
         std::to_string(++key_seq_);
}

// Fills one chunk inside an open transaction: picks each call's caller id (rotated per call, or one per
// chunk for providers that take one per request), marks the call dispatching under the chunk's key and
// records its attempt. Each add() writes its call at once, unless the builder is `deferred` (a claim): then
// flush() writes every call added since the last flush in one statement for the calls and one for the
// attempts, and the claim flushes before anything reads what they change.
class Store::ChunkBuilder {
 public:
  ChunkBuilder(Store& store, const Campaign& campaign, const ClaimOptions& options, UnixMs now, bool deferred = false)
      : store_(store), db_(*store.db_), now_(now), deferred_(deferred), numbers_(campaign.spec.caller_ids()) {
    chunk_.campaign_id = campaign.id;
    chunk_.campaign = campaign;
    chunk_.idempotency_key = store.new_dispatch_key(campaign.id, now);
    chunk_.provider = options.provider.empty() ? campaign.spec.provider : options.provider;
    cursor_ = db_.cached(kRotationCursor).bind(1, campaign.id).first_int64().value_or(0);
    per_call_ = schedule::caller_id_per_call(campaign.spec.rotation, options.caller_id_per_call);
    local_ = campaign.spec.rotation == "local_presence";
    split_ = options.chunk_per_caller_id;
    rooms_ = options.number_rooms;
    if (local_)
      for (const auto& n : numbers_) places_.push_back(schedule::number_place(n));
    else if (!per_call_)
      chunk_index_ = next_index();  // none with room: closed_, and no call fits
  }
  // What each number may still place after the calls added (ClaimOptions::number_rooms).
  const schedule::NumberRooms& rooms() const { return rooms_; }
  std::size_t size() const { return chunk_.calls.size(); }
  // Whether the call may join this chunk: when a number with room can take it (the chunk's own number for
  // a chunk with one caller id), and under local_presence for a kind that sends one caller id per request,
  // when the nearest numbers with room include the chunk's (a call with no local number joins any chunk).
  bool fits(const DispatchCall& call) const {
    const bool own_number = !per_call_ && (!local_ || !chunk_.calls.empty());
    if (own_number && (closed_ || !schedule::has_room(rooms_, chunk_index_))) return false;
    if (!own_number && !any_room()) return false;
    if (!local_ || per_call_ || !split_ || chunk_.calls.empty()) return true;
    auto local = schedule::local_numbers(schedule::number_place(call.phone), places_, rooms_);
    return local.empty() || std::find(local.begin(), local.end(), chunk_index_) != local.end();
  }
  // Adds a call that fits().
  void add(DispatchCall call) {
    if (local_) {
      if (per_call_ || chunk_.calls.empty()) {
        auto pick = schedule::local_presence_pick(schedule::number_place(call.phone), places_, cursor_,
                                                  store_.random_.uniform(), rooms_);
        if (!pick) throw std::logic_error("a call added that no caller id with room can take");
        cursor_ = pick->cursor;
        chunk_index_ = pick->index;
      }
    } else if (per_call_) {
      chunk_index_ = next_index();
    }
    if (closed_) throw std::logic_error("a call added that no caller id with room can take");
    call.from_number = numbers_[chunk_index_];
    if (!rooms_.empty()) --rooms_[chunk_index_];
    if (deferred_) taken_.insert(call.contact_id);
    chunk_.calls.push_back(std::move(call));
    if (!deferred_) write_one(chunk_.calls.back());
  }
  // Whether a call of this contact was added (a deferred builder's history must look it up exactly).
  bool took_contact(std::int64_t contact_id) const { return taken_.count(contact_id) > 0; }
  // Writes the calls added since the last flush: stages them, then one statement for the calls and one for
  // the attempts.
  void flush() {
    if (written_ == chunk_.calls.size()) return;
    db_.cached(kClearChunkRows).run();
    auto& stage = db_.cached(kStageChunkRow);
    for (std::size_t i = written_; i < chunk_.calls.size(); ++i) {
      const auto& call = chunk_.calls[i];
      stage.bind(1, call.id).bind(2, call.contact_id).bind(3, call.attempt).bind(4, call.from_number).bind_null(5);
      stage.run();
      stage.reset();
    }
    db_.cached(kMarkDispatchingMany).bind(1, chunk_.idempotency_key).bind(2, now_).bind(3, chunk_.provider).run();
    db_.cached(kInsertAttempts)
        .bind(1, chunk_.campaign_id)
        .bind(2, chunk_.idempotency_key)
        .bind(3, now_)
        .bind(4, chunk_.provider)
        .run();
    count_submitted(static_cast<std::int64_t>(chunk_.calls.size() - written_));
    written_ = chunk_.calls.size();
  }
  // The chunk, or nothing when no call was added. Saves the rotation cursor.
  std::optional<DispatchChunk> finish() {
    flush();
    if (chunk_.calls.empty()) return std::nullopt;
    db_.cached(kSetRotationCursor).bind(1, chunk_.campaign_id).bind(2, cursor_).run();
    return std::move(chunk_);
  }

 private:
  void write_one(const DispatchCall& call) {
    db_.cached(kMarkDispatching)
        .bind(1, call.id)
        .bind(2, chunk_.idempotency_key)
        .bind(3, now_)
        .bind(4, chunk_.provider)
        .run();
    db_.cached(kInsertAttempt)
        .bind(1, call.id)
        .bind(2, chunk_.campaign_id)
        .bind(3, call.contact_id)
        .bind(4, call.attempt)
        .bind(5, chunk_.idempotency_key)
        .bind(6, call.from_number)
        .bind(7, now_)
        .bind(8, chunk_.provider)
        .run();
    count_submitted(1);
    written_ = chunk_.calls.size();
  }
  void count_submitted(std::int64_t n) {
    db_.cached(kStatsSubmitted).bind(1, chunk_.campaign_id).bind(2, now_).bind(3, n).run();
  }
  bool any_room() const {
    for (std::size_t i = 0; i < numbers_.size(); ++i)
      if (schedule::has_room(rooms_, i)) return true;
    return false;
  }
  // The next number by the rotation among those with room; none: closed_.
  std::size_t next_index() {
    auto pick = schedule::next_open_caller_id(chunk_.campaign.spec.rotation, rooms_, numbers_.size(), cursor_,
                                              store_.random_.uniform());
    closed_ = !pick;
    if (!pick) return 0;
    cursor_ = pick->cursor;
    return pick->index;
  }

  Store& store_;
  Db& db_;
  UnixMs now_;
  bool deferred_;
  std::vector<std::string> numbers_;
  DispatchChunk chunk_;
  std::size_t written_ = 0;                 // calls already in the database
  std::unordered_set<std::int64_t> taken_;  // contacts of the calls added (deferred only)
  std::int64_t cursor_ = 0;
  bool per_call_ = true;
  bool local_ = false;                         // local_presence: numbers picked by the contact's place
  bool split_ = false;                         // local_presence: a chunk per caller id (ClaimOptions)
  std::vector<schedule::NumberPlace> places_;  // of numbers_, for local_presence
  std::size_t chunk_index_ = 0;                // the chunk's (or the last call's) number
  schedule::NumberRooms rooms_;                // what each number may still place; empty: no limit
  bool closed_ = false;                        // the chunk's one number could not be picked: none has room
};

namespace {
// A claim's view of call history. The due-call read brings each contact's latest counted call; a contact
// whose latest call is older than the window asked about has none in it, so no query is needed. Anything
// else, and every contact the chunk has already taken a call of (its attempts may not be written yet, and
// the read predates them), is answered by the exact query after the chunk's calls are written.
class ClaimHistory final : public History {
 public:
  ClaimHistory(History& exact, std::function<bool(std::int64_t)> taken, std::function<void()> flush)
      : exact_(exact), taken_(std::move(taken)), flush_(std::move(flush)) {}
  void clear() { latest_.clear(); }
  void known(std::int64_t contact_id, std::optional<UnixMs> latest) { latest_[contact_id] = latest; }

  std::int64_t contact_calls_since(std::int64_t contact_id, UnixMs since) override {
    if (none_since(contact_id, since)) return 0;
    return exact_.contact_calls_since(contact_id, since);
  }
  std::optional<UnixMs> contact_nth_recent_call(std::int64_t contact_id, int n, UnixMs since) override {
    if (n >= 1 && none_since(contact_id, since)) return std::nullopt;
    return exact_.contact_nth_recent_call(contact_id, n, since);
  }
  std::optional<UnixMs> subject_nth_recent_call(std::int64_t contact_id, int n, UnixMs since,
                                                const std::optional<std::string>& subject,
                                                CampaignId campaign_id) override {
    if (n >= 1 && none_since(contact_id, since)) return std::nullopt;
    return exact_.subject_nth_recent_call(contact_id, n, since, subject, campaign_id);
  }
  std::optional<UnixMs> subject_last_conversation(std::int64_t contact_id, UnixMs since,
                                                  const std::optional<std::string>& subject,
                                                  CampaignId campaign_id) override {
    if (none_since(contact_id, since - 8LL * 24 * 3600 * 1000)) return std::nullopt;  // as the query's range
    return exact_.subject_last_conversation(contact_id, since, subject, campaign_id);
  }
  const DncList* dnc_listed(std::string_view phone, const std::vector<DncList>& lists) override {
    return exact_.dnc_listed(phone, lists);  // the claim adds no number to a list
  }

 private:
  // True when the contact certainly has no counted call at or after `since`; otherwise makes the database
  // current for the exact query that follows.
  bool none_since(std::int64_t contact_id, UnixMs since) {
    if (taken_(contact_id)) {
      flush_();
      return false;
    }
    auto it = latest_.find(contact_id);
    return it != latest_.end() && (!it->second || *it->second < since);
  }

  History& exact_;
  std::function<bool(std::int64_t)> taken_;
  std::function<void()> flush_;
  std::unordered_map<std::int64_t, std::optional<UnixMs>> latest_;
};
}  // namespace

std::optional<DispatchChunk> Store::claim(const Campaign& campaign, const ClaimOptions& options, UnixMs now,
                                          const Judge& judge) {
  if (options.limit <= 0) return std::nullopt;
  const int max_examined = options.max_examined > 0 ? options.max_examined : 4 * options.limit;
  Transaction tx(*db_);
  ChunkBuilder chunk(*this, campaign, options, now, /*deferred=*/true);
  ClaimHistory history(
      *history_, [&](std::int64_t contact_id) { return chunk.took_contact(contact_id); }, [&] { chunk.flush(); });
  int examined = 0;
  std::vector<Candidate> batch;
  std::vector<std::pair<CallId, std::string>> corrupt;  // read in this batch but not readable
  std::unordered_set<std::int64_t> called_before;       // contacts of the batch with a counted call
  // Claims from one scan (every due call, or one priority level's) until the chunk holds `target` calls,
  // the scan runs out, or the claim must end (false: a call held, or one needing a chunk of its own; the
  // rest of its batch is still judged).
  auto take = [&](std::optional<std::int64_t> level, int target) {
    bool more = true, go_on = true;
    while (more && go_on && static_cast<int>(chunk.size()) < target && examined < max_examined) {
      batch.clear();
      corrupt.clear();
      called_before.clear();
      history.clear();
      chunk.flush();  // the next read must not see the calls taken so far as pending
      auto& due = db_->cached(level ? kSelectDueRanked : kSelectDue);
      int want = std::min(target - static_cast<int>(chunk.size()), max_examined - examined);
      due.bind(1, campaign.id).bind(2, now).bind(3, want);
      if (level) due.bind(4, *level);
      while (due.step()) {
        try {
          batch.push_back(read_candidate(due, campaign.spec.retry_attempts));
        } catch (const CorruptRow& e) {
          corrupt.emplace_back(due.int64("id"), e.what());
          continue;
        }
        due.expect_columns(kLatestCall, kLatestCallColumn);
        const auto latest = due.opt_int64(kLatestCall);
        history.known(batch.back().call.contact_id, latest);
        if (latest) called_before.insert(batch.back().call.contact_id);
      }
      due.reset();
      more = static_cast<int>(batch.size() + corrupt.size()) == want;
      // A call whose row cannot be read is set aside, loudly: it waits kCorruptRetryMs (read again then, so
      // a fixed row goes out) with the reason in last_error; the others go on.
      for (const auto& [id, why] : corrupt) {
        ++examined;
        spdlog::error("store: {}; the call is set aside (read again in an hour) until the row is fixed", why);
        db_->cached(kDeferCall)
            .bind(1, id)
            .bind(2, now + kCorruptRetryMs)
            .bind(3, "corrupt row: " + why)
            .bind(4, now)
            .run();
      }
      for (auto& c : batch) {
        ++examined;
        if (!chunk.fits(c.call)) {
          go_on = false;  // left due for a chunk of its own caller id; the next batch would begin with it
          continue;
        }
        // A call of the same contact is out (another campaign's, this one's before a new upload made this
        // call, or one this claim took): this one waits for it, whatever the rules say. A contact never
        // called and not taken in this claim has none out.
        const bool taken = chunk.took_contact(c.call.contact_id);
        if (taken) chunk.flush();  // the lookup must see the call taken
        if (taken || called_before.count(c.call.contact_id))
          if (auto out = db_->cached(kContactCallOut).bind(1, c.call.contact_id).first_int64()) {
            db_->cached(kDeferCall)
                .bind(1, c.call.id)
                .bind(2, now + kContactOutRetryMs)
                .bind(3, "call " + std::to_string(*out) +
                             " to this contact is out (dispatching, in progress or held); this call waits for it")
                .bind(4, now)
                .run();
            continue;
          }
        Verdict v = judge ? judge(c, history) : Verdict{};
        if (v.kind == Verdict::Kind::hold) {
          go_on = false;  // the next batch would begin with this call again
          continue;
        }
        if (v.kind == Verdict::Kind::wait) {
          db_->cached(kDeferCall).bind(1, c.call.id).bind(2, v.until).bind(3, v.reason).bind(4, now).run();
          continue;
        }
        if (v.kind == Verdict::Kind::skip) {
          db_->cached(kSkipCall).bind(1, c.call.id).bind(2, v.reason).bind(3, now).run();
          continue;
        }
        chunk.add(std::move(c.call));
      }
    }
    return go_on;
  };
  auto level_below = [&](std::int64_t level) {
    return db_->cached(kPriorityBelow).bind(1, campaign.id).bind(2, level).first_int64();
  };
  // Priority (claims.hpp): the due calls of each level above 0, highest first, then every other due call in
  // due order, which is the order of age. No call starves: each kPriorityFairEvery - 1 calls taken by
  // priority earn one taken by age, owed to the next claim and taken first in it (so a claim that ends early
  // never spends its room on turns it has not earned); calls taken by age pay the debt back. A campaign with
  // no call of a priority above 0 pending costs one seek more than before.
  bool go_on = true;
  auto level = level_below(domain::kMaxPriority + 1);
  if (!level) priority_debt_.erase(campaign.id);  // no call of a priority pending: nothing waits behind one
  std::int64_t* debt = level ? &priority_debt_[campaign.id] : nullptr;
  constexpr std::int64_t kEarn = domain::kPriorityFairEvery - 1;
  const auto by_age = [&](int target) {
    const auto before = static_cast<std::int64_t>(chunk.size());
    go_on = take(std::nullopt, target);
    if (debt) *debt = std::max<std::int64_t>(0, *debt - (static_cast<std::int64_t>(chunk.size()) - before) * kEarn);
  };
  const auto room = [&] { return static_cast<int>(chunk.size()) < options.limit && examined < max_examined; };
  if (debt && *debt >= kEarn) {
    by_age(static_cast<int>(std::min<std::int64_t>(*debt / kEarn, options.limit)));
    go_on = true;  // a call held or needing a chunk of its own among the oldest does not hold up the levels
  }
  while (go_on && level && room()) {
    const auto before = static_cast<std::int64_t>(chunk.size());
    go_on = take(level, options.limit);
    *debt += static_cast<std::int64_t>(chunk.size()) - before;
    if (!go_on || !room()) break;
    level = level_below(*level);
  }
  if (go_on) by_age(options.limit);
  auto out = chunk.finish();
  tx.commit();  // deferrals and skips are kept even when nothing goes out
  return out;
}

Store::PlaceNow Store::place_now(const Campaign& campaign, const std::vector<ContactInput>& contacts,
                                 const ClaimOptions& options, UnixMs now, const Judge& judge) {
  PlaceNow out;
  out.items.resize(contacts.size());
  Transaction tx(*db_);
  std::unique_ptr<ChunkBuilder> chunk;
  ClaimOptions chunk_options = options;  // each chunk starts from the rooms the one before left
  auto flush = [&] {
    if (!chunk) return;
    chunk_options.number_rooms = chunk->rooms();
    if (auto c = chunk->finish()) out.chunks.push_back(std::move(*c));
    chunk.reset();
  };
  std::vector<std::pair<std::size_t, std::size_t>> where(contacts.size());  // (chunk, position) of placed calls
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    // Each record is its own savepoint: a refused one leaves no trace (no call, no contact change).
    sqlite::Savepoint record(*db_, "place_now");
    CallId id = insert_contacts(campaign.id, {contacts[i]}, now).call_ids.front();
    // Placed now on request: a callback time it had gives way (kept if the call is not placed).
    db_->cached(kClearNotBefore).bind(1, id).run();
    auto& sel = db_->cached(kSelectCandidate);
    sel.bind(1, id);
    if (!sel.step()) throw std::logic_error("a call just stored cannot be read back");
    Candidate cand = read_candidate(sel, campaign.spec.retry_attempts);
    sel.reset();
    auto& item = out.items[i];
    item.busy_call_id =
        db_->cached(kContactCallInFlight).bind(1, cand.call.contact_id).bind(2, campaign.id).first_int64();
    if (!item.busy_call_id) item.verdict = judge ? judge(cand, *history_) : Verdict{};
    if (item.busy_call_id || item.verdict.kind != Verdict::Kind::dispatch) {
      record.rollback();
      continue;
    }
    if (chunk && (static_cast<int>(chunk->size()) >= options.limit || !chunk->fits(cand.call))) flush();
    if (!chunk) chunk = std::make_unique<ChunkBuilder>(*this, campaign, chunk_options, now);
    if (!chunk->fits(cand.call)) {
      // Every caller id has placed its daily cap in this request (the API refuses the request when none
      // has room to begin with).
      item.verdict = Verdict{Verdict::Kind::wait, now, "no from number has room left today"};
      record.rollback();
      continue;
    }
    item.call_id = id;
    where[i] = {out.chunks.size(), chunk->size()};
    chunk->add(std::move(cand.call));
    record.release();
  }
  flush();
  tx.commit();
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    auto& item = out.items[i];
    if (!item.call_id) continue;
    const auto& c = out.chunks[where[i].first];
    item.from_number = c.calls[where[i].second].from_number;
    item.dispatch_key = c.idempotency_key;
  }
  return out;
}

}  // namespace dialerd::store
