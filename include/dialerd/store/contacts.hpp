#pragma once
// The contacts role of the store: a workspace's contact book (records with ids, lists of them), the calls
// a record has had, and the suppression lists (a workspace's own and the global one). No SQLite type here: another
// backend implements the same interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/contact.hpp"

namespace dialerd::store {

class Contacts {
 public:
  virtual ~Contacts() = default;

  // A call the contact has had in one workspace's campaigns.
  struct ContactCall {
    domain::CallId id = 0;
    domain::CampaignId campaign_id = 0;
    domain::CallState state = domain::CallState::pending;
    int attempts = 0;
    std::optional<std::string> last_outcome;
    domain::UnixMs next_attempt_at = 0;
  };
  // Contacts are per workspace: the workspace's record of the number, by number, id or external id. A
  // deleted record, and another workspace's, is none.
  virtual std::optional<domain::Contact> contact(const std::string& workspace, const std::string& phone) = 0;
  virtual std::optional<domain::Contact> contact_by_id(const std::string& workspace, domain::ContactId id) = 0;
  virtual std::optional<domain::Contact> contact_by_external_id(const std::string& workspace,
                                                                const std::string& external_id) = 0;
  struct ContactFilter {
    std::optional<domain::ListId> list;  // members of this list only
    std::optional<bool> active;
    domain::ContactId after = 0;  // the cursor: records with a larger id
    int limit = 100;
  };
  // The workspace's records in id order.
  virtual std::vector<domain::Contact> contacts(const std::string& workspace, const ContactFilter& filter) = 0;

  // One record's result in upsert_contacts.
  struct Upserted {
    enum class Result { created, updated, conflict } result = Result::created;
    domain::ContactId id = 0;
    std::string field;    // for a conflict: phone_number or external_id
    std::string message;  // and what the value conflicts with
  };
  // What new members of a list did to the campaigns following it (follow_lists).
  struct FollowerCalls {
    std::int64_t made = 0;     // calls added
    std::int64_t lacking = 0;  // calls not made: the member lacks a variable the campaign requires
  };
  struct UpsertedRecords {
    std::vector<Upserted> records;  // one per record, in order
    FollowerCalls calls;
  };
  // Upserts the workspace's records in one transaction (callers chunk long lists): a record matches the one
  // with its external id when it has one, else the one with its number; a deleted record of the number comes
  // back as new. An external id another record holds, or a number another record holds when the external
  // id matched, is a conflict for that record alone. With `list` each record also becomes a member (and a
  // call of each campaign following the list).
  virtual UpsertedRecords upsert_contacts(const std::string& workspace,
                                          const std::vector<domain::ContactRecordInput>& records,
                                          std::optional<domain::ListId> list, domain::UnixMs now) = 0;
  // Stores a record's names, time zone, active flag, variables and external id. False when the external id
  // is another record's (nothing changes).
  virtual bool update_contact(const std::string& workspace, const domain::Contact& contact, domain::UnixMs now) = 0;
  // The person asked not to be called again (reported through the API): in one transaction the number goes
  // on the workspace's suppression list with `reason` (an entry it had keeps its own) and the record's
  // pending calls in every campaign of the workspace are skipped with it. Returns how many were skipped.
  virtual std::int64_t opt_out(const std::string& workspace, domain::ContactId id, const std::string& reason,
                               domain::UnixMs now) = 0;
  enum class Deleted { deleted, not_found, call_out };
  // Deletes a record: its personal fields are cleared and its pending calls skipped, its calls and attempts
  // stay. Refused (call_out) while one of its calls is dispatching, in progress or held.
  virtual Deleted delete_contact(const std::string& workspace, domain::ContactId id, domain::UnixMs now) = 0;
  // Why the workspace's contact must not be called (its own suppression's reason, or that the number is on
  // the global list), as the claim decides it; none when it may be called.
  virtual std::optional<std::string> contact_suppressed(const std::string& workspace, const std::string& phone) = 0;
  // Its calls in the workspace's campaigns, newest first.
  virtual std::vector<ContactCall> contact_calls(std::int64_t contact_id, const std::string& workspace, int limit) = 0;

  // Lists (folders) of a workspace's contacts. Names are unique per workspace: create and rename answer
  // none / name_taken for a name in use.
  virtual std::optional<domain::ContactList> create_list(const std::string& workspace, const std::string& name,
                                                         const std::string& description, domain::UnixMs now) = 0;
  // The list with its member counts (they cost a pass over its members); has_list only says it is there.
  virtual std::optional<domain::ContactList> list(const std::string& workspace, domain::ListId id) = 0;
  virtual bool has_list(const std::string& workspace, domain::ListId id) = 0;
  virtual std::vector<domain::ContactList> lists(const std::string& workspace, domain::ListId after, int limit) = 0;
  enum class ListChange { done, not_found, name_taken, followed };
  virtual ListChange update_list(const std::string& workspace, const domain::ContactList& list, domain::UnixMs now) = 0;
  // Deletes a list (its contacts stay); `followed` while a campaign that has not ended follows it.
  virtual ListChange delete_list(const std::string& workspace, domain::ListId id) = 0;
  struct MembersAdded {
    std::int64_t added = 0;    // new members
    std::int64_t already = 0;  // were members
    FollowerCalls calls;
  };
  // Adds the workspace's records (ids already found to be the workspace's) to its list in one transaction.
  virtual MembersAdded add_members(const std::string& workspace, domain::ListId list,
                                   const std::vector<domain::ContactId>& ids, domain::UnixMs now) = 0;
  // Removes members; returns how many were. Their calls already made stay.
  virtual std::int64_t remove_members(const std::string& workspace, domain::ListId list,
                                      const std::vector<domain::ContactId>& ids) = 0;

  // Numbers that must not be called, with why, by owner: a workspace, or domain::kGlobalList. Adding one
  // for a number the owner already has updates it. A removal is recorded in suppression_removals with
  // `removed_by`.
  virtual domain::Suppression add_suppression(const domain::Suppression& s) = 0;
  virtual std::optional<domain::Suppression> suppression(const std::string& owner, const std::string& phone) = 0;
  virtual std::vector<domain::Suppression> suppressions(const std::string& owner, const std::string& after_phone,
                                                        int limit) = 0;
  virtual bool remove_suppression(const std::string& owner, const std::string& phone,
                                  const std::optional<std::string>& removed_by, domain::UnixMs now) = 0;
};

}  // namespace dialerd::store
