// Names that look like a migration or a callback but are not one (issue 20): Flyway skips such
// files silently, so a `v2__add_users.sql` or a `beforeMigrat.sql` would never run and nobody
// would know. The resolver reports them with the name they most likely meant; this is the one
// place that decides what a lookalike is, for the resolver's warnings and for any stricter
// naming check built on it.
#ifndef STRATA_MIGRATIONS_NAMING_H_
#define STRATA_MIGRATIONS_NAMING_H_

#include <optional>
#include <string>
#include <string_view>

namespace strata::migrations {

// For a file name (not a path) that is not a valid migration or callback name, the nearest name
// that is one: the prefix's case fixed (`v2__x.sql` → `V2__x.sql`), a missing `V` added
// (`2__x.sql` → `V2__x.sql`), a single `_` separator doubled (`V2_x.sql` → `V2__x.sql`), or the
// closest callback event strata runs (`beforeMigrat.sql` → `beforeMigrate.sql`, at most two
// edits away). nullopt when the name is valid, or looks like neither (`README.md`, `seed.sql`).
std::optional<std::string> NearestValidName(std::string_view name);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_NAMING_H_
