#include "plugwatch/store/sqlite/connection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace plugwatch::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// What an administrator should read for the result codes that have a clear
// cause; other codes fall back to SQLite's own message.
const char* Explain(int primary_rc) {
  switch (primary_rc) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "database is locked by another process — is another plugwatch writing to it?";
    case SQLITE_NOTADB:
      return "file is not a database — point storage.path at a plugwatch database or a new file";
    case SQLITE_CORRUPT:
      return "the database is corrupt — restore a backup, or move the file away to start afresh";
    case SQLITE_FULL:
      return "the disk is full — free some space (or shorten storage retention)";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "the database is read-only for plugwatch — check the owner and permissions of the "
             "file and its directory";
    case SQLITE_CANTOPEN:
      return "cannot open the database file — check that its directory exists and that "
             "plugwatch may write to it";
    case SQLITE_NOMEM:
      return "out of memory";
    default:
      return nullptr;
  }
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create) {
  const bool memory = path == ":memory:";
  if (!memory) {
    if (create) {
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) {
        return Fail(Errc::kIo, fmt::format("{}: cannot create the database file: {} — check that "
                                           "its directory exists and that plugwatch may write "
                                           "to it",
                                           path, std::strerror(errno)));
      }
      ::close(fd);
    } else if (::access(path.c_str(), F_OK) != 0) {
      return Fail(Errc::kIo, fmt::format("{}: the database file does not exist — check "
                                         "storage.path",
                                         path));
    }
  }
  sqlite3* db = nullptr;
  // NOMUTEX: every connection is used by one thread at a time (see the header),
  // so SQLite's own per-call locking would be pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (memory ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<Connection> conn(new Connection(db, path));
  if (rc != SQLITE_OK) return Fail(conn->ErrorFor(rc, "open"));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Result<void> Connection::Exec(std::string_view sql, std::string_view doing) {
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Fail(ErrorFor(rc, doing));
  return {};
}

Result<std::string> Connection::QueryText(std::string_view sql) {
  auto st = Prepare(sql);
  if (!st) return Fail(st.error());
  auto row = st->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::string();
  return st->Text(0);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return Fail(ErrorFor(rc, fmt::format("preparing \"{}\"", sql)));
    if (tail != sql.data() + sql.size() || !stmt) {
      sqlite3_finalize(stmt);
      return Fail(Errc::kInternal, fmt::format("sqlite: \"{}\" is not exactly one statement", sql));
    }
    it = cache_.emplace(std::string(sql), Cached{stmt, false}).first;
  }
  if (it->second.in_use) {
    return Fail(Errc::kInternal, fmt::format("sqlite: \"{}\" is already in use", sql));
  }
  it->second.in_use = true;
  return Statement(this, it->second.stmt);
}

void Connection::Release(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (auto& [sql, cached] : cache_) {
    if (cached.stmt == stmt) {
      cached.in_use = false;
      return;
    }
  }
}

long long Connection::Changes() const { return sqlite3_changes64(db_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Error Connection::ErrorFor(int rc, std::string_view doing) const {
  if (const char* what = Explain(rc & 0xff)) {
    return MakeError(Errc::kIo, fmt::format("{}: {}", path_, what));
  }
  // sqlite3_errmsg describes the connection's last error; it is the detailed
  // text ("no such table: x") when that error is this one.
  const char* msg =
      db_ && sqlite3_extended_errcode(db_) == rc ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (doing.empty()) return MakeError(Errc::kIo, fmt::format("{}: {}", path_, msg));
  return MakeError(Errc::kIo, fmt::format("{}: {}: {}", path_, doing, msg));
}

}  // namespace plugwatch::store::sqlite
