#pragma once
// The contact book: a workspace's contact records and lists (folders) of them, as plain values, and the
// opaque ids clients see them by ("ctc_12", "lst_3").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::domain {

using ContactId = std::int64_t;
using ListId = std::int64_t;

// A record as a client sends it to the contact book (POST /v1/contacts): the number is required and
// already E.164; any other field left out keeps what the record holds.
struct ContactRecordInput {
  std::string phone;
  std::optional<std::string> first_name, last_name, timezone, external_id;
  std::optional<bool> active;
  std::optional<nlohmann::json> variables;  // replaces the record's variables as a whole
  std::optional<Consent> consent;           // replaces the record's consent as a whole
};

std::string_view to_string(ConsentType t);
std::optional<ConsentType> consent_type_from(std::string_view text);
// The stored form (contacts.consent): {"type", "source", "captured_at", "expires_at", "revoked_at"}, times in
// Unix ms. Reading gives nothing for a shape it does not know.
std::string stored_consent(const Consent& c);
std::optional<Consent> consent_from_stored(std::string_view text);

// A list of a workspace's contacts; the counts are of its members not deleted.
struct ContactList {
  ListId id = 0;
  std::string name;
  std::string description;
  std::int64_t members = 0, active_members = 0;
  UnixMs created_at = 0, updated_at = 0;
};

// Ids as the API shows them. Parsing accepts exactly what formatting makes.
std::string contact_ref(ContactId id);
std::string list_ref(ListId id);
std::optional<ContactId> parse_contact_ref(std::string_view ref);
std::optional<ListId> parse_list_ref(std::string_view ref);

// The call a campaign makes from a record: its number, names, time zone and variables, and its external id
// as the variable customer_id unless the variables have one.
ContactInput call_input(const Contact& c);
// The campaign's required_variables the call lacks (as addCallsToBatch validates against the agent).
std::vector<std::string> missing_required(const ContactInput& c, const std::vector<std::string>& required);

}  // namespace dialerd::domain
