#pragma once
// One contact record as clients send it (POST /v1/campaigns, .../contacts, /v1/calls): validated into a
// ContactInput, every error naming the record's field.
#include <string>
#include <vector>

#include "common.hpp"
#include "dialerd/domain/campaign.hpp"

namespace dialerd::api {

// `at` names the record in errors ("contacts[3]"); national numbers are read in `region`.
domain::ContactInput parse_contact(const json& rec, const std::string& at, const std::string& region);
// The campaign's required_variables the contact lacks (as addCallsToBatch validates against the agent).
std::vector<std::string> missing_required(const domain::ContactInput& c, const std::vector<std::string>& required);
// bad_field naming the first missing variable, if any.
void check_required(const domain::ContactInput& c, const std::vector<std::string>& required, const std::string& at);

}  // namespace dialerd::api
