#pragma once
// What the scheduler uses of the store: the campaigns role (triggers, status moves, counts it gates on),
// the claim, submissions and outcomes, and the DNC lists its campaigns honour. One name for the four, so
// the scheduler takes one reference.
#include "dialerd/store/campaigns.hpp"
#include "dialerd/store/claims.hpp"
#include "dialerd/store/dnc_lists.hpp"
#include "dialerd/store/outcomes.hpp"

namespace dialerd::store {

class DispatchQueue : public Campaigns, public Claims, public Outcomes, public DncLists {};

}  // namespace dialerd::store
