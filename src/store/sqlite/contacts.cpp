// The store's contacts and suppressions, per workspace and the global list.
#include <spdlog/spdlog.h>

#include "dialerd/domain/contact.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Stmt;
using sqlite::Transaction;
using namespace sql;

namespace {

// The contact book's SQL. A deleted record (deleted_at set) is none to every read here.
#define DIALERD_CONTACT_COLUMNS                                                                                   \
  "p.id, p.phone, coalesce(p.first_name, '') AS first_name, coalesce(p.last_name, '') AS last_name, p.timezone, " \
  "p.active, p.variables, p.external_id, p.created_at, p.updated_at, p.consent"
constexpr const char* kSelectContact =
    "SELECT " DIALERD_CONTACT_COLUMNS
    " FROM contacts p WHERE p.workspace = ?1 AND p.phone = ?2 AND p.deleted_at IS NULL";
constexpr const char* kSelectContactById =
    "SELECT " DIALERD_CONTACT_COLUMNS " FROM contacts p WHERE p.id = ?1 AND p.workspace = ?2 AND p.deleted_at IS NULL";
constexpr const char* kSelectContactByExternalId =
    "SELECT " DIALERD_CONTACT_COLUMNS
    " FROM contacts p WHERE p.workspace = ?1 AND p.external_id = ?2 AND p.deleted_at IS NULL";
constexpr const char* kListContacts = "SELECT " DIALERD_CONTACT_COLUMNS
                                      " FROM contacts p INDEXED BY contacts_workspace"
                                      " WHERE p.workspace = ?1 AND p.id > ?2 AND p.deleted_at IS NULL"
                                      " AND (?3 IS NULL OR p.active = ?3) ORDER BY p.id LIMIT ?4";
// A list's members along its primary key, so a page costs its length whatever the workspace holds.
constexpr const char* kListMembers =
    "SELECT " DIALERD_CONTACT_COLUMNS
    " FROM list_members m JOIN contacts p ON p.id = m.contact_id"
    " WHERE m.list_id = ?1 AND m.contact_id > ?2 AND p.workspace = ?3 AND p.deleted_at IS NULL"
    " AND (?4 IS NULL OR p.active = ?4) ORDER BY m.contact_id LIMIT ?5";
#undef DIALERD_CONTACT_COLUMNS
// Any record of the number, deleted or not: the number is unique per workspace either way.
constexpr const char* kContactOfNumber =
    "SELECT id, deleted_at, external_id FROM contacts WHERE workspace = ?1 AND phone = ?2";
constexpr const char* kExternalIdHolder =
    "SELECT id FROM contacts WHERE workspace = ?1 AND external_id = ?2 AND id <> ?3";
constexpr const char* kInsertRecord = R"sql(
INSERT INTO contacts(workspace, phone, first_name, last_name, timezone, active, variables, external_id, created_at,
                     updated_at, consent)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10))sql";
constexpr const char* kWriteRecord = R"sql(
UPDATE contacts SET phone = ?2, first_name = ?3, last_name = ?4, timezone = ?5, active = ?6, variables = ?7,
                    external_id = ?8, deleted_at = NULL, updated_at = ?9, consent = ?10
WHERE id = ?1)sql";
constexpr const char* kReviveRecord = "UPDATE contacts SET created_at = ?2 WHERE id = ?1";
constexpr const char* kSkipCallsOfDeleted = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'skipped', last_error = 'contact deleted', updated_at = ?2
WHERE contact_id = ?1 AND state = 'pending')sql";
constexpr const char* kDeleteRecord = R"sql(
UPDATE contacts SET first_name = NULL, last_name = NULL, timezone = NULL, variables = '{}', external_id = NULL,
                    consent = NULL, active = 0, deleted_at = ?2, updated_at = ?2
WHERE id = ?1)sql";
constexpr const char* kForgetMemberships = "DELETE FROM list_members WHERE contact_id = ?1";

#define DIALERD_LIST_COLUMNS                                                                                \
  "l.id, l.name, l.description, l.created_at, l.updated_at, "                                               \
  "(SELECT count(*) FROM list_members m WHERE m.list_id = l.id) AS members, "                               \
  "(SELECT count(*) FROM list_members m JOIN contacts p ON p.id = m.contact_id WHERE m.list_id = l.id AND " \
  "p.active = 1) AS active_members"
constexpr const char* kSelectList = "SELECT " DIALERD_LIST_COLUMNS " FROM lists l WHERE l.id = ?1 AND l.workspace = ?2";
constexpr const char* kSelectLists =
    "SELECT " DIALERD_LIST_COLUMNS " FROM lists l WHERE l.workspace = ?1 AND l.id > ?2 ORDER BY l.id LIMIT ?3";
#undef DIALERD_LIST_COLUMNS
constexpr const char* kInsertList = R"sql(
INSERT INTO lists(workspace, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
ON CONFLICT(workspace, name) DO NOTHING RETURNING id)sql";
constexpr const char* kListExists = "SELECT 1 FROM lists WHERE id = ?1 AND workspace = ?2";
constexpr const char* kListNameHolder = "SELECT id FROM lists WHERE workspace = ?1 AND name = ?2 AND id <> ?3";
constexpr const char* kUpdateList = "UPDATE lists SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1";
constexpr const char* kTouchList = "UPDATE lists SET updated_at = ?2 WHERE id = ?1";
constexpr const char* kListFollowedBy = R"sql(
SELECT f.campaign_id FROM list_followers f JOIN campaigns c ON c.id = f.campaign_id
WHERE f.list_id = ?1 AND c.status NOT IN ('completed', 'cancelled'))sql";
constexpr const char* kDeleteListFollowers = "DELETE FROM list_followers WHERE list_id = ?1";
constexpr const char* kDeleteListMembers = "DELETE FROM list_members WHERE list_id = ?1";
constexpr const char* kDeleteList = "DELETE FROM lists WHERE id = ?1";
constexpr const char* kAddMember = R"sql(
INSERT OR IGNORE INTO list_members(list_id, contact_id, added_at)
SELECT ?1, id, ?3 FROM contacts WHERE id = ?2 AND workspace = ?4 AND deleted_at IS NULL)sql";
constexpr const char* kRemoveMember = "DELETE FROM list_members WHERE list_id = ?1 AND contact_id = ?2";

Suppression read_suppression(const Stmt& s) {
  return {s.text("workspace"), s.text("phone"),          s.text("reason"),
          s.text("source"),    s.opt_text("created_by"), s.int64("created_at")};
}

Contact read_contact(const Stmt& q) {
  Contact c{q.int64("id"),
            q.text("phone"),
            q.text("first_name"),
            q.text("last_name"),
            q.opt_text("timezone"),
            q.int64("active") != 0,
            {},
            q.opt_text("external_id"),
            std::nullopt,
            q.int64("created_at"),
            q.int64("updated_at")};
  if (auto consent = q.opt_text("consent")) {
    c.consent = consent_from_stored(*consent);
    if (!c.consent) throw CorruptRow("contacts", c.id, "consent", "is not a consent record");
  }
  c.variables = nlohmann::json::parse(q.text("variables"), nullptr, false);
  if (c.variables.is_discarded() || !c.variables.is_object())
    throw CorruptRow("contacts", c.id, "variables", "is not a JSON object");
  return c;
}

std::optional<Contact> one_contact(Stmt& q) {
  sqlite::ResetOnExit done(q);
  if (!q.step()) return std::nullopt;
  return read_contact(q);
}

ContactList read_list(const Stmt& q) {
  return {
      q.int64("id"),         q.text("name"),       q.text("description"), q.int64("members"), q.int64("active_members"),
      q.int64("created_at"), q.int64("updated_at")};
}

// A record's fields as ?2..?9 of kInsertRecord and kWriteRecord.
void bind_record(Stmt& s, const Contact& c, UnixMs now) {
  s.bind(2, c.phone).bind(3, non_empty(c.first_name)).bind(4, non_empty(c.last_name)).bind(5, c.timezone);
  s.bind(6, c.active ? 1 : 0).bind(7, c.variables.dump()).bind(8, c.external_id).bind(9, now);
  if (c.consent)
    s.bind(10, stored_consent(*c.consent));
  else
    s.bind_null(10);
}

// The record as stored after `in` is applied to `c`: fields left out keep their value.
void apply_record(Contact& c, const ContactRecordInput& in) {
  c.phone = in.phone;
  if (in.first_name) c.first_name = *in.first_name;
  if (in.last_name) c.last_name = *in.last_name;
  if (in.timezone) c.timezone = *in.timezone;
  if (in.active) c.active = *in.active;
  if (in.variables) c.variables = *in.variables;
  if (in.external_id) c.external_id = *in.external_id;
  if (in.consent) c.consent = *in.consent;
}

}  // namespace

std::optional<Contact> Store::contact(const std::string& workspace, const std::string& phone) {
  auto& q = db_->cached(kSelectContact);
  q.bind(1, workspace).bind(2, phone);
  return one_contact(q);
}

std::optional<Contact> Store::contact_by_id(const std::string& workspace, ContactId id) {
  auto& q = db_->cached(kSelectContactById);
  q.bind(1, id).bind(2, workspace);
  return one_contact(q);
}

std::optional<Contact> Store::contact_by_external_id(const std::string& workspace, const std::string& external_id) {
  auto& q = db_->cached(kSelectContactByExternalId);
  q.bind(1, workspace).bind(2, external_id);
  return one_contact(q);
}

std::vector<Contact> Store::contacts(const std::string& workspace, const ContactFilter& f) {
  std::optional<std::int64_t> active;
  if (f.active) active = *f.active ? 1 : 0;
  auto& q = db_->cached(f.list ? kListMembers : kListContacts);
  if (f.list)
    q.bind(1, *f.list).bind(2, f.after).bind(3, workspace).bind(4, active).bind(5, f.limit);
  else
    q.bind(1, workspace).bind(2, f.after).bind(3, active).bind(4, f.limit);
  sqlite::ResetOnExit done(q);
  std::vector<Contact> out;
  while (q.step()) out.push_back(read_contact(q));
  return out;
}

std::vector<Store::ContactCall> Store::contact_calls(std::int64_t contact_id, const std::string& workspace, int limit) {
  auto& q = db_->cached(kCallsOfContact);
  q.bind(1, contact_id).bind(2, workspace).bind(3, limit);
  sqlite::ResetOnExit done(q);
  std::vector<ContactCall> out;
  while (q.step())
    out.push_back({q.int64("id"), q.int64("campaign_id"), stored_call_state(q.text("state"), q.int64("id")),
                   static_cast<int>(q.int64("attempts")), q.opt_text("last_outcome"), q.int64("next_attempt_at")});
  return out;
}

void Store::write_contact(const Contact& c, UnixMs now) {
  auto& s = db_->cached(kWriteRecord);
  s.bind(1, c.id);
  bind_record(s, c, now);
  s.run();
}

bool Store::update_contact(const std::string& workspace, const Contact& c, UnixMs now) {
  Transaction tx(*db_);
  if (c.external_id &&
      db_->cached(kExternalIdHolder).bind(1, workspace).bind(2, *c.external_id).bind(3, c.id).first_int64())
    return false;
  write_contact(c, now);
  tx.commit();
  return true;
}

Store::UpsertedRecords Store::upsert_contacts(const std::string& workspace,
                                              const std::vector<ContactRecordInput>& records,
                                              std::optional<ListId> list, UnixMs now) {
  Transaction tx(*db_);
  UpsertedRecords done;
  auto& out = done.records;
  out.reserve(records.size());
  std::vector<ContactId> joined;  // new members of `list`
  auto conflict = [&](std::string field, std::string message) {
    out.push_back({Upserted::Result::conflict, 0, std::move(field), std::move(message)});
  };
  for (const auto& in : records) {
    std::optional<Contact> found;
    if (in.external_id) found = contact_by_external_id(workspace, *in.external_id);
    auto& num = db_->cached(kContactOfNumber);
    num.bind(1, workspace).bind(2, in.phone);
    std::optional<ContactId> number_holder;
    bool holder_deleted = false;
    std::optional<std::string> holder_external;
    if (num.step()) {
      number_holder = num.int64("id");
      holder_deleted = num.opt_int64("deleted_at").has_value();
      holder_external = num.opt_text("external_id");
    }
    num.reset();
    Upserted::Result result = Upserted::Result::updated;
    if (found) {
      // The external id names the record: its number may change, to one no other record holds.
      if (number_holder && *number_holder != found->id) {
        conflict("phone_number", in.phone + " is already " +
                                     (holder_deleted ? "the number of deleted contact " : "contact ") +
                                     contact_ref(*number_holder) + ", not external_id '" + *in.external_id + "' (" +
                                     contact_ref(found->id) + ")");
        continue;
      }
    } else if (number_holder && !holder_deleted) {
      if (in.external_id && holder_external && *holder_external != *in.external_id) {
        conflict("external_id", "'" + *in.external_id + "' does not match: phone_number " + in.phone + " is contact " +
                                    contact_ref(*number_holder) + ", whose external_id is '" + *holder_external + "'");
        continue;
      }
      found = contact_by_id(workspace, *number_holder);
    } else if (number_holder) {
      // A deleted record of the number comes back as a new one: nothing of its old fields.
      found = Contact{};
      found->id = *number_holder;
      db_->cached(kReviveRecord).bind(1, found->id).bind(2, now).run();
      result = Upserted::Result::created;
    }
    if (found) {
      apply_record(*found, in);
      write_contact(*found, now);
      out.push_back({result, found->id, {}, {}});
    } else {
      Contact c;
      apply_record(c, in);
      auto& ins = db_->cached(kInsertRecord);
      ins.bind(1, workspace);
      bind_record(ins, c, now);
      ins.run();
      out.push_back({Upserted::Result::created, db_->last_insert_rowid(), {}, {}});
    }
    if (list) {
      db_->cached(kAddMember).bind(1, *list).bind(2, out.back().id).bind(3, now).bind(4, workspace).run();
      if (db_->changes() > 0) joined.push_back(out.back().id);
    }
  }
  if (list && !joined.empty()) {
    db_->cached(kTouchList).bind(1, *list).bind(2, now).run();
    done.calls = feed_followers(workspace, *list, joined, now);
  }
  tx.commit();
  return done;
}

std::int64_t Store::suppress_opted_out(const std::string& workspace, ContactId contact_id, const std::string& source,
                                       const std::string& why, UnixMs now) {
  db_->cached(kSuppressOptedOut).bind(1, workspace).bind(2, contact_id).bind(3, why).bind(4, now).bind(5, source).run();
  db_->cached(kRevokeConsentOfOptedOut).bind(1, contact_id).bind(2, now).run();
  db_->cached(kSkipCallsOfOptedOut).bind(1, contact_id).bind(2, why).bind(3, now).run();
  return db_->changes();
}

std::int64_t Store::opt_out(const std::string& workspace, ContactId id, const std::string& reason, UnixMs now) {
  Transaction tx(*db_);
  if (!contact_by_id(workspace, id)) return 0;
  auto skipped = suppress_opted_out(workspace, id, "api", reason, now);
  tx.commit();
  return skipped;
}

Store::Deleted Store::delete_contact(const std::string& workspace, ContactId id, UnixMs now) {
  Transaction tx(*db_);
  if (!contact_by_id(workspace, id)) return Deleted::not_found;
  if (db_->cached(kContactCallOut).bind(1, id).first_int64()) return Deleted::call_out;
  db_->cached(kSkipCallsOfDeleted).bind(1, id).bind(2, now).run();
  db_->cached(kDeleteRecord).bind(1, id).bind(2, now).run();
  db_->cached(kForgetMemberships).bind(1, id).run();
  tx.commit();
  return Deleted::deleted;
}

std::optional<ContactList> Store::create_list(const std::string& workspace, const std::string& name,
                                              const std::string& description, UnixMs now) {
  Transaction tx(*db_);
  auto id = db_->cached(kInsertList).bind(1, workspace).bind(2, name).bind(3, description).bind(4, now).first_int64();
  if (!id) return std::nullopt;
  auto out = list(workspace, *id);
  tx.commit();
  return out;
}

std::optional<ContactList> Store::list(const std::string& workspace, ListId id) {
  auto& q = db_->cached(kSelectList);
  q.bind(1, id).bind(2, workspace);
  sqlite::ResetOnExit done(q);
  if (!q.step()) return std::nullopt;
  return read_list(q);
}

bool Store::has_list(const std::string& workspace, ListId id) {
  return db_->cached(kListExists).bind(1, id).bind(2, workspace).first_int64().has_value();
}

std::vector<ContactList> Store::lists(const std::string& workspace, ListId after, int limit) {
  auto& q = db_->cached(kSelectLists);
  q.bind(1, workspace).bind(2, after).bind(3, limit);
  sqlite::ResetOnExit done(q);
  std::vector<ContactList> out;
  while (q.step()) out.push_back(read_list(q));
  return out;
}

Store::ListChange Store::update_list(const std::string& workspace, const ContactList& l, UnixMs now) {
  Transaction tx(*db_);
  if (!has_list(workspace, l.id)) return ListChange::not_found;
  if (db_->cached(kListNameHolder).bind(1, workspace).bind(2, l.name).bind(3, l.id).first_int64())
    return ListChange::name_taken;
  db_->cached(kUpdateList).bind(1, l.id).bind(2, l.name).bind(3, l.description).bind(4, now).run();
  tx.commit();
  return ListChange::done;
}

Store::ListChange Store::delete_list(const std::string& workspace, ListId id) {
  Transaction tx(*db_);
  if (!has_list(workspace, id)) return ListChange::not_found;
  if (db_->cached(kListFollowedBy).bind(1, id).first_int64()) return ListChange::followed;
  db_->cached(kDeleteListFollowers).bind(1, id).run();
  db_->cached(kDeleteListMembers).bind(1, id).run();
  db_->cached(kDeleteList).bind(1, id).run();
  tx.commit();
  return ListChange::done;
}

Store::MembersAdded Store::add_members(const std::string& workspace, ListId list, const std::vector<ContactId>& ids,
                                       UnixMs now) {
  Transaction tx(*db_);
  MembersAdded out;
  if (!has_list(workspace, list)) return out;
  std::vector<ContactId> joined;
  for (auto id : ids) {
    db_->cached(kAddMember).bind(1, list).bind(2, id).bind(3, now).bind(4, workspace).run();
    if (db_->changes() > 0)
      joined.push_back(id);
    else
      ++out.already;
  }
  out.added = static_cast<std::int64_t>(joined.size());
  if (!joined.empty()) {
    db_->cached(kTouchList).bind(1, list).bind(2, now).run();
    out.calls = feed_followers(workspace, list, joined, now);
  }
  tx.commit();
  return out;
}

std::int64_t Store::remove_members(const std::string& workspace, ListId list, const std::vector<ContactId>& ids) {
  Transaction tx(*db_);
  if (!has_list(workspace, list)) return 0;
  std::int64_t removed = 0;
  for (auto id : ids) {
    db_->cached(kRemoveMember).bind(1, list).bind(2, id).run();
    removed += db_->changes();
  }
  tx.commit();
  return removed;
}

Store::FollowerCalls Store::feed_followers(const std::string& workspace, ListId list,
                                           const std::vector<ContactId>& joined, UnixMs now) {
  FollowerCalls out;
  auto followers = db_->cached(kListFollowedBy).bind(1, list).all_int64();
  if (followers.empty()) return out;
  std::vector<Contact> records;
  for (auto id : joined)
    if (auto c = contact_by_id(workspace, id)) records.push_back(std::move(*c));
  for (auto campaign_id : followers) {
    auto c = campaign(campaign_id);
    if (!c) continue;
    std::vector<ContactInput> inputs;
    std::int64_t lacking = 0;
    for (const auto& r : records) {
      auto in = call_input(r);
      // A member lacking what the campaign's agent needs is not a call of it: counted in the answer, logged.
      if (missing_required(in, c->spec.required_variables).empty())
        inputs.push_back(std::move(in));
      else
        ++lacking;
    }
    if (lacking > 0)
      spdlog::warn("campaign {}: {} new member(s) of list {} lack a required variable; no call made for them",
                   campaign_id, lacking, list);
    out.lacking += lacking;
    out.made += insert_contacts(campaign_id, inputs, now).added;
  }
  return out;
}

std::optional<std::string> Store::contact_suppressed(const std::string& workspace, const std::string& phone) {
  auto& q = db_->cached(kContactSuppressed);
  q.bind(1, workspace).bind(2, phone);
  std::optional<std::string> out;
  if (q.step()) out = q.opt_text(0);
  q.reset();
  return out;
}

Suppression Store::add_suppression(const Suppression& in) {
  Transaction tx(*db_);
  auto& s = db_->cached(kUpsertSuppression);
  s.bind(1, in.workspace).bind(2, in.phone).bind(3, in.reason).bind(4, in.source).bind(5, in.created_by);
  s.bind(6, in.created_at);
  if (!s.step()) throw std::logic_error("suppression upsert returned nothing");
  auto out = read_suppression(s);
  s.reset();
  tx.commit();
  return out;
}

std::optional<Suppression> Store::suppression(const std::string& owner, const std::string& phone) {
  auto& s = db_->cached(kSelectSuppression);
  s.bind(1, owner).bind(2, phone);
  std::optional<Suppression> out;
  if (s.step()) out = read_suppression(s);
  s.reset();
  return out;
}

std::vector<Suppression> Store::suppressions(const std::string& owner, const std::string& after, int limit) {
  auto& s = db_->cached(kListSuppressions);
  s.bind(1, owner).bind(2, after).bind(3, limit);
  std::vector<Suppression> out;
  while (s.step()) out.push_back(read_suppression(s));
  return out;
}

bool Store::remove_suppression(const std::string& owner, const std::string& phone,
                               const std::optional<std::string>& removed_by, UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kRecordSuppressionRemoval).bind(1, owner).bind(2, phone).bind(3, removed_by).bind(4, now).run();
  db_->cached(kDeleteSuppression).bind(1, owner).bind(2, phone).run();
  bool removed = db_->changes() > 0;
  tx.commit();
  return removed;
}

}  // namespace dialerd::store
