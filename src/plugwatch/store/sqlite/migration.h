// Schema migrations: the numbered SQL files in sqlite/migrations/
// (NNN_name.sql), embedded into the binary at build time
// (cmake/embed_files.cmake), and the runner that brings a database up to the
// newest of them.
//
// Each migration runs in its own IMMEDIATE transaction together with its row
// in schema_migrations(version, applied_at), so a crash leaves the schema at
// a whole version and two processes starting at once do not both apply one.
// Functions here run on the caller's thread on the connection they are given.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/embedded_file.h"
#include "plugwatch/core/error.h"
#include "plugwatch/store/sqlite/connection.h"

namespace plugwatch::store::sqlite {

struct Migration {
  int version;            // NNN of the file name; strictly increasing
  std::string_view name;  // "001_init"
  std::string_view sql;
};

// The migrations compiled into this binary, in version order. A misnamed
// file is a build mistake: it aborts with the file's name (a unit test
// catches it first).
std::span<const Migration> EmbeddedMigrations();

// Orders files named NNN_name.sql (name: a-z, 0-9, '_') by version. Fails
// with kInvalidArgument naming a file whose name does not fit or whose
// version repeats another's. The migrations view the files' bytes.
Result<std::vector<Migration>> ParseMigrations(std::span<const embedded::EmbeddedFile> files);

// Applies the migrations newer than the database's version. Fails with kIo
// when the database has tables but is not a plugwatch database, when its
// schema is newer than the newest migration this binary knows (a newer
// plugwatch wrote it), or when a migration fails (named in the message).
Result<void> Migrate(Connection& conn, std::span<const Migration> migrations, TimePoint now);

}  // namespace plugwatch::store::sqlite
