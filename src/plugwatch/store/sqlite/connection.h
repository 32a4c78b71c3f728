// Connection: one SQLite connection (sqlite3*) with a cache of prepared
// statements, and the one place that turns SQLite result codes into errors a
// system administrator can act on ("/var/lib/plugwatch/plugwatch.db: database
// is locked by another process — is another plugwatch writing to it?").
//
// Not thread-safe: a Connection is used by one thread at a time (the store's
// writer thread, or readers holding the store's read mutex). Not movable,
// because the Statements it hands out point back to it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugwatch/core/error.h"
#include "plugwatch/store/sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace plugwatch::store::sqlite {

class Connection {
 public:
  // Opens `path` (":memory:" for a private in-memory database) read-write;
  // with `create`, a missing file is created with mode 0600 first, so that
  // neither the database nor its -wal and -shm files (SQLite gives them the
  // database's mode) are ever readable by others. Fails with kIo naming the
  // file and what to do.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows (DDL, PRAGMA settings,
  // BEGIN/COMMIT). Fails with kIo; `doing` names the work in the message.
  Result<void> Exec(std::string_view sql, std::string_view doing = "");
  // The single value of a one-row query such as "PRAGMA journal_mode=WAL".
  Result<std::string> QueryText(std::string_view sql);

  // A prepared statement from the cache (prepared on first use). The
  // Statement resets itself when it goes out of scope, so a half-read query
  // never pins a WAL snapshot. A statement is handed out once at a time:
  // asking for one that is still in use fails with kInternal (a bug).
  Result<Statement> Prepare(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  long long Changes() const;
  // False while a transaction is open; SQLite ends a transaction on its own
  // after some errors (disk full, I/O), and callers check this to notice.
  bool InTransaction() const;

  // The kIo error for SQLite result code `rc`, naming the file; `doing` says
  // what failed when the code alone does not ("migration 001_init").
  Error ErrorFor(int rc, std::string_view doing) const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  friend class Statement;
  void Release(sqlite3_stmt* stmt);

  sqlite3* db_;
  std::string path_;
  struct Cached {
    sqlite3_stmt* stmt;
    bool in_use;
  };
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace plugwatch::store::sqlite
