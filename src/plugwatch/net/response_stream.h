// ResponseStream: the body of an HTTP response that is sent while it is
// being produced (the API's Server-Sent Events stream). A handler puts one in
// HttpResponse::stream; the server sends the status and headers, then every
// piece written to the stream, in order, as a chunk (Transfer-Encoding:
// chunked), until the stream ends; then it closes the connection.
//
// Writes never block and never wait for the peer: they append to a queue that
// the server drains as fast as the peer reads. A peer that reads so slowly
// that more than `max_queued` bytes would wait is cut off — its connection is
// closed at once and the stream ends — so one stuck client costs a bounded
// amount of memory and never holds up the producer or other clients.
//
// The stream also ends when the peer closes its side, a write misses the
// server's write deadline, or the server stops; OnClose then runs once.
//
// Single-threaded: use it on the server's executor only.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace plugwatch::net {

class ResponseStream {
 public:
  explicit ResponseStream(std::size_t max_queued = std::size_t{1} << 20)
      : max_queued_(max_queued) {}
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Queues data after what is queued already. False when the stream has
  // ended (or ends now because the peer is too slow); the data is dropped.
  bool Write(std::string_view data);
  // Ends the stream once what is queued has been sent.
  void End();
  // Runs once when the connection is done with the stream, for any reason.
  // It never runs inside Write or End.
  void OnClose(std::function<void()> f) { on_close_ = std::move(f); }

  bool open() const { return state_ == State::kOpen; }
  bool cut_off() const { return cut_off_; }
  // Bytes written but not yet sent (including those being sent).
  std::size_t queued() const { return pending_.size() + in_flight_; }

  // --- used by the HTTP server ---
  // The queued data, now in flight; empty when nothing waits.
  std::string Take();
  // What Take returned has been sent.
  void Sent() { in_flight_ = 0; }
  // Ended by End (flush, then close) rather than aborted.
  bool ending() const { return state_ == State::kEnding; }
  bool aborted() const { return state_ == State::kAborted || state_ == State::kClosed; }
  // Stops the stream without flushing (peer gone, deadline, server stopping).
  void Abort();
  // Called whenever there is something new for the server to do.
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }
  // The connection is done with the stream: runs OnClose (once).
  void Close();

 private:
  enum class State { kOpen, kEnding, kAborted, kClosed };
  void Wake() {
    if (wake_) wake_();
  }

  std::size_t max_queued_;
  State state_ = State::kOpen;
  bool cut_off_ = false;
  std::string pending_;
  std::size_t in_flight_ = 0;
  std::function<void()> wake_;
  std::function<void()> on_close_;
};

}  // namespace plugwatch::net
