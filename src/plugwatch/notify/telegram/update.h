// Update: one getUpdates result (PROTOCOLS.md §7) reduced to what the bot
// acts on — a text message (a command) or an inline-button press
// (callback_query). Other update kinds (edited messages, channel posts, …)
// parse as kOther and are confirmed without action. Pure.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "plugwatch/core/error.h"

namespace plugwatch::notify::telegram {

struct Update {
  enum class Kind { kMessage, kCallback, kOther };
  long long update_id = 0;
  Kind kind = Kind::kOther;
  long long chat_id = 0;
  long long user_id = 0;
  std::string first_name;
  std::string username;
  std::string language_code;  // the user's client language ("uk", "en-US"); may be empty
  std::string text;           // kMessage
  std::string callback_id;    // kCallback: for answerCallbackQuery
  std::string data;           // kCallback: the button's callback_data
  long long message_id = 0;   // kCallback: the message carrying the buttons
};

// The "result" array of a getUpdates reply. Entries without an update_id
// are skipped; a result that is not an array fails with kProtocol.
Result<std::vector<Update>> ParseUpdates(const boost::json::value& result);

// "/start", "/broadcast" (lower-case, without "@botname") and the rest of
// the text after the command and one space; command "" when `text` is not a
// command.
struct Command {
  std::string name;
  std::string args;
};
Command ParseCommand(std::string_view text);

}  // namespace plugwatch::notify::telegram
