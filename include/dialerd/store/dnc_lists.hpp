#pragma once
// The do-not-call lists role of the store (docs/COMPLIANCE.md, "Do-not-call lists"): named lists of a
// workspace or global, their numbers, and the imports that fill them. An import adds numbers in slices
// (one transaction each, the caller yielding to the event loop between them); a replacing import fills a
// new number set and switches the list to it at once, so a claim sees the old copy or the new, never half.
// No SQLite type here: another backend implements the same interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/dnc.hpp"

namespace dialerd::store {

class DncLists {
 public:
  virtual ~DncLists() = default;

  // The lists a workspace sees: its own, then the global ones, each by name.
  virtual std::vector<domain::DncList> dnc_lists(const std::string& workspace) = 0;
  // One list by owner (a workspace, or domain::kGlobalList) and name.
  virtual std::optional<domain::DncList> dnc_list(const std::string& owner, const std::string& name) = 0;
  // Creates an empty list (no as_of yet); nothing when the owner has one of that name.
  virtual std::optional<domain::DncList> create_dnc_list(const domain::DncList& list) = 0;
  // Writes a list's description, source and max_age_days.
  virtual void update_dnc_list(const domain::DncList& list, domain::UnixMs now) = 0;
  // Deletes a list; its numbers are retired (purge_dnc_sets deletes them).
  virtual void delete_dnc_list(const domain::DncList& list) = 0;
  // Campaigns not ended (neither completed nor cancelled) that honour lists named `name` and can see the
  // owner's (the owner's own campaigns; every workspace's for a global list).
  virtual std::vector<domain::CampaignId> campaigns_honouring(const std::string& owner, const std::string& name) = 0;

  // Imports. A new empty set for a replacing import of the list (state loading).
  virtual std::int64_t begin_dnc_set(std::int64_t list_id, domain::UnixMs now) = 0;
  // Adds numbers (keys, any order; sorted here) to a set in one transaction; how many were not there yet.
  // A list's current set counts them in the same transaction (a crash mid-append leaves the count true).
  virtual std::int64_t add_dnc_numbers(std::int64_t set_id, std::vector<std::int64_t>& keys) = 0;
  // Ends a replacing import: the set becomes the list's (the old one retired), holding `numbers`.
  virtual void commit_dnc_set(std::int64_t list_id, std::int64_t set_id, std::int64_t numbers,
                              std::optional<domain::UnixMs> as_of, domain::UnixMs now) = 0;
  // Ends an appending import: the list is updated now; as_of moves only when given.
  virtual void finish_dnc_append(std::int64_t list_id, std::optional<domain::UnixMs> as_of, domain::UnixMs now) = 0;
  // A replacing import that failed: its set is retired.
  virtual void abandon_dnc_set(std::int64_t set_id) = 0;
  // Sets an earlier process left loading are retired (at start-up, before any import).
  virtual void retire_loading_dnc_sets() = 0;
  // Deletes up to `limit` numbers of a retired set, and the set once empty; false when none is retired.
  virtual bool purge_dnc_sets(int limit) = 0;

  // Numbers. Whether the list holds the number; removing one (false when it did not hold it).
  virtual bool dnc_holds(const domain::DncList& list, std::int64_t key) = 0;
  virtual bool remove_dnc_number(const domain::DncList& list, std::int64_t key, domain::UnixMs now) = 0;
  // The list's numbers after `after` in order, at most `limit` (an export page).
  virtual std::vector<std::int64_t> dnc_numbers(const domain::DncList& list, std::int64_t after, int limit) = 0;

  // The lists a campaign honours as they stand: each of its names as the campaign's workspace's list and
  // the global one (either or both). Names that match neither go to `missing`.
  struct Honoured {
    std::vector<domain::DncList> lists;
    std::vector<std::string> missing;
  };
  virtual Honoured dnc_lists_of(const domain::Campaign& campaign) = 0;
};

}  // namespace dialerd::store
