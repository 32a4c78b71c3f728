#include "plugwatch/devices/tapo/poll_answer.h"

#include <array>
#include <boost/json/basic_parser_impl.hpp>

#include "plugwatch/devices/tapo/messages.h"

namespace plugwatch::tapo {
namespace {

namespace json = boost::json;
using json::error_code;

// Where a value sits in the regular answer (see the header). kIgnored: inside
// something a poll does not read (other keys, and everything nested in them).
enum class Level { kRoot, kTop, kResult, kResponses, kEntry, kEntryResult, kIgnored };

// The fields of an entry's result that decide the poll, whichever method the
// entry turns out to be (its "method" may come after its "result").
enum Field {
  kDeviceOn,
  kCurrentPower,
  kTodayEnergy,
  kMonthEnergy,
  kTodayRuntime,
  kMonthRuntime,
  kLocalTime,
  kFieldCount
};

// The keys the regular answer is read by, classified once per key: the
// fields above, then the envelope's keys. Any other key is kOtherKey.
enum Key : std::uint8_t {
  // kDeviceOn … kLocalTime
  kErrorCode = kFieldCount,
  kResultKey,
  kResponses,
  kMethod,
  kOtherKey
};
constexpr std::array<std::string_view, kOtherKey> kKeyNames{
    "device_on",  "current_power", "today_energy", "month_energy", "today_runtime", "month_runtime",
    "local_time", "error_code",    "result",       "responses",    "method"};

Key Classify(std::string_view key) {
  for (std::size_t k = 0; k < kKeyNames.size(); ++k)
    if (key == kKeyNames[k]) return static_cast<Key>(k);
  return kOtherKey;
}

enum class Kind : std::uint8_t { kAbsent, kBool, kInt, kString, kOther };
struct Value {
  Kind kind = Kind::kAbsent;
  std::int64_t i = 0;
  bool b = false;
};

enum class Method { kOther, kDeviceInfo, kEnergyUsage };

// A key or a string that arrived in parts (it had escapes), kept only while it
// is short enough to be one of the names above ("" when longer: it matches
// none of them).
class ShortText {
 public:
  void Append(std::string_view part) {
    if (size_ + part.size() <= buf_.size()) part.copy(buf_.data() + size_, part.size());
    size_ += part.size();
  }
  // The whole text, given its last part; then starts afresh.
  std::string_view Finish(std::string_view last) {
    if (size_ == 0) return last;  // in one piece: nothing was copied
    Append(last);
    const std::size_t n = size_;
    size_ = 0;
    return n <= buf_.size() ? std::string_view(buf_.data(), n) : std::string_view();
  }

 private:
  std::array<char, 24> buf_{};
  std::size_t size_ = 0;
};

struct Entry {
  bool has_method = false, has_code = false, has_result = false;
  Method method = Method::kOther;
  std::int64_t code = 0;
  std::array<Value, kFieldCount> fields{};
};

// The basic_parser handler. Every callback returns false (stopping the
// parse) once the answer is known not to be the regular one.
class Handler {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) { return Open(/*object=*/true, ec); }
  bool on_object_end(std::size_t, error_code& ec) { return Close(ec); }
  bool on_array_begin(error_code& ec) { return Open(/*object=*/false, ec); }
  bool on_array_end(std::size_t, error_code& ec) { return Close(ec); }
  bool on_key_part(std::string_view s, std::size_t, error_code&) {
    text_.Append(s);
    return true;
  }
  bool on_key(std::string_view s, std::size_t, error_code&) {
    key_ = Classify(text_.Finish(s));
    return true;
  }
  // Only the value of "method" is looked at.
  bool on_string_part(std::string_view s, std::size_t, error_code&) {
    if (key_ == kMethod) text_.Append(s);
    return true;
  }
  bool on_string(std::string_view s, std::size_t, error_code& ec) {
    if (key_ == kMethod) method_ = text_.Finish(s);
    return Scalar({Kind::kString}, ec);
  }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, std::string_view, error_code& ec) {
    return Scalar({Kind::kInt, i}, ec);
  }
  // Unsigned beyond int64, fractions, null: the general way judges those.
  bool on_uint64(std::uint64_t, std::string_view, error_code& ec) {
    return Scalar({Kind::kOther}, ec);
  }
  bool on_double(double, std::string_view, error_code& ec) { return Scalar({Kind::kOther}, ec); }
  bool on_bool(bool b, error_code& ec) { return Scalar({Kind::kBool, 0, b}, ec); }
  bool on_null(error_code& ec) { return Scalar({Kind::kOther}, ec); }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

  // The answer, when the whole text was the regular one.
  std::optional<PollAnswer> answer() const {
    if (!top_code_ || !have_info_ || !have_energy_) return std::nullopt;
    return answer_;
  }

 private:
  static constexpr std::size_t kTracked = 6;  // kTop … kEntryResult and their children

  Level Current() const {
    if (depth_ == 0) return Level::kRoot;
    return depth_ <= kTracked ? levels_[depth_ - 1] : Level::kIgnored;
  }

  // Not the regular answer: stop here.
  bool Irregular(error_code& ec) {
    ec = json::error::exception;  // any error: the caller only checks for one
    return false;
  }

  bool Open(bool object, error_code& ec) {
    Level child = Level::kIgnored;
    switch (Current()) {
      case Level::kRoot:
        if (!object) return Irregular(ec);
        child = Level::kTop;
        break;
      case Level::kTop:
        if (key_ == kErrorCode) return Irregular(ec);
        if (key_ == kResultKey) {
          if (!object || have_result_) return Irregular(ec);
          have_result_ = true;
          child = Level::kResult;
        }
        break;
      case Level::kResult:
        if (key_ == kResponses) {
          if (object || have_responses_) return Irregular(ec);
          have_responses_ = true;
          child = Level::kResponses;
        }
        break;
      case Level::kResponses:
        if (!object) return Irregular(ec);
        entry_ = Entry{};
        child = Level::kEntry;
        break;
      case Level::kEntry:
        if (key_ == kMethod || key_ == kErrorCode) return Irregular(ec);
        if (key_ == kResultKey) {
          if (!object || entry_.has_result) return Irregular(ec);
          entry_.has_result = true;
          child = Level::kEntryResult;
        }
        break;
      case Level::kEntryResult:
        SetField(Value{Kind::kOther});
        break;
      case Level::kIgnored:
        break;
    }
    if (depth_ < kTracked) levels_[depth_] = child;
    ++depth_;
    return true;
  }

  bool Close(error_code& ec) {
    const Level closing = Current();
    --depth_;
    if (closing == Level::kEntry) return FinishEntry(ec);
    return true;
  }

  bool Scalar(Value v, error_code& ec) {
    switch (Current()) {
      case Level::kRoot:
      case Level::kResponses:
        return Irregular(ec);
      case Level::kTop:
        if (key_ == kResultKey) return Irregular(ec);
        if (key_ == kErrorCode) {
          // Any code but 0 is for the general way (session expiry, -1003, …).
          if (top_code_ || v.kind != Kind::kInt || v.i != 0) return Irregular(ec);
          top_code_ = true;
        }
        return true;
      case Level::kResult:
        return key_ == kResponses ? Irregular(ec) : true;
      case Level::kEntry:
        if (key_ == kResultKey) return Irregular(ec);
        if (key_ == kMethod) {
          if (entry_.has_method || v.kind != Kind::kString) return Irregular(ec);
          entry_.has_method = true;
          entry_.method = method_ == "get_device_info"    ? Method::kDeviceInfo
                          : method_ == "get_energy_usage" ? Method::kEnergyUsage
                                                          : Method::kOther;
        } else if (key_ == kErrorCode) {
          if (entry_.has_code || v.kind != Kind::kInt) return Irregular(ec);
          entry_.has_code = true;
          entry_.code = v.i;
        }
        return true;
      case Level::kEntryResult:
        SetField(v);
        return true;
      case Level::kIgnored:
        return true;
    }
    return true;
  }

  // A field of the entry's result; given twice, it is of no usable type.
  void SetField(Value v) {
    if (key_ >= kFieldCount) return;
    Value& slot = entry_.fields[key_];
    slot = slot.kind == Kind::kAbsent ? v : Value{Kind::kOther};
  }

  bool FinishEntry(error_code& ec) {
    if (!entry_.has_method || !entry_.has_code || entry_.code != 0 || !entry_.has_result)
      return Irregular(ec);
    const auto& f = entry_.fields;
    auto is = [&](Field field, Kind kind) { return f[field].kind == kind; };
    auto absent_or = [&](Field field, Kind kind) {
      return is(field, Kind::kAbsent) || is(field, kind);
    };
    switch (entry_.method) {
      case Method::kDeviceInfo:
        if (have_info_ || !is(kDeviceOn, Kind::kBool)) return Irregular(ec);
        answer_.device_on = f[kDeviceOn].b;
        have_info_ = true;
        return true;
      case Method::kEnergyUsage:
        if (have_energy_ || !is(kCurrentPower, Kind::kInt) || !is(kTodayEnergy, Kind::kInt) ||
            !is(kMonthEnergy, Kind::kInt) || !absent_or(kTodayRuntime, Kind::kInt) ||
            !absent_or(kMonthRuntime, Kind::kInt) || !absent_or(kLocalTime, Kind::kString))
          return Irregular(ec);
        answer_.current_power_mw = f[kCurrentPower].i;
        answer_.today_energy_wh = f[kTodayEnergy].i;
        answer_.month_energy_wh = f[kMonthEnergy].i;
        have_energy_ = true;
        return true;
      case Method::kOther:
        break;
    }
    return Irregular(ec);
  }

  std::array<Level, kTracked> levels_{};
  std::size_t depth_ = 0;    // containers open
  Key key_ = kOtherKey;      // the key of the value being read
  ShortText text_;           // a key or "method" value arriving in parts
  std::string_view method_;  // the last "method" value (valid during on_string)
  bool top_code_ = false, have_result_ = false, have_responses_ = false;
  Entry entry_;
  bool have_info_ = false, have_energy_ = false;
  PollAnswer answer_;
};

}  // namespace

std::optional<PollAnswer> ReadPollAnswer(std::string_view text) {
  if (text.size() > kMaxMessageSize) return std::nullopt;
  // The same options as json::parse (ParseEnvelopeRaw): strict JSON.
  json::basic_parser<Handler> parser{json::parse_options{}};
  error_code ec;
  const std::size_t used = parser.write_some(/*more=*/false, text.data(), text.size(), ec);
  if (ec || used != text.size()) return std::nullopt;
  return parser.handler().answer();
}

}  // namespace plugwatch::tapo
