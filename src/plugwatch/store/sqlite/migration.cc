#include "plugwatch/store/sqlite/migration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace plugwatch::store::sqlite {
namespace {

Result<long long> QueryInt(Connection& conn, std::string_view sql) {
  auto st = conn.Prepare(sql);
  if (!st) return Fail(st.error());
  auto row = st->Step();
  if (!row) return Fail(row.error());
  return *row ? st->Int(0) : 0;
}

Result<void> Apply(Connection& conn, const Migration& m, TimePoint now) {
  if (auto r = conn.Exec("BEGIN IMMEDIATE"); !r) return r;
  auto fail = [&](Error e) -> Result<void> {
    if (conn.InTransaction()) (void)conn.Exec("ROLLBACK");
    return Fail(std::move(e));
  };
  // Another process may have applied it while this one waited for the lock.
  Result<bool> applied = [&]() -> Result<bool> {
    auto st = conn.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    if (!st) return Fail(st.error());
    return st->Bind(m.version).Step();
  }();
  if (!applied) return fail(applied.error());
  if (*applied) return conn.Exec("COMMIT");

  if (auto r = conn.Exec(m.sql, fmt::format("migration {}", m.name)); !r) return fail(r.error());
  auto record = conn.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)");
  if (!record) return fail(record.error());
  if (auto r = record->Bind(m.version, UnixMillis(now)).Run(); !r) return fail(r.error());
  return conn.Exec("COMMIT");
}

}  // namespace

Result<std::vector<Migration>> ParseMigrations(std::span<const embedded::EmbeddedFile> files) {
  std::vector<Migration> out;
  for (const auto& f : files) {
    const std::string_view file = f.name;
    const size_t digits = file.find_first_not_of("0123456789");
    const bool named = digits > 0 && digits != std::string_view::npos && digits <= 6 &&
                       file[digits] == '_' && file.ends_with(".sql") && file.size() > digits + 5 &&
                       file.substr(digits + 1, file.size() - digits - 5)
                               .find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                           std::string_view::npos;
    if (!named)
      return Fail(Errc::kInvalidArgument,
                  fmt::format("migration file '{}': name it NNN_name.sql (digits, '_', then a-z, "
                              "0-9 and '_')",
                              file));
    int version = 0;
    for (char c : file.substr(0, digits)) version = version * 10 + (c - '0');
    out.push_back({version, file.substr(0, file.size() - 4), f.bytes});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      return Fail(Errc::kInvalidArgument,
                  fmt::format("migration files '{}' and '{}' have the same version — give each "
                              "its own number",
                              out[i - 1].name, out[i].name));
  return out;
}

std::span<const Migration> EmbeddedMigrations() {
  static const std::vector<Migration> migrations = [] {
    auto m = ParseMigrations(embedded::SchemaMigrations());
    if (!m) {
      std::fprintf(stderr, "plugwatch: built with a broken schema: %s\n",
                   m.error().message().c_str());
      std::abort();
    }
    return *std::move(m);
  }();
  return migrations;
}

Result<void> Migrate(Connection& conn, std::span<const Migration> migrations, TimePoint now) {
  auto tables = QueryInt(conn,
                         "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT "
                         "LIKE 'sqlite\\_%' ESCAPE '\\'");
  if (!tables) return Fail(tables.error());
  auto ours = QueryInt(conn,
                       "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
                       "'schema_migrations'");
  if (!ours) return Fail(ours.error());
  if (*tables > 0 && *ours == 0) {
    return Fail(Errc::kIo, fmt::format("{}: this SQLite database belongs to another program (it "
                                       "has no schema_migrations table) — point storage.path at "
                                       "a plugwatch database or a new file",
                                       conn.path()));
  }
  auto created = conn.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT");
  if (!created) return created;

  auto current = QueryInt(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!current) return Fail(current.error());
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return Fail(Errc::kIo, fmt::format("{}: the database schema is version {}, newer than this "
                                       "plugwatch knows ({}) — run the newer plugwatch that "
                                       "wrote it, or restore a backup",
                                       conn.path(), *current, newest));
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (auto r = Apply(conn, m, now); !r) return r;
  }
  return {};
}

}  // namespace plugwatch::store::sqlite
