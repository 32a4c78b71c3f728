#include "plugwatch/net/response_stream.h"

#include <utility>

namespace plugwatch::net {

bool ResponseStream::Write(std::string_view data) {
  if (state_ != State::kOpen) return false;
  if (queued() + data.size() > max_queued_) {
    cut_off_ = true;
    state_ = State::kAborted;
    pending_.clear();
    pending_.shrink_to_fit();
    Wake();
    return false;
  }
  const bool was_empty = pending_.empty();
  pending_.append(data);
  if (was_empty) Wake();
  return true;
}

void ResponseStream::End() {
  if (state_ != State::kOpen) return;
  state_ = State::kEnding;
  Wake();
}

std::string ResponseStream::Take() {
  std::string out;
  out.swap(pending_);
  in_flight_ = out.size();
  return out;
}

void ResponseStream::Abort() {
  if (state_ == State::kClosed) return;
  state_ = State::kAborted;
  pending_.clear();
  Wake();
}

void ResponseStream::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  pending_.clear();
  in_flight_ = 0;
  wake_ = nullptr;
  if (auto f = std::move(on_close_)) {
    on_close_ = nullptr;
    f();
  }
}

}  // namespace plugwatch::net
