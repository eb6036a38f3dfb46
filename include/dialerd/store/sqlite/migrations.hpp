#pragma once
#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::store::sqlite {

// The schema version this build writes (PRAGMA user_version after migrate()).
int schema_version();
// Applies every migration newer than the file's user_version, each in its own transaction.
// Refuses (throws) a database written by a newer dialerd.
void migrate(Db& db);
// Applies migrations up to `target` only (tests build older schemas with it).
void migrate(Db& db, int target);

}  // namespace dialerd::store::sqlite
