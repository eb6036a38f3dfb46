// The campaigns role over SQLite (store/campaigns.hpp): a campaign's row and calls, its counts, its
// status moves, and the reads the scheduler wakes on.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "dialerd/domain/contact.hpp"
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

RetryByOutcome stored_retry_policy(const std::string& text, CampaignId id) {
  std::string field, error;
  auto policy = parse_retry_policy(nlohmann::json::parse(text, nullptr, false), field, error);
  if (!policy)
    throw CorruptRow("campaigns", id, "retry_policy", "is not a retry policy (" + field + ": " + error + ")");
  return *policy;
}

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
  sp.rotation = s.int64("local_presence") != 0 ? "local_presence" : s.text("rotation");
  sp.schedule_type = s.text("schedule_type");
  sp.trigger_at = s.opt_int64("trigger_at");
  sp.timezone = s.text("timezone");
  sp.start_time = s.opt_text("start_time");
  sp.end_time = s.opt_text("end_time");
  if (auto days = s.opt_text("working_days"))
    sp.working_days = campaign_json<std::vector<int>>(*days, c.id, "working_days");
  sp.concurrency = static_cast<int>(s.int64("concurrency"));
  if (auto m = s.opt_int64("max_calls_per_day")) sp.max_calls_per_day = static_cast<int>(*m);
  if (auto p = s.opt_int64("calls_per_second")) sp.calls_per_second = static_cast<int>(*p);
  if (auto p = s.opt_int64("calls_per_minute")) sp.calls_per_minute = static_cast<int>(*p);
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
  sp.subject = s.opt_text("subject");
  if (auto required = s.opt_text("require_consent")) {
    sp.require_consent = consent_type_from(*required);
    if (!sp.require_consent || *sp.require_consent == ConsentType::none)
      throw CorruptRow("campaigns", c.id, "require_consent", "is not express or express_written");
  }
  if (auto reg_f = s.opt_text("reg_f")) {
    auto j = campaign_json<nlohmann::json>(*reg_f, c.id, "reg_f");
    try {
      sp.reg_f = RegF{j.at("calls").get<int>(), j.at("days").get<int>(), j.at("quiet_days").get<int>()};
    } catch (const nlohmann::json::exception&) {
      throw CorruptRow("campaigns", c.id, "reg_f", "is not {\"calls\", \"days\", \"quiet_days\"}");
    }
  }
  if (auto lists = s.opt_text("dnc_lists"))
    sp.dnc_lists = campaign_json<std::vector<std::string>>(*lists, c.id, "dnc_lists");
  if (auto policy = s.opt_text("retry_policy")) sp.retry_policy = stored_retry_policy(*policy, c.id);
  if (auto m = s.opt_int64("max_calls_per_number")) sp.max_calls_per_number_per_day = static_cast<int>(*m);
  if (auto rest = s.opt_text("number_rest")) {
    std::string field, error;
    sp.number_rest = parse_number_rest(nlohmann::json::parse(*rest, nullptr, false), field, error);
    if (!sp.number_rest)
      throw CorruptRow("campaigns", c.id, "number_rest", "is not a number rest (" + field + ": " + error + ")");
  }
  if (auto predial = s.opt_text("predial")) {
    auto j = campaign_json<nlohmann::json>(*predial, c.id, "predial");
    try {
      sp.predial =
          Predial{j.at("url").get<std::string>(), j.at("secret_id").get<std::string>(), j.at("timeout_ms").get<int>(),
                  j.at("on_error").get<std::string>() == "call", j.at("cache_seconds").get<int>()};
    } catch (const nlohmann::json::exception&) {
      throw CorruptRow("campaigns", c.id, "predial",
                       "is not {\"url\", \"secret_id\", \"timeout_ms\", \"on_error\", \"cache_seconds\"}");
    }
  }
  return c;
}

// The DNC lists a campaign honours: a JSON array of names, NULL for none.
void bind_dnc_lists(Stmt& s, int index, const std::vector<std::string>& lists) {
  if (lists.empty())
    s.bind_null(index);
  else
    s.bind(index, nlohmann::json(lists).dump());
}

// local_presence is stored as its fallback rotation plus the local_presence flag (migration 14).
std::string stored_rotation(const CampaignSpec& spec) {
  return spec.rotation == "local_presence" ? "round_robin" : spec.rotation;
}

// A campaign's retry_policy: a JSON object, NULL for none.
void bind_retry_policy(Stmt& s, int index, const RetryByOutcome& policy) {
  if (policy.empty())
    s.bind_null(index);
  else
    s.bind(index, retry_policy_json(policy).dump());
}

// A campaign's rest for failing numbers: a JSON object, NULL for none.
void bind_number_rest(Stmt& s, int index, const std::optional<NumberRest>& rest) {
  if (rest)
    s.bind(index, number_rest_json(*rest).dump());
  else
    s.bind_null(index);
}

// A campaign's pre-dial check: a JSON object, NULL for none.
void bind_predial(Stmt& s, int index, const std::optional<Predial>& p) {
  if (!p)
    s.bind_null(index);
  else
    s.bind(index, nlohmann::json{{"url", p->url},
                                 {"secret_id", p->secret_id},
                                 {"timeout_ms", p->timeout_ms},
                                 {"on_error", p->call_on_error ? "call" : "wait"},
                                 {"cache_seconds", p->cache_seconds}}
                      .dump());
}

}  // namespace

nlohmann::json call_variables(const ContactInput& in) {
  nlohmann::json vars = in.variables.is_object() ? in.variables : nlohmann::json::object();
  if (!in.first_name.empty()) vars["first_name"] = in.first_name;
  if (!in.last_name.empty()) vars["last_name"] = in.last_name;
  return vars;
}

CampaignId Store::create_campaign(const CampaignSpec& spec, const std::vector<ContactInput>& contacts, UnixMs now) {
  Transaction tx(*db_);
  auto& ins = db_->cached(kInsertCampaign);
  auto from_numbers = spec.caller_ids();
  ins.bind(1, spec.workspace).bind(2, spec.name).bind(3, spec.agent_id).bind(4, spec.provider);
  ins.bind(5, spec.from_number).bind(6, nlohmann::json(from_numbers).dump()).bind(7, stored_rotation(spec));
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
  ins.bind(22, to_string(spec.status)).bind(23, now).bind(24, spec.subject);
  if (spec.reg_f)
    ins.bind(
        25,
        nlohmann::json{{"calls", spec.reg_f->calls}, {"days", spec.reg_f->days}, {"quiet_days", spec.reg_f->quiet_days}}
            .dump());
  else
    ins.bind_null(25);
  if (spec.require_consent)
    ins.bind(26, to_string(*spec.require_consent));
  else
    ins.bind_null(26);
  bind_dnc_lists(ins, 27, spec.dnc_lists);
  bind_predial(ins, 28, spec.predial);
  bind_retry_policy(ins, 29, spec.retry_policy);
  ins.bind(30, spec.calls_per_second)
      .bind(31, spec.calls_per_minute)
      .bind(32, static_cast<int>(spec.rotation == "local_presence"))
      .bind(33, spec.max_calls_per_number_per_day);
  bind_number_rest(ins, 34, spec.number_rest);
  ins.run();
  CampaignId id = db_->last_insert_rowid();
  for (auto list : spec.follow_lists) db_->cached(kFollowList).bind(1, list).bind(2, id).run();
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

bool Store::change_pending_call(CallId id, const PendingCallChange& change, UnixMs now) {
  Transaction tx(*db_);
  if (change.not_before) {
    db_->cached(kSetNotBefore).bind(1, id).bind(2, *change.not_before).bind(3, now).run();
    if (db_->changes() == 0) return false;
  }
  if (change.priority) {
    db_->cached(kSetPriority).bind(1, id).bind(2, *change.priority).bind(3, now).run();
    if (db_->changes() == 0) return false;
  }
  tx.commit();
  return true;
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
      db_->cached(kUpdatePendingCall)
          .bind(1, existing)
          .bind(2, vars)
          .bind(3, now)
          .bind(4, contact.max_retries)
          .bind(5, contact.not_before)
          .bind(6, contact.priority)
          .run();
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
        .bind(6, contact.not_before)
        .bind(7, contact.priority)
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

CallCounts Store::counts(CampaignId id) {
  auto& s = db_->cached(kCampaignFlows);
  s.bind(1, id);
  CallCounts c;
  while (s.step()) {
    std::int64_t n = s.int64("n");
    if (auto* from = count_of(c, s.text("from_state"))) *from -= n;
    if (auto* to = count_of(c, s.text("to_state"))) *to += n;
    c.called += s.int64("called");
  }
  return c;
}

std::int64_t Store::in_flight(CampaignId id) {
  return db_->cached(kInFlight).bind(1, id).first_int64().value_or(0);
}

std::int64_t Store::workspace_in_flight(const std::string& workspace) {
  return db_->cached(kWorkspaceInFlight).bind(1, workspace).first_int64().value_or(0);
}

std::vector<schedule::NumberUse> Store::number_uses(const Campaign& campaign, UnixMs since) {
  std::vector<schedule::NumberUse> out;
  const auto& spec = campaign.spec;
  const int recent = spec.number_rest ? spec.number_rest->after_failures : 0;
  for (const auto& number : spec.caller_ids()) {
    schedule::NumberUse use;
    if (spec.max_calls_per_number_per_day)
      use.calls_today = db_->cached(kNumberCallsSince)
                            .bind(1, number)
                            .bind(2, since)
                            .bind(3, spec.workspace)
                            .first_int64()
                            .value_or(0);
    if (recent > 0) {
      auto& q = db_->cached(kNumberRecent);
      sqlite::ResetOnExit reset(q);
      q.bind(1, number).bind(2, spec.workspace).bind(3, recent);
      while (q.step()) {
        auto outcome = outcome_from(q.text(0));  // the query reads only outcomes
        if (outcome) use.recent.push_back({*outcome, q.int64(1)});
      }
    }
    out.push_back(std::move(use));
  }
  return out;
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
  u.bind(11, stored_rotation(spec)).bind(12, now).bind(13, spec.options.dump());
  bind_dnc_lists(u, 14, spec.dnc_lists);
  bind_predial(u, 15, spec.predial);
  bind_retry_policy(u, 16, spec.retry_policy);
  u.bind(17, spec.calls_per_second)
      .bind(18, spec.calls_per_minute)
      .bind(19, static_cast<int>(spec.rotation == "local_presence"))
      .bind(20, spec.max_calls_per_number_per_day);
  bind_number_rest(u, 21, spec.number_rest);
  u.run();
  tx.commit();
}

std::vector<Campaigns::CallRecord> Store::call_records(CampaignId id, bool not_completed, CallId after_call,
                                                       int limit) {
  std::vector<CallRecord> out;
  auto& q = db_->cached(kCallRecords);
  sqlite::ResetOnExit reset(q);
  q.bind(1, id).bind(2, after_call).bind(3, not_completed ? 1 : 0).bind(4, limit);
  while (q.step()) {
    CallRecord r;
    r.call_id = q.int64("id");
    r.contact.phone = q.text("phone");
    r.contact.first_name = q.opt_text("first_name").value_or("");
    r.contact.last_name = q.opt_text("last_name").value_or("");
    r.contact.timezone = q.opt_text("timezone");
    auto vars = nlohmann::json::parse(q.text("variables"), nullptr, false);
    if (!vars.is_object()) throw CorruptRow("calls", r.call_id, "variables", "is not a JSON object");
    r.contact.variables = std::move(vars);
    if (auto m = q.opt_int64("max_retries")) r.contact.max_retries = static_cast<int>(*m);
    if (auto p = q.int64("priority")) r.contact.priority = static_cast<int>(p);
    out.push_back(std::move(r));
  }
  return out;
}

bool Store::cancel_campaign(CampaignId id, const std::string& reason, UnixMs now) {
  Transaction tx(*db_);
  if (!move_campaign(id, CampaignStatus::cancelled, now)) return false;
  db_->cached(kSkipPendingSlice).bind(1, id).bind(2, reason).bind(3, now).bind(4, kCancelSlice).run();
  tx.commit();
  priority_debt_.erase(id);
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

bool Store::complete_if_done(CampaignId id, UnixMs now) {
  auto c = counts(id);
  if (c.total() == 0 || c.pending + c.in_flight() + c.held > 0) return false;
  auto campaign = this->campaign(id);
  if (!campaign || campaign->status != CampaignStatus::running) return false;
  if (!campaign->spec.options.value("complete_when_done", true)) return false;
  if (!set_campaign_status(id, CampaignStatus::completed, now)) return false;
  priority_debt_.erase(id);
  return true;
}

std::int64_t Store::campaign_calls_since(CampaignId id, UnixMs since) {
  return db_->cached(kCampaignCallsSince).bind(1, id).bind(2, since).first_int64().value_or(0);
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

}  // namespace dialerd::store
