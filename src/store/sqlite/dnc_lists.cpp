// The do-not-call lists role over SQLite (store/dnc_lists.hpp): dnc_lists rows, their number sets in
// dnc_numbers (migration 9), imports in slices and the purge of retired sets.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"

// Internal to src/store/sqlite.
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

#define DIALERD_DNC_COLUMNS                                                                                  \
  "id, workspace, name, description, source, max_age_days, as_of, set_id, numbers, created_by, created_at, " \
  "updated_at"
// A workspace's lists, then the global ones ('*' sorts after every workspace name a key may have).
constexpr const char* kDncListsOf = "SELECT " DIALERD_DNC_COLUMNS
                                    " FROM dnc_lists WHERE workspace IN (?1, '*') "
                                    "ORDER BY workspace = '*', name";
constexpr const char* kDncListByName =
    "SELECT " DIALERD_DNC_COLUMNS " FROM dnc_lists WHERE workspace = ?1 AND name = ?2";
#undef DIALERD_DNC_COLUMNS
constexpr const char* kInsertDncSet = "INSERT INTO dnc_sets(list_id, state, created_at) VALUES (?1, ?2, ?3)";
constexpr const char* kInsertDncList = R"sql(
INSERT INTO dnc_lists(workspace, name, description, source, max_age_days, set_id, created_by, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT(workspace, name) DO NOTHING)sql";
constexpr const char* kSetOwner = "UPDATE dnc_sets SET list_id = ?2 WHERE id = ?1";
constexpr const char* kUpdateDncList = R"sql(
UPDATE dnc_lists SET description = ?2, source = ?3, max_age_days = ?4, updated_at = ?5 WHERE id = ?1)sql";
constexpr const char* kDeleteDncList = "DELETE FROM dnc_lists WHERE id = ?1";
constexpr const char* kRetireSet = "UPDATE dnc_sets SET state = 'retired' WHERE id = ?1";
constexpr const char* kRetireLoading = "UPDATE dnc_sets SET state = 'retired' WHERE state = 'loading'";
constexpr const char* kCurrentSet = "UPDATE dnc_sets SET state = 'current' WHERE id = ?1";
constexpr const char* kListSet = "SELECT set_id FROM dnc_lists WHERE id = ?1";
constexpr const char* kSwitchSet = R"sql(
UPDATE dnc_lists SET set_id = ?2, numbers = ?3, as_of = coalesce(?4, as_of), updated_at = ?5 WHERE id = ?1)sql";
constexpr const char* kAppended = "UPDATE dnc_lists SET as_of = coalesce(?2, as_of), updated_at = ?3 WHERE id = ?1";
// Numbers added to a set count at once for the list it is current for (none while a replace loads it).
constexpr const char* kCountAdded = "UPDATE dnc_lists SET numbers = numbers + ?2 WHERE set_id = ?1";
constexpr const char* kInsertNumber = "INSERT OR IGNORE INTO dnc_numbers(set_id, phone) VALUES (?1, ?2)";
constexpr const char* kHolds = "SELECT 1 FROM dnc_numbers WHERE set_id = ?1 AND phone = ?2";
constexpr const char* kDeleteNumber = "DELETE FROM dnc_numbers WHERE set_id = ?1 AND phone = ?2";
constexpr const char* kRemoved = "UPDATE dnc_lists SET numbers = numbers - 1, updated_at = ?2 WHERE id = ?1";
constexpr const char* kNumbersAfter =
    "SELECT phone FROM dnc_numbers WHERE set_id = ?1 AND phone > ?2 ORDER BY phone LIMIT ?3";
constexpr const char* kRetiredSet = "SELECT id FROM dnc_sets WHERE state = 'retired' LIMIT 1";
// A slice of a retired set: the rows up to its `limit`-th number, by the primary key.
constexpr const char* kPurgeSlice = R"sql(
DELETE FROM dnc_numbers WHERE set_id = ?1 AND phone <= coalesce(
  (SELECT phone FROM dnc_numbers WHERE set_id = ?1 ORDER BY phone LIMIT 1 OFFSET ?2 - 1), 9223372036854775807))sql";
constexpr const char* kDeleteSet = "DELETE FROM dnc_sets WHERE id = ?1";
// Campaigns not ended honouring a list name: for a global list every workspace's, else the owner's.
constexpr const char* kHonouring = R"sql(
SELECT c.id FROM campaigns c, json_each(c.dnc_lists) l
WHERE c.dnc_lists IS NOT NULL AND c.status NOT IN ('completed', 'cancelled') AND l.value = ?2
  AND (?1 = '*' OR c.workspace = ?1)
ORDER BY c.id)sql";

DncList read_list(const Stmt& s) {
  DncList l;
  l.id = s.int64("id");
  l.workspace = s.text("workspace");
  l.name = s.text("name");
  l.description = s.text("description");
  l.source = s.text("source");
  if (auto age = s.opt_int64("max_age_days")) l.max_age_days = static_cast<int>(*age);
  l.as_of = s.opt_int64("as_of");
  l.set_id = s.int64("set_id");
  l.numbers = s.int64("numbers");
  l.created_by = s.opt_text("created_by");
  l.created_at = s.int64("created_at");
  l.updated_at = s.int64("updated_at");
  return l;
}

}  // namespace

std::vector<DncList> Store::dnc_lists(const std::string& workspace) {
  auto& s = db_->cached(kDncListsOf);
  sqlite::ResetOnExit reset(s);
  s.bind(1, workspace);
  std::vector<DncList> out;
  while (s.step()) out.push_back(read_list(s));
  return out;
}

std::optional<DncList> Store::dnc_list(const std::string& owner, const std::string& name) {
  auto& s = db_->cached(kDncListByName);
  sqlite::ResetOnExit reset(s);
  s.bind(1, owner).bind(2, name);
  if (!s.step()) return std::nullopt;
  return read_list(s);
}

std::optional<DncList> Store::create_dnc_list(const DncList& list) {
  Transaction tx(*db_);
  db_->cached(kInsertDncSet).bind(1, 0).bind(2, "current").bind(3, list.created_at).run();
  const std::int64_t set = db_->last_insert_rowid();
  auto& ins = db_->cached(kInsertDncList);
  ins.bind(1, list.workspace).bind(2, list.name).bind(3, list.description).bind(4, list.source);
  ins.bind(5, list.max_age_days).bind(6, set).bind(7, list.created_by).bind(8, list.created_at).run();
  if (db_->changes() == 0) return std::nullopt;  // the name is taken: the set goes with the rollback
  db_->cached(kSetOwner).bind(1, set).bind(2, db_->last_insert_rowid()).run();
  tx.commit();
  return dnc_list(list.workspace, list.name);
}

void Store::update_dnc_list(const DncList& list, UnixMs now) {
  db_->cached(kUpdateDncList)
      .bind(1, list.id)
      .bind(2, list.description)
      .bind(3, list.source)
      .bind(4, list.max_age_days)
      .bind(5, now)
      .run();
}

void Store::delete_dnc_list(const DncList& list) {
  Transaction tx(*db_);
  db_->cached(kRetireSet).bind(1, list.set_id).run();
  db_->cached(kDeleteDncList).bind(1, list.id).run();
  tx.commit();
}

std::vector<CampaignId> Store::campaigns_honouring(const std::string& owner, const std::string& name) {
  return db_->cached(kHonouring).bind(1, owner).bind(2, name).all_int64();
}

std::int64_t Store::begin_dnc_set(std::int64_t list_id, UnixMs now) {
  db_->cached(kInsertDncSet).bind(1, list_id).bind(2, "loading").bind(3, now).run();
  return db_->last_insert_rowid();
}

std::int64_t Store::add_dnc_numbers(std::int64_t set_id, std::vector<std::int64_t>& keys) {
  // In key order the B-tree fills page by page: far fewer pages touched than in file order.
  std::sort(keys.begin(), keys.end());
  Transaction tx(*db_);
  auto& ins = db_->cached(kInsertNumber);
  std::int64_t added = 0;
  for (std::int64_t key : keys) {
    ins.bind(1, set_id).bind(2, key).run();
    added += db_->changes();
    ins.reset();
  }
  if (added > 0) db_->cached(kCountAdded).bind(1, set_id).bind(2, added).run();
  tx.commit();
  return added;
}

void Store::commit_dnc_set(std::int64_t list_id, std::int64_t set_id, std::int64_t numbers, std::optional<UnixMs> as_of,
                           UnixMs now) {
  Transaction tx(*db_);
  auto old = db_->cached(kListSet).bind(1, list_id).first_int64();
  if (old) db_->cached(kRetireSet).bind(1, *old).run();
  db_->cached(kCurrentSet).bind(1, set_id).run();
  db_->cached(kSwitchSet).bind(1, list_id).bind(2, set_id).bind(3, numbers).bind(4, as_of).bind(5, now).run();
  tx.commit();
}

void Store::finish_dnc_append(std::int64_t list_id, std::optional<UnixMs> as_of, UnixMs now) {
  db_->cached(kAppended).bind(1, list_id).bind(2, as_of).bind(3, now).run();
}

void Store::abandon_dnc_set(std::int64_t set_id) {
  db_->cached(kRetireSet).bind(1, set_id).run();
}

void Store::retire_loading_dnc_sets() {
  db_->exec(kRetireLoading);
}

bool Store::purge_dnc_sets(int limit) {
  auto set = db_->cached(kRetiredSet).first_int64();
  if (!set) return false;
  Transaction tx(*db_);
  db_->cached(kPurgeSlice).bind(1, *set).bind(2, limit).run();
  if (db_->changes() < limit) db_->cached(kDeleteSet).bind(1, *set).run();
  tx.commit();
  return true;
}

bool Store::dnc_holds(const DncList& list, std::int64_t key) {
  return db_->cached(kHolds).bind(1, list.set_id).bind(2, key).first_int64().has_value();
}

bool Store::remove_dnc_number(const DncList& list, std::int64_t key, UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kDeleteNumber).bind(1, list.set_id).bind(2, key).run();
  if (db_->changes() == 0) return false;
  db_->cached(kRemoved).bind(1, list.id).bind(2, now).run();
  tx.commit();
  return true;
}

std::vector<std::int64_t> Store::dnc_numbers(const DncList& list, std::int64_t after, int limit) {
  return db_->cached(kNumbersAfter).bind(1, list.set_id).bind(2, after).bind(3, limit).all_int64();
}

DncLists::Honoured Store::dnc_lists_of(const Campaign& campaign) {
  Honoured out;
  for (const auto& name : campaign.spec.dnc_lists) {
    bool found = false;
    for (const char* owner : {campaign.spec.workspace.c_str(), kGlobalList}) {
      if (auto l = dnc_list(owner, name)) {
        out.lists.push_back(std::move(*l));
        found = true;
      }
    }
    if (!found) out.missing.push_back(name);
  }
  return out;
}

}  // namespace dialerd::store
