#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <tuple>
#include <utility>

namespace backoffice::bff::downstream {

/// Awaits several calls at once (on the calling coroutine's executor, concurrently) and returns
/// all their results, in order, once every one has finished. Each part is an
/// `awaitable<absl::StatusOr<T>>` (such as ServiceClient::Call returns), so a part that failed
/// comes back as its status: report it as missing rather than failing the whole answer.
///
///   auto [user, roles] = co_await FanOut(users.Call<User>(...), roles.Call<Roles>(...));
///   if (!roles.ok()) missing.push_back("roles");
///
/// The parts must not throw (ServiceClient::Call does not); if one did, the others would be
/// cancelled and the exception rethrown.
template <typename First, typename Second, typename... Rest>
boost::asio::awaitable<std::tuple<First, Second, Rest...>> FanOut(
    boost::asio::awaitable<First> first, boost::asio::awaitable<Second> second,
    boost::asio::awaitable<Rest>... rest) {
  using namespace boost::asio::experimental::awaitable_operators;
  co_return co_await ((std::move(first) && std::move(second)) && ... && std::move(rest));
}

}  // namespace backoffice::bff::downstream
