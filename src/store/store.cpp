#include "dialerd/store/store.hpp"

#include <filesystem>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dialerd/schedule/retry.hpp"
#include "dialerd/schedule/rotation.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
#include "dialerd/util/json_text.hpp"
#include "dialerd/util/metrics.hpp"
#include "queue_sql.hpp"
#include "sqlite/rows.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;
using namespace sql;

namespace {

// A JSON column of campaign `id`; CorruptRow when it does not parse or has another shape than T.
template <class T>
T campaign_json(const std::string& text, CampaignId id, const char* column) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw CorruptRow("campaigns", id, column, "is not valid JSON");
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw CorruptRow("campaigns", id, column, std::string("has the wrong shape (") + j.type_name() + ")");
  }
}

Campaign read_campaign(const Stmt& s) {
  Campaign c;
  auto& sp = c.spec;
  c.id = s.int64("id");
  sp.workspace = s.text("workspace");
  sp.name = s.text("name");
  sp.agent_id = s.text("agent_id");
  sp.provider = s.text("provider");
  sp.from_number = s.text("from_number");
  sp.from_numbers = campaign_json<std::vector<std::string>>(s.text("from_numbers"), c.id, "from_numbers");
  sp.rotation = s.text("rotation");
  sp.schedule_type = s.text("schedule_type");
  sp.trigger_at = s.opt_int64("trigger_at");
  sp.timezone = s.text("timezone");
  sp.start_time = s.opt_text("start_time");
  sp.end_time = s.opt_text("end_time");
  if (auto days = s.opt_text("working_days"))
    sp.working_days = campaign_json<std::vector<int>>(*days, c.id, "working_days");
  sp.concurrency = static_cast<int>(s.int64("concurrency"));
  if (auto m = s.opt_int64("max_calls_per_day")) sp.max_calls_per_day = static_cast<int>(*m);
  sp.retry_attempts = static_cast<int>(s.int64("retry_attempts"));
  sp.retry_delay_s = static_cast<int>(s.int64("retry_delay_s"));
  if (auto url = s.opt_text("webhook_url")) sp.webhook = Webhook{*url, s.opt_text("webhook_secret_id").value_or("")};
  sp.required_variables =
      campaign_json<std::vector<std::string>>(s.text("required_variables"), c.id, "required_variables");
  sp.options = campaign_json<nlohmann::json>(s.text("options"), c.id, "options");
  if (!sp.options.is_object()) throw CorruptRow("campaigns", c.id, "options", "is not a JSON object");
  auto status = campaign_status_from(s.text("status"));
  if (!status) throw CorruptRow("campaigns", c.id, "status", "is not a campaign status");
  c.status = *status;
  sp.status = c.status;
  c.created_at = s.int64("created_at");
  c.updated_at = s.int64("updated_at");
  return c;
}

}  // namespace

// sqlite/rows.hpp says what it reads.
DispatchCall read_call(const Stmt& s, int max_retries_default, bool in_flight) {
  DispatchCall call;
  call.id = s.int64(0);
  call.phone = s.text(1);
  call.first_name = s.text(2);
  call.last_name = s.text(3);
  // Stored by dialerd as a dumped object; anything else (a hand edit) is read as no variables, so that a
  // request body never carries broken JSON.
  call.variables = s.text(4);
  if (call.variables.empty() || call.variables.front() != '{' || !nlohmann::json::accept(call.variables))
    call.variables = "{}";
  call.attempt = static_cast<int>(s.int64(5)) + (in_flight ? 0 : 1);
  call.max_retries = static_cast<int>(s.opt_int64(6).value_or(max_retries_default));
  call.contact_id = s.int64(7);
  return call;
}

namespace {

// read_call plus columns 8..10: the contact's timezone, active flag, and suppression reason.
Candidate read_candidate(const Stmt& s, int max_retries_default) {
  Candidate c;
  c.call = read_call(s, max_retries_default, false);
  c.contact_timezone = s.opt_text(8);
  c.active = s.int64(9) != 0;
  c.suppression = s.opt_text(10);
  return c;
}

nlohmann::json call_variables(const ContactInput& in) {
  nlohmann::json vars = in.variables.is_object() ? in.variables : nlohmann::json::object();
  if (!in.first_name.empty()) vars["first_name"] = in.first_name;
  if (!in.last_name.empty()) vars["last_name"] = in.last_name;
  return vars;
}

}  // namespace

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

 private:
  sqlite::Db& db_;
};
}  // namespace

void Store::set_outcome_rule(schedule::OutcomeRule rule) {
  outcome_rule_ = rule ? std::move(rule) : schedule::retry_rule({}, [] { return 0.5; });
}

Store::Store(const StoreOptions& options) : random_(options.seed) {
  set_outcome_rule(nullptr);
  auto parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  db_ = std::make_unique<Db>(options.path, Db::Mode::read_write, options.busy_timeout_ms);
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec(options.synchronous == "normal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  db_->exec("PRAGMA foreign_keys = ON");
  db_->exec("PRAGMA wal_autocheckpoint = " + std::to_string(options.wal_autocheckpoint_pages));
  db_->exec("PRAGMA temp_store = MEMORY");  // temp.chunk_rows: a chunk staged for one statement
  sqlite::migrate(*db_);
  db_->exec(kCreateChunkRows);
  history_ = std::make_unique<SqlHistory>(*db_);
  key_salt_ = random_.bits32();
}

Store::~Store() = default;

CampaignId Store::create_campaign(const CampaignSpec& spec, const std::vector<ContactInput>& contacts, UnixMs now) {
  Transaction tx(*db_);
  auto& ins = db_->cached(kInsertCampaign);
  auto from_numbers = spec.from_numbers.empty() ? std::vector<std::string>{spec.from_number} : spec.from_numbers;
  ins.bind(1, spec.workspace).bind(2, spec.name).bind(3, spec.agent_id).bind(4, spec.provider);
  ins.bind(5, spec.from_number).bind(6, nlohmann::json(from_numbers).dump()).bind(7, spec.rotation);
  ins.bind(8, spec.schedule_type).bind(9, spec.trigger_at).bind(10, spec.timezone);
  ins.bind(11, spec.start_time).bind(12, spec.end_time);
  if (spec.working_days)
    ins.bind(13, nlohmann::json(*spec.working_days).dump());
  else
    ins.bind_null(13);
  ins.bind(14, spec.concurrency).bind(15, spec.max_calls_per_day).bind(16, spec.retry_attempts);
  ins.bind(17, spec.retry_delay_s);
  if (spec.webhook)
    ins.bind(18, spec.webhook->url).bind(19, spec.webhook->secret_id);
  else
    ins.bind_null(18).bind_null(19);
  ins.bind(20, nlohmann::json(spec.required_variables).dump()).bind(21, spec.options.dump());
  ins.bind(22, to_string(spec.status)).bind(23, now);
  ins.run();
  CampaignId id = db_->last_insert_rowid();
  insert_contacts(id, contacts, now);
  tx.commit();
  return id;
}

Store::AddedContacts Store::add_contacts(CampaignId id, const std::vector<ContactInput>& contacts, UnixMs now) {
  Transaction tx(*db_);
  auto added = insert_contacts(id, contacts, now);
  tx.commit();
  return added;
}

Store::AddedContacts Store::insert_contacts(CampaignId id, const std::vector<ContactInput>& contacts, UnixMs now) {
  AddedContacts out;
  out.call_ids.reserve(contacts.size());
  auto& up = db_->cached(kUpsertContact);
  auto& find = db_->cached(kFindPendingCall);
  for (const auto& contact : contacts) {
    up.reset();
    up.bind(1, contact.phone).bind(2, non_empty(contact.first_name)).bind(3, non_empty(contact.last_name)).bind(4, now);
    up.bind(5, contact.timezone).bind(6, id);
    if (!up.step()) throw std::logic_error("contact upsert returned no id");
    std::int64_t contact_id = up.int64(0);
    up.reset();
    std::string vars = call_variables(contact).dump();
    // A second record for a contact with a pending call in this campaign updates it (addCallsToBatch).
    find.reset();
    find.bind(1, contact_id).bind(2, id);
    if (find.step()) {
      CallId existing = find.int64(0);
      find.reset();
      db_->cached(kUpdatePendingCall).bind(1, existing).bind(2, vars).bind(3, now).bind(4, contact.max_retries).run();
      ++out.updated;
      out.call_ids.push_back(existing);
      continue;
    }
    find.reset();
    db_->cached(kInsertCall)
        .bind(1, id)
        .bind(2, contact_id)
        .bind(3, now)
        .bind(4, vars)
        .bind(5, contact.max_retries)
        .run();
    ++out.added;
    out.call_ids.push_back(db_->last_insert_rowid());
  }
  return out;
}

namespace {
// The campaign the statement is on, the statement reset whether or not the row can be read.
Campaign read_and_reset(Stmt& s) {
  try {
    auto c = read_campaign(s);
    s.reset();
    return c;
  } catch (...) {
    s.reset();
    throw;
  }
}
}  // namespace

std::optional<Campaign> Store::campaign(CampaignId id) {
  auto& s = db_->cached(kSelectCampaign);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_and_reset(s);
}

std::optional<Campaign> Store::campaign(const std::string& workspace, CampaignId id) {
  auto& s = db_->cached(kSelectWorkspaceCampaign);
  s.bind(1, id).bind(2, workspace);
  if (!s.step()) return std::nullopt;
  return read_and_reset(s);
}

std::vector<Campaign> Store::campaigns_with_status(CampaignStatus status) {
  auto& s = db_->cached(kSelectCampaignsByStatus);
  s.bind(1, to_string(status));
  std::vector<Campaign> out;
  while (s.step()) {
    try {
      out.push_back(read_campaign(s));
    } catch (const CorruptRow& e) {
      // Set aside, loudly: its calls wait; every other campaign goes on.
      if (corrupt_logged_.insert(s.int64("id")).second)
        spdlog::error("store: {}; the campaign is set aside (its calls wait) until the row is fixed", e.what());
    }
  }
  return out;
}

namespace {

// The count a flow row's state names; nullptr for '', the "from" of a campaign's seed rows.
std::int64_t* count_of(CallCounts& c, const std::string& state) {
  auto st = call_state_from(state);
  if (!st) return nullptr;
  switch (*st) {
    case CallState::pending:
      return &c.pending;
    case CallState::dispatching:
      return &c.dispatching;
    case CallState::in_progress:
      return &c.in_progress;
    case CallState::completed:
      return &c.completed;
    case CallState::failed:
      return &c.failed;
    case CallState::skipped:
      return &c.skipped;
    case CallState::held:
      return &c.held;
  }
  return nullptr;
}

}  // namespace

void Store::set_lock_wait(int ms) {
  db_->set_busy_timeout(ms);
}

void count_lock_wait(int waits) {
  metrics::registry()
      .counter("dialerd_storage_lock_waits_total",
               "Times a database write found the database locked by another process and waited for it, off the "
               "event loop.")
      .inc(waits);
}

CallCounts Store::counts(CampaignId id) {
  auto& s = db_->cached(kCampaignFlows);
  s.bind(1, id);
  CallCounts c;
  while (s.step()) {
    std::int64_t n = s.int64(2);
    if (auto* from = count_of(c, s.text(0))) *from -= n;
    if (auto* to = count_of(c, s.text(1))) *to += n;
    c.called += s.int64(3);
  }
  return c;
}

std::int64_t Store::in_flight(CampaignId id) {
  return db_->cached(kInFlight).bind(1, id).first_int64().value_or(0);
}

bool Store::move_campaign(CampaignId id, CampaignStatus to, UnixMs now) {
  auto& s = db_->cached(kSelectCampaignStatus);
  s.bind(1, id);
  bool found = s.step();
  auto from = found ? campaign_status_from(s.text(0)) : std::nullopt;
  s.reset();
  if (!from || !can_transition(*from, to)) return false;
  db_->cached(kUpdateCampaignStatus).bind(1, id).bind(2, to_string(to)).bind(3, now).run();
  return true;
}

bool Store::set_campaign_status(CampaignId id, CampaignStatus to, UnixMs now) {
  Transaction tx(*db_);
  if (!move_campaign(id, to, now)) return false;
  tx.commit();
  return true;
}

void Store::update_settings(CampaignId id, const CampaignSpec& spec, UnixMs now) {
  Transaction tx(*db_);
  auto& u = db_->cached(kUpdateSettings);
  u.bind(1, id).bind(2, spec.name).bind(3, spec.timezone).bind(4, spec.start_time).bind(5, spec.end_time);
  if (spec.working_days)
    u.bind(6, nlohmann::json(*spec.working_days).dump());
  else
    u.bind_null(6);
  u.bind(7, spec.concurrency).bind(8, spec.max_calls_per_day).bind(9, spec.retry_attempts).bind(10, spec.retry_delay_s);
  u.bind(11, spec.rotation).bind(12, now).bind(13, spec.options.dump()).run();
  tx.commit();
}

bool Store::cancel_campaign(CampaignId id, const std::string& reason, UnixMs now) {
  Transaction tx(*db_);
  if (!move_campaign(id, CampaignStatus::cancelled, now)) return false;
  db_->cached(kSkipPendingSlice).bind(1, id).bind(2, reason).bind(3, now).bind(4, kCancelSlice).run();
  tx.commit();
  return true;
}

int Store::skip_pending(CampaignId id, const std::string& reason, UnixMs now, int limit) {
  Transaction tx(*db_);
  db_->cached(kSkipPendingSlice).bind(1, id).bind(2, reason).bind(3, now).bind(4, limit).run();
  int skipped = db_->changes();
  tx.commit();
  return skipped;
}

std::int64_t Store::finish_cancels(UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kSkipPendingOfCancelled).bind(1, now).run();
  std::int64_t skipped = db_->changes();
  tx.commit();
  return skipped;
}

std::vector<CampaignId> Store::campaign_ids(const std::string& workspace, std::optional<CampaignStatus> status,
                                            CampaignId after_id, int limit) {
  auto& q = db_->cached(kListCampaigns);
  if (status)
    q.bind(1, to_string(*status));
  else
    q.bind_null(1);
  return q.bind(2, after_id).bind(3, limit).bind(4, workspace).all_int64();
}

bool Store::complete_if_done(CampaignId id, UnixMs now) {
  auto c = counts(id);
  if (c.total() == 0 || c.pending + c.in_flight() + c.held > 0) return false;
  auto campaign = this->campaign(id);
  if (!campaign || campaign->status != CampaignStatus::running) return false;
  if (!campaign->spec.options.value("complete_when_done", true)) return false;
  return set_campaign_status(id, CampaignStatus::completed, now);
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
  ChunkBuilder(Store& store, const Campaign& campaign, bool caller_id_per_call, const std::string& provider, UnixMs now,
               bool deferred = false)
      : store_(store),
        db_(*store.db_),
        now_(now),
        deferred_(deferred),
        numbers_(campaign.spec.from_numbers.empty() ? std::vector<std::string>{campaign.spec.from_number}
                                                    : campaign.spec.from_numbers) {
    chunk_.campaign_id = campaign.id;
    chunk_.campaign = campaign;
    chunk_.idempotency_key = store.new_dispatch_key(campaign.id, now);
    chunk_.provider = provider.empty() ? campaign.spec.provider : provider;
    cursor_ = db_.cached(kRotationCursor).bind(1, campaign.id).first_int64().value_or(0);
    per_call_ = schedule::caller_id_per_call(campaign.spec.rotation, caller_id_per_call);
    if (!per_call_) chunk_number_ = next_number();
  }
  std::size_t size() const { return chunk_.calls.size(); }
  void add(DispatchCall call) {
    call.from_number = per_call_ ? next_number() : chunk_number_;
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
    written_ = chunk_.calls.size();
  }
  const std::string& next_number() {
    auto pick =
        schedule::next_caller_id(chunk_.campaign.spec.rotation, numbers_.size(), cursor_, store_.random_.uniform());
    cursor_ = pick.cursor;
    return numbers_[pick.index];
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
  std::string chunk_number_;
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
  ChunkBuilder chunk(*this, campaign, options.caller_id_per_call, options.provider, now, /*deferred=*/true);
  ClaimHistory history(
      *history_, [&](std::int64_t contact_id) { return chunk.took_contact(contact_id); }, [&] { chunk.flush(); });
  int examined = 0;
  bool more = true;
  std::vector<Candidate> batch;
  while (more && static_cast<int>(chunk.size()) < options.limit && examined < max_examined) {
    batch.clear();
    history.clear();
    chunk.flush();  // the next read must not see the calls taken so far as pending
    auto& due = db_->cached(kSelectDue);
    int want = std::min(options.limit - static_cast<int>(chunk.size()), max_examined - examined);
    due.bind(1, campaign.id).bind(2, now).bind(3, want);
    while (due.step()) {
      batch.push_back(read_candidate(due, campaign.spec.retry_attempts));
      history.known(batch.back().call.contact_id, due.opt_int64(11));
    }
    due.reset();
    more = static_cast<int>(batch.size()) == want;
    for (auto& c : batch) {
      ++examined;
      Verdict v = judge ? judge(c, history) : Verdict{};
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
  auto flush = [&] {
    if (!chunk) return;
    if (auto c = chunk->finish()) out.chunks.push_back(std::move(*c));
    chunk.reset();
  };
  std::vector<std::pair<std::size_t, std::size_t>> where(contacts.size());  // (chunk, position) of placed calls
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    // Each record is its own savepoint: a refused one leaves no trace (no call, no contact change).
    sqlite::Savepoint record(*db_, "place_now");
    CallId id = insert_contacts(campaign.id, {contacts[i]}, now).call_ids.front();
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
    if (chunk && static_cast<int>(chunk->size()) >= options.limit) flush();
    if (!chunk)
      chunk = std::make_unique<ChunkBuilder>(*this, campaign, options.caller_id_per_call, options.provider, now);
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

namespace {
// Each state's listing, in the order an unfiltered listing visits them (alphabetical, as before migration 4).
struct StateListing {
  CallState state;
  const char* sql;
};
constexpr StateListing kStateListings[] = {
    {CallState::completed, kListCompleted},    {CallState::dispatching, kListDispatching},
    {CallState::failed, kListFailed},          {CallState::held, kListHeld},
    {CallState::in_progress, kListInProgress}, {CallState::pending, kListPending},
    {CallState::skipped, kListSkipped}};
}  // namespace

std::int64_t Store::cursor_key(const CallSummary& c) {
  if (c.state == CallState::pending) return c.next_attempt_at;
  if (c.state == CallState::in_progress) return c.updated_at;
  return 0;
}

std::vector<Store::CallSummary> Store::campaign_calls(CampaignId id, std::optional<CallState> state,
                                                      const CallCursor& after, int limit) {
  std::vector<CallSummary> out;
  for (const auto& listing : kStateListings) {
    if (state && listing.state != *state) continue;
    const std::string name(to_string(listing.state));
    if (!state && name < after.state) continue;  // the cursor's state and the ones after it
    const bool continues = name == after.state;
    auto& q = db_->cached(listing.sql);
    q.bind(1, id)
        .bind(2, continues ? after.key : std::numeric_limits<UnixMs>::min())
        .bind(3, continues ? after.id : std::int64_t{0})
        .bind(4, limit - static_cast<int>(out.size()));
    while (q.step()) {
      CallSummary c;
      c.id = q.int64(0);
      c.phone = q.text(1);
      c.state = call_state_from(q.text(2)).value_or(CallState::pending);
      c.attempts = static_cast<int>(q.int64(3));
      c.next_attempt_at = q.int64(4);
      c.last_outcome = q.opt_text(5);
      c.last_error = q.opt_text(6);
      c.provider_call_id = q.opt_text(7);
      c.created_at = q.int64(8);
      c.updated_at = q.int64(9);
      out.push_back(std::move(c));
    }
    q.reset();
    if (static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

std::int64_t Store::campaign_calls_since(CampaignId id, UnixMs since) {
  return db_->cached(kCampaignCallsSince).bind(1, id).bind(2, since).first_int64().value_or(0);
}

namespace {
std::vector<std::pair<std::string, std::int64_t>> text_counts(Stmt& q) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (q.step()) out.emplace_back(q.text(0), q.int64(1));
  q.reset();
  return out;
}
}  // namespace

std::vector<std::pair<std::string, std::int64_t>> Store::call_totals() {
  return text_counts(db_->cached(kCallTotals));
}
std::vector<std::pair<std::string, std::int64_t>> Store::campaign_totals() {
  return text_counts(db_->cached(kCampaignTotals));
}

std::optional<UnixMs> Store::oldest_in_progress() {
  return db_->cached(kOldestInProgress).first_int64();
}

std::optional<CallRef> Store::call_ref(CallId id) {
  auto& s = db_->cached(kSelectCall);
  s.bind(1, id);
  std::optional<CallRef> out;
  if (s.step())
    out = CallRef{s.int64(0), s.int64(1), call_state_from(s.text(2)).value_or(CallState::pending), s.text(3)};
  s.reset();
  return out;
}

std::optional<CallRef> Store::call_ref(const std::string& workspace, CallId id) {
  auto& s = db_->cached(kSelectWorkspaceCall);
  s.bind(1, id).bind(2, workspace);
  std::optional<CallRef> out;
  if (s.step())
    out = CallRef{s.int64(0), s.int64(1), call_state_from(s.text(2)).value_or(CallState::pending), s.text(3)};
  s.reset();
  return out;
}

std::vector<CallId> Store::resolve_held(const std::vector<CallId>& ids, HeldAction action, const std::string& reason,
                                        UnixMs now) {
  Transaction tx(*db_);
  std::vector<CallId> moved;
  for (CallId id : ids) {
    auto& s = db_->cached(action == HeldAction::release ? kReleaseHeld : kFailHeld);
    s.bind(1, id).bind(2, now).bind(3, reason).run();
    if (db_->changes() > 0) moved.push_back(id);
  }
  tx.commit();
  return moved;
}

std::vector<Store::DueKey> Store::pending_page(CampaignId id, std::optional<DueKey> after, int limit) {
  auto& q = db_->cached(kPendingPage);
  q.bind(1, id).bind(2, after ? after->next_attempt_at : std::numeric_limits<UnixMs>::min());
  q.bind(3, after ? after->call_id : std::numeric_limits<CallId>::min()).bind(4, limit);
  std::vector<DueKey> out;
  while (q.step()) out.push_back({q.int64(0), q.int64(1)});
  return out;
}

std::optional<std::pair<std::string, std::optional<std::string>>> Store::call_place(CallId id) {
  auto& q = db_->cached(kCallPlace);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  std::pair<std::string, std::optional<std::string>> out{q.text(0), q.opt_text(1)};
  q.reset();
  return out;
}

std::optional<CallDetail> Store::call_detail(CallId id) {
  auto& q = db_->cached(kCallDetail);
  q.bind(1, id);
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  CallDetail d;
  d.candidate = read_candidate(q, -1);
  d.attempts = static_cast<int>(q.int64(5));
  d.campaign_id = q.int64(11);
  d.state = call_state_from(q.text(12)).value_or(CallState::pending);
  d.next_attempt_at = q.int64(13);
  d.last_outcome = q.opt_text(14);
  d.last_error = q.opt_text(15);
  d.provider_call_id = q.opt_text(16);
  d.created_at = q.int64(17);
  d.updated_at = q.int64(18);
  q.reset();
  auto& a = db_->cached(kAttemptsOfCall);
  a.bind(1, id);
  while (a.step())
    d.history.push_back({static_cast<int>(a.int64(0)), a.text(1), a.opt_text(2).value_or(""),
                         a.opt_text(3).value_or(""), a.opt_text(4).value_or(""), a.opt_text(5).value_or(""), a.int64(6),
                         a.opt_int64(7)});
  return d;
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

std::optional<UnixMs> Store::next_due(CampaignId id) {
  return db_->cached(kNextDueOfCampaign).bind(1, id).first_int64();
}

std::optional<UnixMs> Store::next_trigger() {
  return db_->cached(kNextTrigger).first_int64();
}

std::vector<CampaignId> Store::triggered_campaigns(UnixMs now) {
  return db_->cached(kTriggered).bind(1, now).all_int64();
}

void Store::checkpoint() {
  db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

bool Store::ping() {
  try {
    return db_->cached("SELECT count(*) FROM campaigns WHERE id = 0").first_int64().has_value();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace dialerd::store
