// The store's contacts and suppressions, per workspace and the global list.
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
Suppression read_suppression(const Stmt& s) {
  return {s.text("workspace"), s.text("phone"),          s.text("reason"),
          s.text("source"),    s.opt_text("created_by"), s.int64("created_at")};
}
}  // namespace

std::optional<Contact> Store::contact(const std::string& workspace, const std::string& phone) {
  auto& q = db_->cached(kSelectContact);
  q.bind(1, workspace).bind(2, phone);
  std::optional<Contact> out;
  if (q.step())
    out = Contact{q.int64("id"),          q.text("phone"),        q.text("first_name"),  q.text("last_name"),
                  q.opt_text("timezone"), q.int64("active") != 0, q.int64("created_at"), q.int64("updated_at")};
  q.reset();
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

void Store::update_contact(const Contact& c, UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kUpdateContact)
      .bind(1, c.id)
      .bind(2, non_empty(c.first_name))
      .bind(3, non_empty(c.last_name))
      .bind(4, c.timezone)
      .bind(5, c.active ? 1 : 0)
      .bind(6, now)
      .run();
  tx.commit();
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
