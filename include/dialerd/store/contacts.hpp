#pragma once
// The contacts role of the store: a workspace's record of a number, the calls it has had, and the
// suppression lists (a workspace's own and the global one). No SQLite type here: another backend
// implements the same interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"

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
  // Contacts are per workspace: the workspace's record of the number.
  virtual std::optional<domain::Contact> contact(const std::string& workspace, const std::string& phone) = 0;
  // Why the workspace's contact must not be called (its own suppression's reason, or that the number is on
  // the global list), as the claim decides it; none when it may be called.
  virtual std::optional<std::string> contact_suppressed(const std::string& workspace, const std::string& phone) = 0;
  // Its calls in the workspace's campaigns, newest first.
  virtual std::vector<ContactCall> contact_calls(std::int64_t contact_id, const std::string& workspace, int limit) = 0;
  virtual void update_contact(const domain::Contact& contact, domain::UnixMs now) = 0;

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
