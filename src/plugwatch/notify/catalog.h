// Catalog: the texts people read, per language, from TOML files embedded in
// the binary (cmake/embed_files.cmake): data/notify/<lang>.toml for event
// notifications; the Telegram bot loads its own data/telegram/<lang>.toml
// into a second Catalog with Catalog::Load.
//
// A file's nested tables flatten to dotted keys ("cycle_finished.text").
// Get() fills `{name}` placeholders from the arguments; a placeholder with no
// argument stays as written, so a mistake shows instead of vanishing (unit
// tests check that every template renders completely). A key missing in a
// language falls back to English, then to the key itself.
//
// Plurals: Plural(lang, "devices", n, args) picks `devices.one/.few/.many/
// .other` by the language's CLDR cardinal rules for integers (en: one/other;
// uk, ru: one/few/many; cs: one/few/other), falling back to `.other`, and
// passes n as {n}.
//
// Immutable after Load; safe to share between threads.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugwatch/core/embedded_file.h"
#include "plugwatch/core/error.h"

namespace plugwatch::notify {

using Args = std::vector<std::pair<std::string, std::string>>;

class Catalog {
 public:
  // One "<lang>.toml" per language; fails with kParse naming the file.
  static Result<Catalog> Load(std::span<const embedded::EmbeddedFile> files);
  // The event-notification texts built into the binary (data/notify).
  static const Catalog& Notifications();

  std::string Get(std::string_view lang, std::string_view key, const Args& args = {}) const;
  std::string Plural(std::string_view lang, std::string_view key, long long n,
                     const Args& args = {}) const;
  // "2 h 5 min", "2 год 5 хв"; "45 s" under a minute, "3 d 4 h" from a day.
  std::string FormatDuration(std::string_view lang, long long seconds) const;
  // "0.84" / "0,84": `decimals` digits with the language's decimal separator.
  std::string FormatNumber(std::string_view lang, double value, int decimals) const;

  bool Has(std::string_view lang, std::string_view key) const;
  std::vector<std::string> Languages() const;
  std::vector<std::string> Keys(std::string_view lang) const;
  // A language this catalog has, else "en" (for user-supplied language codes).
  std::string Supported(std::string_view lang) const;

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> texts_;
};

// The CLDR cardinal category of integer n in `lang`: "one", "few", "many" or
// "other".
std::string_view PluralCategory(std::string_view lang, long long n);

// Replaces each {name} in `text` with its argument; unknown names stay.
std::string Substitute(std::string_view text, const Args& args);

// The placeholders `text` still contains after substitution ({name} kept).
std::vector<std::string> Placeholders(std::string_view text);

}  // namespace plugwatch::notify
