#pragma once
// What the scheduler uses of the store: the campaigns role (triggers, status moves, counts it gates on),
// the claim, and submissions and outcomes. One name for the three, so the scheduler takes one reference.
#include "dialerd/store/campaigns.hpp"
#include "dialerd/store/claims.hpp"
#include "dialerd/store/outcomes.hpp"

namespace dialerd::store {

class DispatchQueue : public Campaigns, public Claims, public Outcomes {};

}  // namespace dialerd::store
