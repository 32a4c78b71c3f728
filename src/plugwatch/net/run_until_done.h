// RunUntilDone: runs one coroutine to completion on an io_context and returns
// its value (rethrowing its exception). For tests and for CLI commands that do
// one network job and exit. Blocks the calling thread.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>

namespace plugwatch::net {

template <class T>
T RunUntilDone(boost::asio::io_context& io, boost::asio::awaitable<T> a) {
  auto f = boost::asio::co_spawn(io, std::move(a), boost::asio::use_future);
  io.restart();
  // Other work (a server's accept loop) may keep the context busy forever, so
  // run only until this coroutine is done.
  while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    if (io.run_one() == 0) break;
  return f.get();
}

}  // namespace plugwatch::net
